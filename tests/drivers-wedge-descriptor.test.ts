import { describe, expect, it } from 'vitest';
import { DeviceManager, type DeviceReply, type DeviceScan } from '../drivers/device-manager.ts';
import {
  BOOT_KEYBOARD,
  COMMON_HID_POS,
  hidPosLayout,
  keyboardLayout,
  parseHidDescriptor,
  type HidDescriptor,
} from '../drivers/hid-descriptor.ts';
import { KeyboardReportDecoder, type WedgeSuffix } from '../drivers/hid-keyboard-scanner.ts';
import { HidPosDecoder, REPLY_WINDOW_MS } from '../drivers/hid-pos-scanner.ts';
import type { ScanOutcome } from '../drivers/scan-result.ts';
import { FakeClock } from '../simulator/fake-clock.ts';
import { FakeHidBus } from '../simulator/fake-transport.ts';
import { encodeHidPos } from '../simulator/hid-pos-encoder.ts';
import { encodeKeyboardText } from '../simulator/keyboard-encoder.ts';

// Descriptors written from the HID 1.11 specification (Appendix B.1, the boot keyboard) and the HID POS
// usage tables (page 0x8C), item by item, not produced by the parser under test.
const hex = (s: string) =>
  Uint8Array.from(
    s
      .trim()
      .split(/\s+/)
      .map((h) => parseInt(h, 16)),
  );
const KEYS = '05 07 19 e0 29 e7 15 00 25 01 75 01 95 08 81 02'; // eight modifier bits
const BOOT = hex(
  `05 01 09 06 a1 01 ${KEYS} 95 01 75 08 81 01 95 05 75 01 05 08 19 01 29 05 91 02 95 01 75 03 91 01 95 06 75 08 15 00 25 65 05 07 19 00 29 65 81 00 c0`,
);
const FIVE_AND_VENDOR = hex(
  `05 01 09 06 a1 01 ${KEYS} 95 01 75 08 81 01 05 07 19 00 2a ff 00 95 05 75 08 15 00 26 ff 00 81 00 05 ff 09 03 75 08 95 01 81 02 c0`,
);
const NUMBERED = hex(
  `05 01 09 06 a1 01 85 01 ${KEYS} 95 01 75 08 81 01 95 06 75 08 15 00 25 65 05 07 19 00 29 65 81 00 c0 05 0c 09 01 a1 01 85 02 15 00 25 01 75 01 95 10 09 e9 09 ea 81 02 c0`,
);
const HID_POS = hex(
  '05 8c 09 02 a1 01 09 12 a1 02 85 02 15 00 26 ff 00 75 08 95 01 81 02 95 03 09 fb 09 fc 09 fd 81 02 95 38 09 fe 82 02 01 06 66 ff 95 02 09 01 81 02 05 8c 75 01 95 01 25 01 09 ff 81 02 75 07 81 03 c0 c0',
);

const parsed = (b: Uint8Array): HidDescriptor => {
  const d = parseHidDescriptor(b);
  if ('error' in d) throw new Error(d.error);
  return d;
};
const feed = (dec: KeyboardReportDecoder, reports: Array<{ atMs: number; bytes: Uint8Array }>): ScanOutcome[] => [
  ...reports.flatMap((r) => dec.push(r.bytes, r.atMs)),
  ...dec.tick(1e9),
  ...dec.flush(),
];

describe('HID report descriptor parser', () => {
  it('finds the boot keyboard layout: modifiers, reserved byte, six key slots', () => {
    const d = parsed(BOOT);
    expect(d.applications).toEqual([0x00010006]);
    expect(keyboardLayout(d)).toEqual(BOOT_KEYBOARD);
  });
  it('five key slots and a vendor byte: the eighth byte is not a key', () => {
    expect(keyboardLayout(parsed(FIVE_AND_VENDOR))).toEqual({ ...BOOT_KEYBOARD, keySlots: 5 });
  });
  it('numbered reports on a composite keyboard: report ID first, consumer keys in another report', () => {
    const d = parsed(NUMBERED);
    expect(d.numbered).toBe(true);
    expect(keyboardLayout(d)).toEqual({ reportId: 1, length: 9, modifiersByte: 1, keysByte: 3, keySlots: 6 });
  });
  it('a HID POS scanned-data report gives the common 64-byte layout', () => {
    expect(hidPosLayout(parsed(HID_POS))).toEqual(COMMON_HID_POS);
  });
  it('a broken descriptor is an error, not an exception', () => {
    expect(parseHidDescriptor(hex('05 01 c0'))).toEqual({ error: 'End Collection without Collection' });
    expect(parseHidDescriptor(hex('75'))).toMatchObject({ error: expect.stringContaining('cut off') });
    expect(parseHidDescriptor(hex('b4'))).toEqual({ error: 'Pop without Push' });
  });
});

