import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyKeystrokes, KeystrokeBurstDetector, type Keystroke } from './keystroke-burst.ts';

const burst = (text: string, gap: number, start = 0, suffix = 'Enter'): Keystroke[] =>
  [...text.split(''), suffix].map((key, i) => ({ key, timeStamp: start + i * gap }));

describe('keystroke burst classification', () => {
  it('takes a fast run ending in Enter as a scan', () => {
    expect(classifyKeystrokes(burst('5133000017', 8))).toEqual({ kind: 'scan', text: '5133000017' });
  });
  it('takes slow keys as typing, and short bursts as typing', () => {
    expect(classifyKeystrokes(burst('5133000017', 120))).toMatchObject({ kind: 'typing', reason: 'too-slow' });
    expect(classifyKeystrokes(burst('12', 5))).toMatchObject({ kind: 'typing', reason: 'too-short' });
    expect(classifyKeystrokes(burst('5133000017', 5).slice(0, -1))).toMatchObject({ kind: 'typing', reason: 'no-suffix' });
  });
  it('streams: typing first, then a scan, with Shift events ignored', () => {
    const d = new KeystrokeBurstDetector({ prefix: '#' });
    expect(d.push({ key: 'a', timeStamp: 0 })).toBeUndefined();
    expect(d.push({ key: 'b', timeStamp: 300 })).toMatchObject({ kind: 'typing', reason: 'too-slow', keys: [{ key: 'a' }] });
    d.flush();
    const verdicts = [{ key: 'Shift', timeStamp: 1000 }, ...burst('#HK1.abc', 6, 1001)].map((k) => d.push(k)).filter(Boolean);
    expect(verdicts).toEqual([{ kind: 'scan', text: 'HK1.abc' }]);
  });
  it('is browser-safe: imports nothing', () => {
    const src = readFileSync(new URL('./keystroke-burst.ts', import.meta.url), 'utf8');
    expect(src).not.toMatch(/^\s*import\s/m);
  });
});
