import type { CardProfile } from '../core/credentials.ts';
import { parseAimId } from './aim.ts';
import { classifyScan } from './classify.ts';
import { scanError, type ScanOutcome } from './scan-result.ts';

/** HID POS barcode scanner (usage page 0x8C, usage 0x02), in the common vendor layout (docs/DRIVERS.md). */
export const HID_POS_USAGE_PAGE = 0x8c;
export const HID_POS_USAGE = 0x02;
export const HID_POS_REPORT_ID = 0x02;
export const HID_POS_REPORT_LENGTH = 64;
/** Data lives in bytes 5–60; bytes 61–62 are vendor bytes (Honeywell puts its own code id there). */
export const HID_POS_MAX_DATA = 56;
const DATA_OFFSET = 5;
const FLAGS_OFFSET = 63;

export interface HidPosOptions {
  profiles?: readonly CardProfile[];
}

/**
 * Joins continued reports into one code and classifies it. Stateful (a code may span reports);
 * feed reports in order with `push`, call `flush` when the device goes quiet or away.
 */
export class HidPosDecoder {
  private parts: Uint8Array[] = [];
  private aim = '';
  constructor(private readonly opts: HidPosOptions = {}) {}

  get pending(): boolean {
    return this.parts.length > 0;
  }

  push(report: Uint8Array): ScanOutcome[] {
    // Other report IDs on the same interface are status or vendor reports, not scans.
    if (report[0] !== HID_POS_REPORT_ID) return [];
    if (report.length < HID_POS_REPORT_LENGTH) {
      return [...this.flush(), scanError('SCAN_GARBLED', `a HID POS report is ${HID_POS_REPORT_LENGTH} bytes, got ${report.length}`)];
    }
    const len = report[1]!;
    if (len > HID_POS_MAX_DATA) {
      this.parts = [];
      return [scanError('SCAN_GARBLED', `report claims ${len} data bytes, at most ${HID_POS_MAX_DATA} fit; scan again`)];
    }
    const aim = String.fromCharCode(report[2]!, report[3]!, report[4]!);
    if (this.parts.length === 0) this.aim = aim;
    this.parts.push(report.subarray(DATA_OFFSET, DATA_OFFSET + len));
    if ((report[FLAGS_OFFSET]! & 0x01) !== 0) return [];
    return [this.finish()];
  }

  /** The device went quiet or away in the middle of a continued code: report it as cut off. */
  flush(): ScanOutcome[] {
    if (this.parts.length === 0) return [];
    this.parts = [];
    return [scanError('SCAN_INCOMPLETE', 'the scanner stopped in the middle of a code; scan again')];
  }

  private finish(): ScanOutcome {
    const bytes = Buffer.concat(this.parts);
    this.parts = [];
    // Scanners append a configurable suffix (CR, LF or both); it frames the code, it is not data.
    const text = new TextDecoder('utf-8').decode(bytes).replace(/[\r\n]+$/, '');
    return classifyScan(text, parseAimId(this.aim), this.opts.profiles);
  }
}

/** Honeywell scanners ship in keyboard mode on some firmware; this feature report switches them to HID POS. */
export const HONEYWELL_VENDOR_ID = 0x0c2e;
export const HONEYWELL_HID_POS_MODE = Uint8Array.of(0xfe, 0x01);
