/**
 * Receipt numbers as people read them (Redemption.receiptNo): eight digits, 00000042, counting commits
 * only, so the numbers a merchant or an auditor sees run on without gaps; a void keeps its receipt's
 * number and shows as voided. A redemption from a server before receipt numbers shows its record id.
 */
export function receiptNoText(r: { receiptNo?: number | undefined; id: string }): string {
  return r.receiptNo === undefined ? r.id : String(r.receiptNo).padStart(8, '0');
}

/** What a person typed to find a receipt: digits are a receipt number (leading zeros allowed), anything else a record id. */
export function parseReceiptQuery(text: string): { receiptNo: number } | { id: string } | undefined {
  const t = text.trim().replace(/^No\.?\s*/i, '');
  if (!t) return undefined;
  if (/^\d{1,15}$/.test(t)) return Number(t) > 0 ? { receiptNo: Number(t) } : undefined;
  return { id: t };
}
