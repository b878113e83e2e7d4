/**
 * The terminal's devices under --simulate: a fake HID bus with one device of each kind, driven byte for
 * byte through the terminal's real decoders. The command line plugs this into startTerminal
 * (cli/terminal.ts, cli/start.ts), so terminal/ itself never depends on the simulator.
 */
import { splitSwipe } from '../core/credentials.ts';
import { DeviceManager, realClock, type DeviceConfig } from '../drivers/device-manager.ts';
import type { SimDevice, TerminalDevices } from '../terminal/devices.ts';
import { FakeHidBus, type FakeHidDevice } from './fake-transport.ts';
import { encodeHidPos } from './hid-pos-encoder.ts';
import { encodeKeyboardText } from './keyboard-encoder.ts';
import { encodeMagtekSwipe } from './msr-encoder.ts';

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
