/**
 * The few lines a till prints for a member redemption, and the QR the member scans to check it. Columns
 * line up on a 32-column (58 mm) printer and in the page's monospace box: a Chinese character takes two.
 */
import { formatYuan } from '../core/money.ts';
import { receiptNoText } from '../core/receipt-no.ts';
import { isoInZone } from '../core/local-time.ts';
import type { Checkout } from '../core/wire-checkout.ts';

type AnyRedemption = NonNullable<Checkout['redemption']>;

export const RECEIPT_WIDTH = 32;

/** Columns a string takes in a monospace font: CJK, fullwidth forms and ¥-like wide signs count two. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    w +=
      (c >= 0x1100 && c <= 0x115f) ||
      (c >= 0x2e80 && c <= 0xa4cf) ||
      (c >= 0xac00 && c <= 0xd7a3) ||
      (c >= 0xf900 && c <= 0xfaff) ||
      (c >= 0xfe30 && c <= 0xfe4f) ||
      (c >= 0xff00 && c <= 0xff60) ||
      (c >= 0xffe0 && c <= 0xffe6)
        ? 2
        : 1;
  }
  return w;
}

/** A label on the left and a figure on the right, padded to the receipt's width (one space at least). */
export function receiptRow(label: string, value: string, width = RECEIPT_WIDTH): string {
  return `${label}${' '.repeat(Math.max(1, width - displayWidth(label) - displayWidth(value)))}${value}`;
}

/** 2026-11-25 12:00:00 +08:00, as the portals show a time. */
export function receiptTime(iso: string, timeZone: string): string {
  const s = isoInZone(new Date(iso), timeZone);
  return `${s.slice(0, 10)} ${s.slice(11, 19)} ${s.slice(19)}`;
}

export function receiptFor(
  r: AnyRedemption,
  serverUrl: string,
  storeName: string,
  timeZone = 'Asia/Shanghai',
): NonNullable<Checkout['receipt']> {
  const merchantFen = r.lines.reduce((s, l) => s + l.funding.merchantFen, 0);
  const unionFen = r.lines.reduce((s, l) => s + l.funding.unionFen, 0);
  const lines = [
    `惠卡会员优惠 Huika member discount`,
    storeName,
    receiptTime(r.createdAt, timeZone),
    receiptRow('会员 Member', r.memberNoMasked),
    receiptRow('消费 Amount', formatYuan(r.amountFen)),
    ...r.lines.map((l) => receiptRow(`  ${l.title}`, `-${formatYuan(l.discountFen)}`)),
    ...(merchantFen > 0 ? [receiptRow('商户优惠 Merchant', `-${formatYuan(merchantFen)}`)] : []),
    // No "工会补贴 -¥0.00": a line for money that is not there only makes people ask.
    ...(unionFen > 0 ? [receiptRow('工会补贴 Union', `-${formatYuan(unionFen)}`)] : []),
    receiptRow('实付 Pay', formatYuan(r.payableFen)),
    r.status === 'queued' ? `离线记录，待上传 Offline, to be uploaded: ${r.idempotencyKey}` : receiptRow('编号 No.', receiptNoText(r)),
    ...('voidReason' in r && r.status === 'voided' ? [receiptRow('已撤销 Voided', r.voidReason ?? '')] : []),
  ];
  const hash = 'hash' in r ? r.hash : undefined;
  return { lines, ...(hash ? { qrText: `${serverUrl.replace(/\/$/, '')}/r/${r.id}?h=${hash.slice(0, 16)}` } : {}) };
}
