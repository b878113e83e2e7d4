/** USB HID Usage Tables, Keyboard/Keypad page (0x07), US layout: usage → [unshifted, shifted]. */
export const KEY_ENTER = 0x28;
export const KEY_TAB = 0x2b;
export const KEYPAD_ENTER = 0x58;
/** Sent in every key slot when more keys are down than the report can hold: not a key at all. */
export const KEY_ERROR_ROLLOVER = 0x01;

export const MOD_LCTRL = 0x01;
export const MOD_LSHIFT = 0x02;
export const MOD_LALT = 0x04;
export const MOD_RCTRL = 0x10;
export const MOD_RSHIFT = 0x20;
export const MOD_RALT = 0x40;
export const MOD_CTRL = MOD_LCTRL | MOD_RCTRL;
export const MOD_SHIFT = MOD_LSHIFT | MOD_RSHIFT;
export const MOD_ALT = MOD_LALT | MOD_RALT;

const table = new Map<number, readonly [string, string]>();
for (let i = 0; i < 26; i++) {
  const c = String.fromCharCode(97 + i);
  table.set(0x04 + i, [c, c.toUpperCase()]);
}
for (const [i, d] of [...'1234567890'].entries()) table.set(0x1e + i, [d, '!@#$%^&*()'[i]!]);
const punct: Array<[number, string, string]> = [
  [0x2c, ' ', ' '],
  [0x2d, '-', '_'],
  [0x2e, '=', '+'],
  [0x2f, '[', '{'],
  [0x30, ']', '}'],
  [0x31, '\\', '|'],
  [0x33, ';', ':'],
  [0x34, "'", '"'],
  [0x35, '`', '~'],
  [0x36, ',', '<'],
  [0x37, '.', '>'],
  [0x38, '/', '?'],
  [0x54, '/', '/'],
  [0x55, '*', '*'],
  [0x56, '-', '-'],
  [0x57, '+', '+'],
  [0x63, '.', '.'],
];
for (const [u, a, b] of punct) table.set(u, [a, b]);
// Keypad digits: 0x59–0x61 are 1–9, 0x62 is 0 (NumLock assumed on, as scanners send them).
for (let i = 0; i < 9; i++) table.set(0x59 + i, [String(i + 1), String(i + 1)]);
table.set(0x62, ['0', '0']);

export function keypadDigit(usage: number): string | undefined {
  if (usage >= 0x59 && usage <= 0x61) return String(usage - 0x58);
  return usage === 0x62 ? '0' : undefined;
}

/** The character a key types, or undefined for keys that type nothing we use. */
export function usageToChar(usage: number, modifiers: number): string | undefined {
  const pair = table.get(usage);
  if (!pair) return undefined;
  const ch = pair[(modifiers & MOD_SHIFT) !== 0 ? 1 : 0];
  if ((modifiers & MOD_CTRL) === 0) return ch;
  // Ctrl maps @A–Z[\]^_ onto 0x00–0x1F: GS1 scanners type GS (0x1D) as Ctrl+].
  if (usage === 0x23) return '\x1e'; // Ctrl+6 is RS, as terminals treat Ctrl+^
  if (usage === 0x2d) return '\x1f'; // Ctrl+- is US, as terminals treat Ctrl+_
  const up = ch.toUpperCase().charCodeAt(0);
  return up >= 0x40 && up <= 0x5f ? String.fromCharCode(up & 0x1f) : undefined;
}

/** The reverse, for the simulator: one character → usage and modifiers, or undefined if no US key types it. */
export function charToUsage(ch: string): { usage: number; modifiers: number } | undefined {
  const code = ch.charCodeAt(0);
  if (ch === '\r' || ch === '\n') return { usage: KEY_ENTER, modifiers: 0 };
  if (ch === '\t') return { usage: KEY_TAB, modifiers: 0 };
  if (code < 0x20) {
    const base = String.fromCharCode(code | 0x40);
    if (code === 0x1e) return { usage: 0x23, modifiers: MOD_LCTRL };
    if (code === 0x1f) return { usage: 0x2d, modifiers: MOD_LCTRL };
    const k = charToUsage(base.toLowerCase());
    return k && code !== 0 ? { usage: k.usage, modifiers: MOD_LCTRL } : undefined;
  }
  for (const [usage, [a, b]] of table) {
    if (usage >= 0x54) break; // prefer the main block over the keypad
    if (a === ch) return { usage, modifiers: 0 };
    if (b === ch) return { usage, modifiers: MOD_LSHIFT };
  }
  return undefined;
}
