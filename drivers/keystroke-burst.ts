/**
 * Tells a keyboard-wedge scanner from a person typing, by timing alone, for the cashier page on systems
 * where the scanner cannot be opened exclusively (macOS, Windows). Browser-safe: no imports at all.
 * Scanners type a whole code with 1–20 ms between keys and end it with Enter or Tab; people rarely
 * sustain under 30 ms per key beyond a few characters.
 */

/** A key as the page sees it: `KeyboardEvent.key` and `KeyboardEvent.timeStamp` (ms). */
export interface Keystroke {
  key: string;
  timeStamp: number;
}

export interface BurstOptions {
  /** Longest gap between two keys of one scan. Default 35 ms. */
  maxGapMs?: number;
  /** Shortest code a scanner sends (member numbers are 10). Default 6. */
  minLength?: number;
  /** Keys that end a scan. Default Enter and Tab. */
  suffix?: readonly string[];
  /** A prefix the scanner is configured to send; removed from the text when present. */
  prefix?: string;
}

export type BurstVerdict =
  | { kind: 'scan'; text: string }
  | { kind: 'typing'; reason: 'too-slow' | 'too-short' | 'no-suffix'; keys: Keystroke[] };

const defaults = { maxGapMs: 35, minLength: 6, suffix: ['Enter', 'Tab'] as readonly string[] };

/** Classifies one finished run of keystrokes (the last one should be the suffix key). */
export function classifyKeystrokes(keys: readonly Keystroke[], opts: BurstOptions = {}): BurstVerdict {
  const o = { ...defaults, ...opts };
  const last = keys[keys.length - 1];
  if (!last || !o.suffix.includes(last.key)) return { kind: 'typing', reason: 'no-suffix', keys: [...keys] };
  const body = keys.slice(0, -1);
  for (let i = 1; i < keys.length; i++) {
    if (keys[i]!.timeStamp - keys[i - 1]!.timeStamp > o.maxGapMs) return { kind: 'typing', reason: 'too-slow', keys: [...keys] };
  }
  let text = body.map((k) => k.key).join('');
  if (o.prefix && text.startsWith(o.prefix)) text = text.slice(o.prefix.length);
  if (text.length < o.minLength) return { kind: 'typing', reason: 'too-short', keys: [...keys] };
  return { kind: 'scan', text };
}

/**
 * Streaming form for a keydown handler: buffers printable keys, and on a suffix key (or a gap longer than
 * `maxGapMs`) returns a verdict. For `typing`, the page hands `keys` back to the focused field.
 */
export class KeystrokeBurstDetector {
  private keys: Keystroke[] = [];
  private readonly o: Required<Omit<BurstOptions, 'prefix'>> & Pick<BurstOptions, 'prefix'>;
  constructor(opts: BurstOptions = {}) {
    this.o = { ...defaults, ...opts };
  }

  push(k: Keystroke): BurstVerdict | undefined {
    const prev = this.keys[this.keys.length - 1];
    let stale: Extract<BurstVerdict, { kind: 'typing' }> | undefined;
    if (prev && k.timeStamp - prev.timeStamp > this.o.maxGapMs) {
      stale = { kind: 'typing', reason: 'too-slow', keys: this.keys };
      this.keys = [];
    }
    if (this.o.suffix.includes(k.key)) {
      if (stale) return { ...stale, keys: [...stale.keys, k] };
      const v = classifyKeystrokes([...this.keys, k], this.o);
      this.keys = [];
      return v;
    }
    // Only single characters make up a code; Shift, Control and the like arrive as their own events.
    if (k.key.length === 1) this.keys.push(k);
    return stale;
  }

  /** Call from a timer when no key came for a while: hands back what was buffered. */
  flush(): BurstVerdict | undefined {
    if (this.keys.length === 0) return undefined;
    const keys = this.keys;
    this.keys = [];
    return { kind: 'typing', reason: 'no-suffix', keys };
  }
}
