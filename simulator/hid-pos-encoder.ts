import { HID_POS_MAX_DATA, HID_POS_REPORT_ID, HID_POS_REPORT_LENGTH } from '../drivers/hid-pos-scanner.ts';

/** Data → the 64-byte HID POS reports a scanner sends: AIM id in every report, continuation bit on all but the last. */
export function encodeHidPos(data: string, aim = ']Q1', suffix = '\r'): Uint8Array[] {
  const bytes = new TextEncoder().encode(data + suffix);
  const reports: Uint8Array[] = [];
  for (let i = 0; i === 0 || i < bytes.length; i += HID_POS_MAX_DATA) {
    const chunk = bytes.subarray(i, i + HID_POS_MAX_DATA);
    const r = new Uint8Array(HID_POS_REPORT_LENGTH);
    r[0] = HID_POS_REPORT_ID;
    r[1] = chunk.length;
    r.set(new TextEncoder().encode(aim.padEnd(3, '0').slice(0, 3)), 2);
    r.set(chunk, 5);
    r[63] = i + HID_POS_MAX_DATA < bytes.length ? 0x01 : 0x00;
    reports.push(r);
  }
  return reports;
}
