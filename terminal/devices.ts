/**
 * The terminal's scanners and readers: the configured real devices through node-hid, or (--simulate)
 * a fake bus with one of each kind, driven byte for byte through the same decoders.
 */
import { splitSwipe } from '../core/credentials.ts';
import { DeviceManager, realClock, type DeviceConfig } from '../drivers/device-manager.ts';
import { HONEYWELL_HID_POS_MODE } from '../drivers/hid-pos-scanner.ts';
import { loadNodeHid, openNodeHid } from '../drivers/node-hid-transport.ts';
import { FakeHidBus, type FakeHidDevice } from '../simulator/fake-transport.ts';
import { encodeHidPos } from '../simulator/hid-pos-encoder.ts';
import { encodeKeyboardText } from '../simulator/keyboard-encoder.ts';
import { encodeMagtekSwipe } from '../simulator/msr-encoder.ts';
import type { DeviceSetting } from './config.ts';

export type SimDevice = 'hid-pos' | 'hid-keyboard' | 'msr-hid' | 'msr-keyboard';

export interface TerminalDevices {
  manager: DeviceManager;
  /** Set when real HID access is impossible: one line, with the fix. */
  unavailable?: string;
  /** Simulated devices only: make one of them send what it sends for `text`. */
  simulate?: (device: SimDevice, text: string) => Promise<void>;
}

/** Vendor/product ids of common devices, used for the simulated ones so captures look real. */
const SIM: Record<SimDevice, { vendorId: number; productId: number; usagePage: number }> = {
  'hid-pos': { vendorId: 0x0c2e, productId: 0x0b61, usagePage: 0x8c }, // Honeywell Xenon in HID POS mode
  'hid-keyboard': { vendorId: 0x05e0, productId: 0x1200, usagePage: 0x01 }, // Zebra/Symbol keyboard wedge
  'msr-hid': { vendorId: 0x0801, productId: 0x0002, usagePage: 0xff00 }, // MagTek USB swipe reader, HID mode
  'msr-keyboard': { vendorId: 0x0801, productId: 0x0001, usagePage: 0x01 }, // MagTek keyboard emulation
};

export function createSimulatedDevices(): TerminalDevices {
  const bus = new FakeHidBus();
  const fakes = new Map<SimDevice, FakeHidDevice>();
  const devices: DeviceConfig[] = [];
  for (const kind of Object.keys(SIM) as SimDevice[]) {
    fakes.set(kind, bus.plug({ ...SIM[kind], product: `Simulated ${kind}` }));
    devices.push({ id: `sim-${kind}`, kind, match: SIM[kind] });
  }
  const manager = new DeviceManager({ devices, open: bus.open, backoff: { initialMs: 200, maxMs: 2000 } });
  const simulate = async (device: SimDevice, text: string) => {
    const fake = fakes.get(device)!;
    switch (device) {
      case 'hid-pos':
        fake.sendAll(encodeHidPos(text, text.startsWith('HK1.') ? ']Q1' : ']C0'));
        return;
      case 'msr-hid': {
        const s = splitSwipe(text);
        fake.sendAll([encodeMagtekSwipe({ ...(s.track1 ? { track1: s.track1 } : {}), ...(s.track2 ? { track2: s.track2 } : {}) })]);
        return;
      }
      case 'hid-keyboard':
      case 'msr-keyboard':
        // Real timing (1–20 ms between reports) through the real clock, as a wedge types.
        await fake.play(encodeKeyboardText(text, { suffix: 'enter', rng: Math.random }), realClock);
        return;
    }
  };
  return { manager, simulate };
}

export async function createRealDevices(settings: readonly DeviceSetting[]): Promise<TerminalDevices> {
  const load = await loadNodeHid();
  const devices: DeviceConfig[] = settings.map((s) => ({ id: s.id, kind: s.kind, match: s.match, ...(s.honeywellPosMode ? { init: [HONEYWELL_HID_POS_MODE] } : {}) }));
  if (!load.ok) return { manager: new DeviceManager({ devices: [], open: openNodeHid }), unavailable: load.message };
  return { manager: new DeviceManager({ devices, open: openNodeHid }) };
}
