/**
 * The terminal's scanners and readers: the configured real devices through node-hid. With --simulate
 * the command line plugs in simulator/terminal-devices.ts instead (the terminal never imports the simulator).
 */
import { DeviceManager, type DeviceConfig } from '../drivers/device-manager.ts';
import { HONEYWELL_HID_POS_MODE } from '../drivers/hid-pos-scanner.ts';
import { loadNodeHid, openNodeHid } from '../drivers/node-hid-transport.ts';
import type { DeviceSetting } from './config.ts';

export type SimDevice = 'hid-pos' | 'hid-keyboard' | 'msr-hid' | 'msr-keyboard';

export interface TerminalDevices {
  manager: DeviceManager;
  /** Set when real HID access is impossible: one line, with the fix. */
  unavailable?: string;
  /** Simulated devices only: make one of them send what it sends for `text`. */
  simulate?: (device: SimDevice, text: string) => Promise<void>;
}

export async function createRealDevices(settings: readonly DeviceSetting[]): Promise<TerminalDevices> {
  const load = await loadNodeHid();
  const devices: DeviceConfig[] = settings.map((s) => ({
    id: s.id,
    kind: s.kind,
    match: s.match,
    ...(s.honeywellPosMode ? { init: [HONEYWELL_HID_POS_MODE] } : {}),
  }));
  if (!load.ok) return { manager: new DeviceManager({ devices: [], open: openNodeHid }), unavailable: load.message };
  return { manager: new DeviceManager({ devices, open: openNodeHid }) };
}
