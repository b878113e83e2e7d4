import { parseAimId } from './aim.ts';
import { classifyScan } from './classify.ts';
import { KEY_ENTER, KEY_ERROR_ROLLOVER, KEY_TAB, KEYPAD_ENTER, MOD_ALT, keypadDigit, usageToChar } from './hid-usage-us.ts';
import { BOOT_KEYBOARD, type KeyboardLayout } from './hid-descriptor.ts';
import { scanError, type ScanOutcome } from './scan-result.ts';

/**
 * What a scanner types after each code. Enter is CR; Ctrl+J (how a wedge types LF) is LF; `enter` is
 * the old name for `cr`. Two-character suffixes finish the code on their first character and swallow
 * the second, so a CR LF scanner gives one code and nothing else.
 */
export type WedgeSuffix = 'cr' | 'lf' | 'crlf' | 'lfcr' | 'tab' | 'enter';
export const WEDGE_SUFFIXES: readonly WedgeSuffix[] = ['cr', 'lf', 'crlf', 'lfcr', 'tab'];

export interface KeyboardDecoderOptions {
  /** Suffixes that end a code, per device. Default all of CR, LF, CR LF, LF CR and Tab. */
  suffix?: ReadonlyArray<WedgeSuffix>;
  /** Where the report keeps modifiers and keys, from the device's report descriptor (`keyboardLayout`). */
  layout?: KeyboardLayout;
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
 * Turns keyboard input reports into typed lines: 8-byte boot reports (modifiers, reserved, six key slots)
 * unless a layout read from the report descriptor says otherwise (an Apple keyboard has five slots and a
 * vendor byte). Each report is the full set of keys down, so a press is a usage not in the previous report.
 */
export class KeyboardReportDecoder {
  private prev = new Set<number>();
  private buf = '';
  private altDigits = '';
  private lastKeyAt = -Infinity;
  private readonly ends: ReadonlySet<string>;
  private readonly timeoutMs: number;
  private readonly layout: KeyboardLayout | undefined;

  constructor(private readonly opts: KeyboardDecoderOptions = {}) {
    const chars: Record<WedgeSuffix, string> = { cr: '\r', enter: '\r', lf: '\n', crlf: '\r\n', lfcr: '\n\r', tab: '\t' };
    this.ends = new Set((opts.suffix ?? WEDGE_SUFFIXES).flatMap((k) => [...chars[k]]));
    this.timeoutMs = opts.timeoutMs ?? 200;
    this.layout = opts.layout;
  }

  get pending(): boolean {
    return this.buf.length > 0;
  }

  /** Feed one input report received at `atMs` (any monotonic clock). */
  push(report: Uint8Array, atMs: number): ScanOutcome[] {
    const out = this.tick(atMs);
    const body = this.unwrap(report);
    if (!body) return out;
    const layout = this.layout ?? BOOT_KEYBOARD;
    const mods = layout.modifiersByte === undefined ? 0 : (body[layout.modifiersByte] ?? 0);
    const slots = Array.from(body.subarray(layout.keysByte, layout.keysByte + layout.keySlots));
    const keys = slots.filter((k) => k !== 0);
    // ErrorRollOver: too many keys down for the report; it says nothing about which, so keep the old state.
    if (keys.length > 0 && keys.length === slots.length && keys.every((k) => k === KEY_ERROR_ROLLOVER)) return out;
    const now = new Set(keys);
    if ((mods & MOD_ALT) === 0 && this.altDigits) {
      // Alt released after Alt+keypad digits: Windows-style character entry some scanners use for GS.
      this.buf += String.fromCharCode(Number(this.altDigits) & 0xff);
      this.altDigits = '';
    }
    for (const k of keys) {
      if (this.prev.has(k)) continue; // held from the previous report: one press, not two
      const digit = keypadDigit(k);
      if ((mods & MOD_ALT) !== 0 && digit !== undefined) {
        this.lastKeyAt = atMs;
        this.altDigits += digit;
        continue;
      }
      const ch = k === KEY_TAB ? '\t' : k === KEY_ENTER || k === KEYPAD_ENTER ? '\r' : usageToChar(k, mods);
      if (ch === undefined) continue; // F-keys, arrows, Caps Lock: they type nothing
      // A line end with nothing before it is the second half of CR LF (or a stray Enter), whatever the configuration: not a code.
      if (this.buf.length === 0 && (ch === '\r' || ch === '\n' || this.ends.has(ch))) continue;
      if (this.ends.has(ch)) {
        out.push(this.finish());
        continue;
      }
      this.lastKeyAt = atMs;
      this.buf += ch;
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
    const l = this.layout;
    if (l) {
      // Offsets in the layout count the ID byte, so the whole report is the body.
      if (report.length < l.length) return undefined;
      return l.reportId === undefined || report[0] === l.reportId ? report : undefined;
    }
    if (this.opts.reportId !== undefined) {
      return report.length === 9 && report[0] === this.opts.reportId ? report.subarray(1) : undefined;
    }
    if (report.length === 8) return report;
    if (report.length === 9) return report.subarray(1);
    return undefined; // consumer-control and vendor reports of composite devices
  }

  private finish(): ScanOutcome {
    let text = this.buf.replace(/[\r\n]+$/, '');
    this.buf = '';
    const { prefix } = this.opts;
    if (prefix && text.startsWith(prefix)) text = text.slice(prefix.length);
    if (this.opts.interpret) return this.opts.interpret(text);
    const aim = this.opts.aimPrefix ? parseAimId(text.slice(0, 3)) : undefined;
    if (aim) text = text.slice(3);
    return classifyScan(text, aim);
  }
}
