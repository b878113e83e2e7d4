import { charToUsage, KEY_ENTER, KEY_ERROR_ROLLOVER, KEY_TAB, MOD_LCTRL, MOD_LSHIFT } from '../drivers/hid-usage-us.ts';
import { between, seededRng, type Rng } from './rng.ts';
import type { TimedReport } from './timed-report.ts';

export interface KeyboardEncodeOptions {
  /** What the scanner types after the code: Enter (CR), Ctrl+Shift+J (LF, as node-hid issue 323's scanner does), both, Tab, or nothing. */
  suffix?: 'enter' | 'cr' | 'lf' | 'crlf' | 'lfcr' | 'tab' | 'none';
  /** Key slots in each report: 6 on a boot keyboard, 5 on keyboards that spend the last byte on a vendor field. */
  keySlots?: number;
  /** The vendor byte after the key slots (with keySlots 5), e.g. the Apple keyboard's Fn state. */
  vendorByte?: number;
  prefix?: string;
  /** Prefix the report ID byte (9-byte reports), as composite scanners do. */
  reportId?: number;
  /** Chance that the next key goes down before the previous one is released (rollover). */
  rollover?: number;
  /** Chance of an ErrorRollOver report (0x01 in every slot) between keys. */
  errorRollover?: number;
  /** Chance that a key-down report is sent twice (a held key seen in two polls). */
  repeat?: number;
  /** Gap between reports; real scanners send one every 1–20 ms (USB poll interval and firmware pacing). */
  gapMs?: [number, number];
  rng?: Rng;
  startMs?: number;
}

/** Text → the boot keyboard reports a keyboard-wedge scanner sends. Characters no US key types are dropped. */
export function encodeKeyboardText(text: string, opts: KeyboardEncodeOptions = {}): TimedReport[] {
  const rng = opts.rng ?? seededRng(1);
  const [lo, hi] = opts.gapMs ?? [1, 20];
  let at = opts.startMs ?? 0;
  const out: TimedReport[] = [];
  const slots = opts.keySlots ?? 6;
  const send = (mods: number, keys: number[]) => {
    const body = Uint8Array.of(
      mods,
      0,
      ...keys,
      ...new Array(slots - keys.length).fill(0),
      ...(slots < 6 ? new Array(6 - slots).fill(opts.vendorByte ?? 0) : []),
    );
    out.push({ atMs: at, bytes: opts.reportId === undefined ? body : Uint8Array.of(opts.reportId, ...body) });
    at += between(rng, lo, hi);
  };
  const strokes = [...(opts.prefix ?? ''), ...text]
    .map((c) => charToUsage(c))
    .filter((k): k is { usage: number; modifiers: number } => k !== undefined);
  const CR = { usage: KEY_ENTER, modifiers: 0 };
  const LF = { usage: 0x0d, modifiers: MOD_LCTRL | MOD_LSHIFT }; // Ctrl+J; this scanner holds Shift too
  const suffixKeys = { enter: [CR], cr: [CR], lf: [LF], crlf: [CR, LF], lfcr: [LF, CR], tab: [{ usage: KEY_TAB, modifiers: 0 }], none: [] };
  strokes.push(...suffixKeys[opts.suffix ?? 'enter']);
  let down: { usage: number; modifiers: number } | undefined;
  for (const k of strokes) {
    // Rollover only between different keys with the same modifiers; the same key must be released to repeat.
    if (down && down.usage !== k.usage && down.modifiers === k.modifiers && rng() < (opts.rollover ?? 0)) {
      send(k.modifiers, [down.usage, k.usage]);
    } else if (down) {
      send(0, []);
    }
    if (rng() < (opts.errorRollover ?? 0)) send(k.modifiers, new Array(slots).fill(KEY_ERROR_ROLLOVER));
    send(k.modifiers, [k.usage]);
    if (rng() < (opts.repeat ?? 0)) send(k.modifiers, [k.usage]);
    down = k;
  }
  if (down) send(0, []);
  return out;
}
