import { describe, expect, it } from 'vitest';
import { listHidDevices, loadNodeHid } from '../drivers/node-hid-transport.ts';

describe('node-hid', () => {
  it('loads its native addon and enumerates (no HID devices on CI machines)', async () => {
    const load = await loadNodeHid();
    expect(load).toMatchObject({ ok: true });
    const list = await listHidDevices();
    expect(list.ok).toBe(true);
    if (list.ok) expect(Array.isArray(list.devices)).toBe(true);
  });
});
