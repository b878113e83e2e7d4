/** Money is an integer number of fen. Nothing on the money path is a float. */
export type Fen = number;

export function isFen(n: unknown): n is Fen {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

/** floor(amount * bps / 10000), exact for every safe amount (BigInt avoids float error above 2^53/10000). */
export function percentOf(amountFen: Fen, bps: number): Fen {
  if (amountFen * bps < Number.MAX_SAFE_INTEGER) return Math.floor((amountFen * bps) / 10000);
  return Number((BigInt(amountFen) * BigInt(bps)) / 10000n);
}

export function clamp(n: Fen, min: Fen, max: Fen): Fen {
  return n < min ? min : n > max ? max : n;
}

/** ¥1,234.50 style, for people; never parsed back. */
export function formatYuan(fen: Fen): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const yuan = Math.floor(abs / 100).toLocaleString('en-US');
  return `${sign}¥${yuan}.${String(abs % 100).padStart(2, '0')}`;
}

/** What a cashier types, "350" / "350.5" / "350.50", → fen; anything else → undefined. Parsed as text, never as a float. */
export function parseYuan(s: string): Fen | undefined {
  const m = /^\s*(\d{1,9})(?:\.(\d{1,2}))?\s*$/.exec(s);
  if (!m) return undefined;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}
