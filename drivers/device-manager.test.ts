import { describe, expect, it } from 'vitest';
import { FakeClock } from '../simulator/fake-clock.ts';
import { FakeHidBus } from '../simulator/fake-transport.ts';
import { encodeHidPos } from '../simulator/hid-pos-encoder.ts';
import { encodeKeyboardText } from '../simulator/keyboard-encoder.ts';
import { DeviceManager, HONEYWELL_HID_POS_MODE, type DeviceScan, type DeviceStatus } from './device-manager.ts';

function setup() {
  const bus = new FakeHidBus();
  const clock = new FakeClock();
  const pos = bus.plug({ vendorId: 0x0c2e, productId: 0x0b41, usagePage: 0x8c, usage: 0x02 });
  const kbd = bus.plug({ vendorId: 0x0483, productId: 0x0011 });
  const mgr = new DeviceManager({
    devices: [
      { id: 'pos', kind: 'hid-pos', match: { vendorId: 0x0c2e, productId: 0x0b41, usagePage: 0x8c }, init: [HONEYWELL_HID_POS_MODE] },
      { id: 'kbd', kind: 'hid-keyboard', match: { vendorId: 0x0483, productId: 0x0011 }, keyboard: { timeoutMs: 100 } },
    ],
    open: bus.open,
    clock,
    backoff: { initialMs: 1000, maxMs: 4000 },
  });
  const statuses: DeviceStatus[] = [];
  const scans: DeviceScan[] = [];
  mgr.on('device:status', (s) => statuses.push(s));
  mgr.on('scan', (s) => scans.push(s));
  return { bus, clock, pos, kbd, mgr, statuses, scans };
}

describe('DeviceManager', () => {
  it('opens configured devices, switches Honeywell to HID POS mode and emits scans', async () => {
    const { clock, pos, kbd, mgr, statuses, scans } = setup();
    mgr.start();
    await clock.advance(0);
    expect(statuses.map((s) => `${s.deviceId}:${s.state}`).sort()).toEqual(['kbd:connected', 'pos:connected']);
    expect(pos.transport?.featureReports).toEqual([HONEYWELL_HID_POS_MODE]);
    pos.sendAll(encodeHidPos('6217996600000000015', ']C0'));
    const played = kbd.play(encodeKeyboardText('5133000017'), clock);
    await clock.advance(1000);
    await played;
    expect(scans.map((s) => [s.deviceId, s.outcome.ok && s.outcome.credential.type, s.masked?.data])).toEqual([
      ['pos', 'card_number', '621799*********0015'],
      ['kbd', 'member_no', '5133000017'],
    ]);
    await mgr.stop();
  });

  it('reports a half-typed code after the keyboard timeout on its own timer', async () => {
    const { clock, kbd, mgr, scans } = setup();
    mgr.start();
    await clock.advance(0);
    kbd.sendAll(encodeKeyboardText('5133', { suffix: 'none' }));
    await clock.advance(50);
    expect(scans).toEqual([]);
    await clock.advance(100);
    expect(scans.map((s) => !s.outcome.ok && s.outcome.error.code)).toEqual(['SCAN_INCOMPLETE']);
    await mgr.stop();
  });

  it('treats a read error as an unplug and re-opens with doubling back-off once the device is back', async () => {
    const { clock, pos, mgr, statuses } = setup();
    const opened: number[] = [];
    const realOpen = mgr.opts.open;
    (mgr.opts as { open: typeof realOpen }).open = (spec) => (opened.push(clock.now()), realOpen(spec));
    mgr.start();
    await clock.advance(0);
    pos.unplug();
    await clock.advance(0);
    expect(statuses.filter((s) => s.deviceId === 'pos').map((s) => s.state)).toEqual(['connected', 'disconnected']);
    await clock.advance(1000 + 2000 + 4000 + 4000);
    const posOpens = opened.filter((_, i) => i !== 1); // index 1 is the keyboard's first open
    expect(posOpens).toEqual([0, 1000, 3000, 7000, 11000]);
    pos.replug();
    await clock.advance(4000);
    expect(statuses.filter((s) => s.deviceId === 'pos').at(-1)?.state).toBe('connected');
    await mgr.stop();
    expect(clock.pendingTimers).toBe(0);
  });

  it('says why when a device cannot be opened (permission) and keeps the others working', async () => {
    const { clock, pos, kbd, mgr, statuses, scans } = setup();
    pos.openError = 'cannot open device with path /dev/hidraw0';
    mgr.start();
    await clock.advance(0);
    expect(statuses.find((s) => s.deviceId === 'pos')).toMatchObject({ state: 'error', message: expect.stringContaining('hidraw0') });
    kbd.sendAll(encodeKeyboardText('5133000017'));
    expect(scans).toHaveLength(1);
    await mgr.stop();
  });

  it('drops a half-received HID POS code when the device goes away mid-code', async () => {
    const { clock, pos, mgr, scans } = setup();
    mgr.start();
    await clock.advance(0);
    pos.sendAll(encodeHidPos('x'.repeat(80)).slice(0, 1));
    pos.unplug();
    await clock.advance(0);
    expect(scans.map((s) => !s.outcome.ok && s.outcome.error.code)).toEqual(['SCAN_INCOMPLETE']);
    await mgr.stop();
  });
});
