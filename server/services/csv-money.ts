/** Money for spreadsheets: yuan with exactly two decimals, from integer fen without floats ("1234.50"). */
export function yuanCell(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const a = Math.abs(fen);
  return `${sign}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
}
