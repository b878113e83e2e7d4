import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withLuhn } from '../core/luhn.ts';
import { DeviceManager, type DeviceKind, type DeviceScan } from '../drivers/device-manager.ts';
import type { Credential } from '../drivers/scan-result.ts';
import { cardTracks } from '../simulator/card-data.ts';
import { FakeClock } from '../simulator/fake-clock.ts';
import { FakeHidBus } from '../simulator/fake-transport.ts';
import { encodeHidPos } from '../simulator/hid-pos-encoder.ts';
import { encodeKeyboardText } from '../simulator/keyboard-encoder.ts';
import { encodeMagtekSwipe, msrKeyboardText } from '../simulator/msr-encoder.ts';
import { seededRng } from '../simulator/rng.ts';
import type { TimedReport } from '../simulator/timed-report.ts';

/** Fake device → DeviceManager (the real driver path) → credentials, on a fake clock. */
async function throughDriver(kind: DeviceKind, reports: TimedReport[]): Promise<Array<Credential | string>> {
  const bus = new FakeHidBus();
  const clock = new FakeClock();
  const dev = bus.plug({ vendorId: 1, productId: 2 });
  const mgr = new DeviceManager({ devices: [{ id: 'd', kind, match: { vendorId: 1, productId: 2 } }], open: bus.open, clock });
  const scans: DeviceScan[] = [];
  mgr.on('scan', (s) => scans.push(s));
  mgr.start();
  await clock.advance(0);
  const played = dev.play(reports, clock);
  await clock.advance((reports.at(-1)?.atMs ?? 0) + 1000);
  await played;
  await mgr.stop();
  return scans.map((s) => (s.outcome.ok ? s.outcome.credential : s.outcome.error.code));
}

const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''));
const memberNo = fc.tuple(fc.integer({ min: 1, max: 9 }), digits(8)).map(([a, b]) => withLuhn(a + b));
const pan = fc
  .integer({ min: 12, max: 19 })
  .chain((n) => digits(n - 1))
  .map(withLuhn);
// A QR payload that is not itself a member number, card number or track (those are classified as such).
const notOtherType = (s: string) => s.length > 0 && !/^\d+$/.test(s) && !/^[%;]/.test(s) && !/[\r\n]$/.test(s);
const asciiQr = fc
  .string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 200 })
  .filter(notOtherType);
const unicodeQr = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 120 }).filter(notOtherType);
const noise = fc.record({
  rollover: fc.double({ min: 0, max: 1, noNaN: true }),
  errorRollover: fc.double({ min: 0, max: 0.3, noNaN: true }),
  repeat: fc.double({ min: 0, max: 0.5, noNaN: true }),
  seed: fc.integer(),
});

describe('round trip: fake device → driver → credential', () => {
  it('keyboard wedge: member numbers, PANs and QR text survive rollover, held keys and ErrorRollOver', async () => {
    const input = fc.oneof(
      memberNo.map((d): Credential => ({ type: 'member_no', data: d })),
      pan.map((d): Credential => ({ type: 'card_number', data: d })),
      asciiQr.map((d): Credential => ({ type: 'qr', data: d })),
    );
    await fc.assert(
      fc.asyncProperty(
        input,
        noise,
        fc.constantFrom<'enter' | 'tab'>('enter', 'tab'),
        fc.option(fc.constant(1), { nil: undefined }),
        async (cred, n, suffix, reportId) => {
          const reports = encodeKeyboardText(cred.data, { ...n, rng: seededRng(n.seed), suffix, ...(reportId ? { reportId } : {}) });
          expect(await throughDriver('hid-keyboard', reports)).toEqual([cred]);
        },
      ),
      { numRuns: 120 },
    );
  });

  it('HID POS: any UTF-8 payload, split across continued reports', async () => {
    const input = fc.oneof(
      memberNo.map((d): [Credential, string] => [{ type: 'member_no', data: d }, ']C0']),
      pan.map((d): [Credential, string] => [{ type: 'card_number', data: d }, ']C0']),
      unicodeQr.map((d): [Credential, string] => [{ type: 'qr', data: d }, ']Q1']),
    );
    await fc.assert(
      fc.asyncProperty(input, fc.constantFrom('\r', '\n', '\r\n', ''), async ([cred, aim], suffix) => {
        const reports = encodeHidPos(cred.data, aim, suffix).map((bytes, i) => ({ atMs: i * 8, bytes }));
        expect(await throughDriver('hid-pos', reports)).toEqual([cred]);
      }),
      { numRuns: 120 },
    );
  });

  it('MSR: a PAN or member number on the stripe arrives as its track 2, from HID and keyboard readers, even with track 1 unreadable', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(pan, memberNo), fc.boolean(), noise, async (cardNo, t1bad, n) => {
        const { track1, track2 } = cardTracks(cardNo);
        const spec = { track1, track2, status: [t1bad ? 1 : 0, 0, 0] as [number, number, number] };
        const want: Credential = { type: 'card_track', data: track2 };
        expect(await throughDriver('msr-hid', [{ atMs: 0, bytes: encodeMagtekSwipe(spec) }])).toEqual([want]);
        const typed = encodeKeyboardText(msrKeyboardText(spec), { ...n, rng: seededRng(n.seed) });
        expect(await throughDriver('msr-keyboard', typed)).toEqual([want]);
      }),
      { numRuns: 80 },
    );
  });
});