describe('keyboard-wedge suffixes', () => {
  it.each(['cr', 'lf', 'crlf', 'lfcr', 'tab'] as const)('a scanner ending with %s gives one code and no SCAN_INCOMPLETE', (suffix) => {
    const reports = encodeKeyboardText('5133000017', { suffix });
    expect(feed(new KeyboardReportDecoder(), reports)).toEqual([{ ok: true, credential: { type: 'member_no', data: '5133000017' } }]);
  });
  it.each([
    [['crlf'], 'crlf'],
    [['lf'], 'crlf'],
    [['cr'], 'crlf'],
    [['tab'], 'tab'],
  ] as Array<[WedgeSuffix[], 'crlf' | 'tab']>)('configured per device as %j, a %s scanner still reads clean', (suffix, sends) => {
    const out = feed(new KeyboardReportDecoder({ suffix }), [
      ...encodeKeyboardText('5133000017', { suffix: sends }),
      ...encodeKeyboardText('5133000025', { suffix: sends, startMs: 500 }),
    ]);
    expect(out.map((o) => o.ok && o.credential.data)).toEqual(['5133000017', '5133000025']);
  });
  it('a Tab-only device treats Enter as part of the code, not its end', () => {
    const out = feed(
      new KeyboardReportDecoder({ suffix: ['tab'], interpret: (t) => ({ ok: true, credential: { type: 'qr', data: t } }) }),
      encodeKeyboardText('a\rb', { suffix: 'tab' }),
    );
    expect(out).toEqual([{ ok: true, credential: { type: 'qr', data: 'a\rb' } }]);
  });
});

describe('keyboard reports read through the descriptor', () => {
  it('a vendor byte of 0x04 is a phantom "a" to the 8-byte guess and nothing to the descriptor layout', () => {
    const reports = encodeKeyboardText('5133000017', { keySlots: 5, vendorByte: 0x04 });
    const guessed = feed(new KeyboardReportDecoder({ interpret: (t) => ({ ok: true, credential: { type: 'qr', data: t } }) }), reports);
    expect(guessed).toEqual([{ ok: true, credential: { type: 'qr', data: '5a133000017' } }]);
    const layout = keyboardLayout(parsed(FIVE_AND_VENDOR))!;
    expect(feed(new KeyboardReportDecoder({ layout }), reports)).toEqual([
      { ok: true, credential: { type: 'member_no', data: '5133000017' } },
    ]);
  });
  it('the device manager asks the device for its descriptor and decodes with it', async () => {
    const bus = new FakeHidBus();
    const clock = new FakeClock();
    const kbd = bus.plug({ vendorId: 0x05ac, productId: 0x0221 }, FIVE_AND_VENDOR);
    const mgr = new DeviceManager({
      devices: [{ id: 'kbd', kind: 'hid-keyboard', match: { vendorId: 0x05ac, productId: 0x0221 } }],
      open: bus.open,
      clock,
    });
    const scans: DeviceScan[] = [];
    mgr.on('scan', (s) => scans.push(s));
    mgr.start();
    await clock.advance(0);
    kbd.sendAll(encodeKeyboardText('5133000017', { keySlots: 5, vendorByte: 0x04 }));
    expect(scans.map((s) => s.outcome)).toEqual([{ ok: true, credential: { type: 'member_no', data: '5133000017' } }]);
    await mgr.stop();
  });
});

describe('scanner command replies', () => {
  const reply = (aim: string, text: string) => encodeHidPos(text, aim, '');
  it('a ]Z report and an ACK-terminated menu reply are replies', () => {
    expect(new HidPosDecoder().push(reply(']Z6', 'REVINF\x06.')[0]!)).toMatchObject([
      { ok: false, error: { code: 'SCANNER_REPLY' }, reply: { symbology: ']Z6', text: 'REVINF\x06.' } },
    ]);
    expect(new HidPosDecoder().push(reply(']X0', 'BEPLVL3\x06.')[0]!)).toMatchObject([{ ok: false, reply: { symbology: ']X0' } }]);
  });
  it('a ]X0 answer followed by its ]Z reply is a reply; a ]X0 code alone becomes a scan after the window', () => {
    const dec = new HidPosDecoder();
    expect(dec.push(reply(']X0', 'Product Name: Voyager 1602g')[0]!, 0)).toEqual([]);
    expect(dec.push(reply(']Z6', 'REVINF\x06.')[0]!, 10).map((o) => !o.ok && o.error.code)).toEqual(['SCANNER_REPLY', 'SCANNER_REPLY']);
    expect(dec.push(reply(']X0', 'HK1.abc')[0]!, 1000)).toEqual([]);
    expect(dec.deadline).toBe(1000 + REPLY_WINDOW_MS);
    expect(dec.tick(1000 + REPLY_WINDOW_MS)).toEqual([{ ok: true, credential: { type: 'qr', data: 'HK1.abc' }, symbology: ']X0' }]);
  });
  it('the device manager emits replies as reply events and never as scans', async () => {
    const bus = new FakeHidBus();
    const clock = new FakeClock();
    const pos = bus.plug({ vendorId: 0x0c2e, productId: 0x0b41 });
    const mgr = new DeviceManager({
      devices: [{ id: 'pos', kind: 'hid-pos', match: { vendorId: 0x0c2e, productId: 0x0b41 } }],
      open: bus.open,
      clock,
    });
    const scans: DeviceScan[] = [];
    const replies: DeviceReply[] = [];
    mgr.on('scan', (s) => scans.push(s));
    mgr.on('reply', (r) => replies.push(r));
    mgr.start();
    await clock.advance(0);
    pos.sendAll([...reply(']X0', 'Product Name: Voyager 1602g'), ...reply(']Z6', 'REVINF\x06.')]);
    pos.sendAll(encodeHidPos('5133000017', ']Q1'));
    await clock.advance(REPLY_WINDOW_MS * 2);
    expect(replies.map((r) => r.reply.symbology)).toEqual([']X0', ']Z6']);
    expect(scans.map((s) => s.outcome)).toEqual([{ ok: true, credential: { type: 'member_no', data: '5133000017' }, symbology: ']Q1' }]);
    await mgr.stop();
  });
});
