/** `huika devices`: list HID devices with what Huika would use them as, or say in one line why it cannot. */
import { readFileSync } from 'node:fs';
import { udevRules, type UdevDevice } from '../drivers/udev-rules.ts';
import { HID_POS_USAGE_PAGE } from '../drivers/hid-pos-scanner.ts';
import { MAGTEK_VENDOR_ID } from '../drivers/msr-hid.ts';
import { listHidDevices } from '../drivers/node-hid-transport.ts';
import type { HidDeviceInfo } from '../drivers/transport.ts';
import { parseFlags, UsageError } from './main.ts';

export function guessRole(d: HidDeviceInfo): string {
  if (d.usagePage === HID_POS_USAGE_PAGE) return 'hid-pos scanner';
  if (d.vendorId === MAGTEK_VENDOR_ID) return 'msr-hid reader';
  if (d.usagePage === 0x01 && d.usage === 0x06) return 'keyboard (or keyboard-wedge scanner/reader)';
  return '-';
}

const hex = (n: number | undefined, w = 4) => (n === undefined ? '-' : n.toString(16).padStart(w, '0'));

export async function run(argv: string[]): Promise<number> {
  const v = parseFlags({
    args: argv,
    options: {
      json: { type: 'boolean', default: false },
      'udev-rules': { type: 'boolean', default: false },
      config: { type: 'string' },
      group: { type: 'string', default: 'plugdev' },
    },
  }).values;
  const json = v.json;
  if (v['udev-rules']) {
    // The rules come from the terminal's configured devices, not from what happens to be plugged in now.
    const path = v.config ?? process.env.HUIKA_TERMINAL_CONFIG;
    if (!path) throw new UsageError('--udev-rules needs --config FILE (the terminal configuration with its devices)');
    const cfg = JSON.parse(readFileSync(path, 'utf8')) as {
      devices?: Array<{ id: string; kind: UdevDevice['kind']; match: { vendorId?: number; productId?: number } }>;
    };
    const devices = (cfg.devices ?? []).flatMap((d) =>
      d.match.vendorId !== undefined && d.match.productId !== undefined
        ? [{ id: d.id, kind: d.kind, vendorId: d.match.vendorId, productId: d.match.productId }]
        : [],
    );
    process.stdout.write(udevRules(devices, v.group));
    return 0;
  }
  const list = await listHidDevices();
  if (!list.ok) {
    process.stderr.write(`${list.message}\n`);
    return 1;
  }
  if (json) {
    for (const d of list.devices) process.stdout.write(`${JSON.stringify({ ...d, role: guessRole(d) })}\n`);
    return 0;
  }
  if (list.devices.length === 0) {
    process.stdout.write('no HID devices found (plugged in? on Linux, see docs/DRIVERS.md for the udev rule)\n');
    return 0;
  }
  for (const d of list.devices) {
    const name = [d.manufacturer, d.product].filter(Boolean).join(' ') || '(unnamed)';
    process.stdout.write(
      `${hex(d.vendorId)}:${hex(d.productId)}  page ${hex(d.usagePage)}/${hex(d.usage)}  ${guessRole(d).padEnd(20)}  ${name}  ${d.path ?? ''}\n`,
    );
  }
  return 0;
}
