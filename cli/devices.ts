/** `huika devices`: list HID devices with what Huika would use them as, or say in one line why it cannot. */
import { parseArgs } from 'node:util';
import { HID_POS_USAGE_PAGE } from '../drivers/hid-pos-scanner.ts';
import { MAGTEK_VENDOR_ID } from '../drivers/msr-hid.ts';
import { listHidDevices } from '../drivers/node-hid-transport.ts';
import type { HidDeviceInfo } from '../drivers/transport.ts';
import { UsageError } from './main.ts';

export function guessRole(d: HidDeviceInfo): string {
  if (d.usagePage === HID_POS_USAGE_PAGE) return 'hid-pos scanner';
  if (d.vendorId === MAGTEK_VENDOR_ID) return 'msr-hid reader';
  if (d.usagePage === 0x01 && d.usage === 0x06) return 'keyboard (or keyboard-wedge scanner/reader)';
  return '-';
}

const hex = (n: number | undefined, w = 4) => (n === undefined ? '-' : n.toString(16).padStart(w, '0'));

export async function run(argv: string[]): Promise<number> {
  let json = false;
  try {
    json = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false } } }).values.json;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const list = await listHidDevices();
  if (!list.ok) {
    process.stderr.write(list.message + '\n');
    return 1;
  }
  if (json) {
    for (const d of list.devices) process.stdout.write(JSON.stringify({ ...d, role: guessRole(d) }) + '\n');
    return 0;
  }
  if (list.devices.length === 0) {
    process.stdout.write('no HID devices found (plugged in? on Linux, see docs/DRIVERS.md for the udev rule)\n');
    return 0;
  }
  for (const d of list.devices) {
    const name = [d.manufacturer, d.product].filter(Boolean).join(' ') || '(unnamed)';
    process.stdout.write(`${hex(d.vendorId)}:${hex(d.productId)}  page ${hex(d.usagePage)}/${hex(d.usage)}  ${guessRole(d).padEnd(20)}  ${name}  ${d.path ?? ''}\n`);
  }
  return 0;
}
