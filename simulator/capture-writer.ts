import type { TimedReport } from './timed-report.ts';

export interface CaptureHeader {
  name?: string;
  /** Written as `I: 3 <vendor> <product>` (bus 3 is USB). */
  vendorId?: number;
  productId?: number;
  /** The report descriptor bytes, written as an `R:` line. */
  descriptor?: Uint8Array;
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

/** hid-recorder's text format, which `huika decode` and hid-tools' hid-replay read. */
export function formatHidRecorder(reports: TimedReport[], header: CaptureHeader = {}): string {
  const lines: string[] = [];
  if (header.descriptor) lines.push(`R: ${header.descriptor.length} ${hex(header.descriptor)}`);
  if (header.name) lines.push(`N: ${header.name}`);
  if (header.vendorId !== undefined && header.productId !== undefined) {
    lines.push(`I: 3 ${header.vendorId.toString(16).padStart(4, '0')} ${header.productId.toString(16).padStart(4, '0')}`);
  }
  for (const r of reports) {
    const us = Math.round(r.atMs * 1000);
    const stamp = `${String(Math.floor(us / 1e6)).padStart(6, '0')}.${String(us % 1e6).padStart(6, '0')}`;
    lines.push(`E: ${stamp} ${r.bytes.length} ${hex(r.bytes)}`);
  }
  return `${lines.join('\n')}\n`;
}
