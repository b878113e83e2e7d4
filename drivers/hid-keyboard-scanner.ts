import { parseAimId } from './aim.ts';
import { classifyScan } from './classify.ts';
import {
  KEY_ENTER,
  KEY_ERROR_ROLLOVER,
  KEY_TAB,
  KEYPAD_ENTER,
  MOD_ALT,
  keypadDigit,
  usageToChar,
} from './hid-usage-us.ts';
import { scanError, type ScanOutcome } from './scan-result.ts';

export interface KeyboardDecoderOptions {
  /** Keys that end a code; scanners are usually set to Enter, some to Tab. Default both. */
  suffix?: ReadonlyArray<'enter' | 'tab'>;
  /** A configured prefix the scanner types first; stripped when present. */
  prefix?: string;
  /** The scanner prefixes the AIM symbology id (`]Q1`…) to each code. */
  aimPrefix?: boolean;
  /** A code with no suffix this long after its last key is reported as cut off. Default 200 ms. */
  timeoutMs?: number;
  /** Report ID the device numbers its keyboard reports with; without it 9-byte reports are taken to carry one. */
  reportId?: number;
  /** What a finished line means; default: classify as a scan (member_no, card_number, card_track, qr). */
  interpret?: (text: string) => ScanOutcome;
}

/**
 * Turns 8-byte boot keyboard reports (modifiers, reserved, six key slots) into typed lines.
 * Each report is the full set of keys down, so a key press is a usage that was not in the previous report.
 */
export class KeyboardReportDecoder {
  private prev = new Set<number>();
  private buf = '';
  private altDigits = '';
  private lastKeyAt = -Infinity;
  private readonly suffix: ReadonlySet<number>;
  private readonly timeoutMs: number;

  constructor(private readonly opts: KeyboardDecoderOptions = {}) {
    const s = opts.suffix ?? ['enter', 'tab'];
    this.suffix = new Set(s.flatMap((k) => (k === 'enter' ? [KEY_ENTER, KEYPAD_ENTER] : [KEY_TAB])));
    this.timeoutMs = opts.timeoutMs ?? 200;
  }

  get pending(): boolean {
    return this.buf.length > 0;
  }

  /** Feed one input report received at `atMs` (any monotonic clock). */
  push(report: Uint8Array, atMs: number): ScanOutcome[] {
    const out = this.tick(atMs);
    const body = this.unwrap(report);
    if (!body) return out;
    const mods = body[0]!;
    const keys = Array.from(body.subarray(2, 8)).filter((k) => k !== 0);
    // ErrorRollOver: too many keys down for the report; it says nothing about which, so keep the old state.
    if (keys.length === 6 && keys.every((k) => k === KEY_ERROR_ROLLOVER)) return out;
    const now = new Set(keys);
    if ((mods & MOD_ALT) === 0 && this.altDigits) {
      // Alt released after Alt+keypad digits: Windows-style character entry some scanners use for GS.
      this.buf += String.fromCharCode(Number(this.altDigits) & 0xff);
      this.altDigits = '';
    }
    for (const k of keys) {
      if (this.prev.has(k)) continue; // held from the previous report: one press, not two
      this.lastKeyAt = atMs;
      if (this.suffix.has(k)) {
        out.push(this.finish());
        continue;
      }
      const digit = keypadDigit(k);
      if ((mods & MOD_ALT) !== 0 && digit !== undefined) {
        this.altDigits += digit;
        continue;
      }
      const ch = k === KEY_TAB ? '\t' : k === KEY_ENTER ? '\r' : usageToChar(k, mods);
      if (ch !== undefined) this.buf += ch;
    }
    this.prev = now;
    return out;
  }

  /** Call when time passes with no report; reports a code that never got its suffix. */
  tick(nowMs: number): ScanOutcome[] {
    if (!this.pending || nowMs - this.lastKeyAt <= this.timeoutMs) return [];
    return this.flush();
  }

  /** The device went away, or the caller gave up: drop a half-typed code with an error. */
  flush(): ScanOutcome[] {
    const had = this.buf.length > 0 || this.altDigits.length > 0;
    this.buf = '';
    this.altDigits = '';
    this.prev = new Set();
    return had ? [scanError('SCAN_INCOMPLETE', 'the code was cut off before its end; scan again')] : [];
  }

  /** When the current line would time out, for callers that schedule a timer. */
  get deadline(): number | undefined {
    return this.pending ? this.lastKeyAt + this.timeoutMs : undefined;
  }

  private unwrap(report: Uint8Array): Uint8Array | undefined {
    if (this.opts.reportId !== undefined) {
      return report.length === 9 && report[0] === this.opts.reportId ? report.subarray(1) : undefined;
    }
    if (report.length === 8) return report;
    if (report.length === 9) return report.subarray(1);
    return undefined; // consumer-control and vendor reports of composite devices
  }

  private finish(): ScanOutcome {
    let text = this.buf;
    this.buf = '';
    const { prefix } = this.opts;
    if (prefix && text.startsWith(prefix)) text = text.slice(prefix.length);
    if (this.opts.interpret) return this.opts.interpret(text);
    const aim = this.opts.aimPrefix ? parseAimId(text.slice(0, 3)) : undefined;
    if (aim) text = text.slice(3);
    return classifyScan(text, aim);
  }
}
