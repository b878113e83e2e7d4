import type { CardProfile } from '../core/credentials.ts';
import { parseAimId } from './aim.ts';
import { classifyScan } from './classify.ts';
import { COMMON_HID_POS, type HidPosLayout } from './hid-descriptor.ts';
import { scanError, scannerReply, type ScanOutcome } from './scan-result.ts';

/** HID POS barcode scanner (usage page 0x8C, usage 0x02), in the common vendor layout (docs/DRIVERS.md). */
export const HID_POS_USAGE_PAGE = 0x8c;
export const HID_POS_USAGE = 0x02;
export const HID_POS_REPORT_ID = COMMON_HID_POS.reportId;
export const HID_POS_REPORT_LENGTH = COMMON_HID_POS.length;
/** Data lives in bytes 5–60; bytes 61–62 are vendor bytes (Honeywell puts its own code id there). */
export const HID_POS_MAX_DATA = COMMON_HID_POS.dataCapacity;

/** How long a `]X0` message waits for the `]Z` command reply that may close it (Honeywell sends it 10 ms later). */
export const REPLY_WINDOW_MS = 100;

export interface HidPosOptions {
  profiles?: readonly CardProfile[];
  /** From the device's report descriptor (`hidPosLayout`); default the common 64-byte layout. */
  layout?: HidPosLayout;
}

// Honeywell menu replies end with the command's status, ACK, ENQ (unknown command) or NAK (bad value), then `.` or `!`.
const MENU_STATUS = /[\x05\x06\x15][.!]$/;

/**
 * Joins continued reports into one code and classifies it. Stateful (a code may span reports);
 * feed reports in order with `push`, call `tick` as time passes and `flush` when the device goes away.
 *
 * Command replies and status reports are told apart from scans: AIM `]Z` is "not from a bar code" (ISO/IEC
 * 15424), and a text ending in ACK/ENQ/NAK plus `.`/`!` is a Honeywell menu reply. A `]X0` message (what
 * Honeywell sends a menu query's answer as) is held for REPLY_WINDOW_MS: if a `]Z` reply follows, both are
 * replies; otherwise it is a scan. Replies come out as SCANNER_REPLY outcomes, never as credentials.
 */
export class HidPosDecoder {
  private parts: Uint8Array[] = [];
  private aim = '';
  private held: { aim: string; text: string; at: number } | undefined;
  private readonly layout: HidPosLayout;
  constructor(private readonly opts: HidPosOptions = {}) {
    this.layout = opts.layout ?? COMMON_HID_POS;
  }

  get pending(): boolean {
    return this.parts.length > 0 || this.held !== undefined;
  }

  /** When a held `]X0` message becomes a scan, for callers that schedule a timer. */
  get deadline(): number | undefined {
    return this.held ? this.held.at + REPLY_WINDOW_MS : undefined;
  }

  push(report: Uint8Array, atMs = 0): ScanOutcome[] {
    const L = this.layout;
    // Other report IDs on the same interface are status or vendor reports, not scans.
    if (report[0] !== L.reportId) return [];
    const out = this.tick(atMs);
    if (report.length < L.length) {
      return [...out, ...this.flush(), scanError('SCAN_GARBLED', `a HID POS report is ${L.length} bytes, got ${report.length}`)];
    }
    const len = report[L.lengthByte]!;
    if (len > L.dataCapacity) {
      this.parts = [];
      return [...out, scanError('SCAN_GARBLED', `report claims ${len} data bytes, at most ${L.dataCapacity} fit; scan again`)];
    }
    const aim = String.fromCharCode(report[L.aimByte]!, report[L.aimByte + 1]!, report[L.aimByte + 2]!);
    if (this.parts.length === 0) this.aim = aim;
    this.parts.push(report.subarray(L.dataByte, L.dataByte + len));
    if ((report[L.continuedByte]! & (1 << L.continuedBit)) !== 0) return out;
    return [...out, ...this.finish(atMs)];
  }

  /** Call as time passes: a held `]X0` message with no reply after it is a scan after all. */
  tick(nowMs: number): ScanOutcome[] {
    if (!this.held || nowMs - this.held.at < REPLY_WINDOW_MS) return [];
    const h = this.held;
    this.held = undefined;
    return [this.classify(h.text, h.aim)];
  }

  /** The device went quiet or away: a held message is released, a continued code half-read is cut off. */
  flush(): ScanOutcome[] {
    const out: ScanOutcome[] = [];
    if (this.held) out.push(this.classify(this.held.text, this.held.aim));
    this.held = undefined;
    if (this.parts.length > 0) out.push(scanError('SCAN_INCOMPLETE', 'the scanner stopped in the middle of a code; scan again'));
    this.parts = [];
    return out;
  }

  private finish(atMs: number): ScanOutcome[] {
    const bytes = Buffer.concat(this.parts);
    this.parts = [];
    // Scanners append a configurable suffix (CR, LF or both); it frames the code, it is not data.
    const text = new TextDecoder('utf-8').decode(bytes).replace(/[\r\n]+$/, '');
    const aim = this.aim;
    const out: ScanOutcome[] = [];
    if (aim.startsWith(']Z') || MENU_STATUS.test(text)) {
      if (this.held) out.push(scannerReply({ symbology: this.held.aim, text: this.held.text }));
      this.held = undefined;
      out.push(scannerReply({ symbology: aim, text }));
      return out;
    }
    if (this.held) out.push(this.classify(this.held.text, this.held.aim));
    this.held = undefined;
    if (aim === ']X0') {
      this.held = { aim, text, at: atMs };
      return out;
    }
    out.push(this.classify(text, aim));
    return out;
  }

  private classify(text: string, aim: string): ScanOutcome {
    return classifyScan(text, parseAimId(aim), this.opts.profiles);
  }
}

/** Honeywell scanners ship in keyboard mode on some firmware; this feature report switches them to HID POS. */
export const HONEYWELL_VENDOR_ID = 0x0c2e;
export const HONEYWELL_HID_POS_MODE = Uint8Array.of(0xfe, 0x01);
