/**
 * CSV for spreadsheets: UTF-8 with BOM (Excel in zh-CN otherwise guesses GBK), every field quoted,
 * and text starting with = + - @ TAB CR prefixed with ' so no cell runs as a formula (OWASP CSV injection).
 */
const BOM = '\ufeff';

function cell(v: unknown): string {
  let s = v === undefined || v === null ? '' : String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}

export function toCsv(header: readonly string[], rows: Iterable<readonly unknown[]>): string {
  const out = [header.map(cell).join(',')];
  for (const r of rows) out.push(r.map(cell).join(','));
  return `${BOM + out.join('\r\n')}\r\n`;
}
