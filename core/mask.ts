/** Masking for anything a person, a log or an answer may see. */

/** First 6 and last 4 digits, as card schemes allow on receipts. */
export function maskPan(pan: string): string {
  if (pan.length <= 10) return '*'.repeat(pan.length);
  return pan.slice(0, 6) + '*'.repeat(pan.length - 10) + pan.slice(-4);
}

export function maskMemberNo(memberNo: string): string {
  return `${memberNo.slice(0, 4)}****${memberNo.slice(-2)}`;
}

/** 张三丰 → 张*丰, 李四 → 李*, Anna Li → A*** L*. */
export function maskName(name: string): string {
  const trimmed = name.trim();
  const chars = [...trimmed];
  if (chars.length === 0) return '';
  if (/^[\u4e00-\u9fff·]+$/u.test(trimmed)) {
    if (chars.length === 1) return chars[0]!;
    if (chars.length === 2) return `${chars[0]}*`;
    return chars[0] + '*'.repeat(chars.length - 2) + chars[chars.length - 1];
  }
  return trimmed
    .split(/\s+/)
    .map((w) => w[0] + '*'.repeat(Math.max(1, w.length - 1)))
    .join(' ');
}
