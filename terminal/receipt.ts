/** The few lines a till prints for a member redemption, and the QR the member scans to check it. */
import { formatYuan } from '../core/money.ts';
import { isoInZone } from '../core/local-time.ts';
import type { Checkout } from '../core/wire-checkout.ts';

type AnyRedemption = NonNullable<Checkout['redemption']>;

export function receiptFor(r: AnyRedemption, serverUrl: string, storeName: string, timeZone = 'Asia/Shanghai'): NonNullable<Checkout['receipt']> {
  const merchantFen = r.lines.reduce((s, l) => s + l.funding.merchantFen, 0);
  const unionFen = r.lines.reduce((s, l) => s + l.funding.unionFen, 0);
  const lines = [
    `惠卡会员优惠 Huika member discount`,
    `${storeName}  ${isoInZone(new Date(r.createdAt), timeZone)}`,
    `会员 Member: ${r.memberNoMasked}`,
    `消费 Amount:        ${formatYuan(r.amountFen)}`,
    ...r.lines.map((l) => `  ${l.title}: -${formatYuan(l.discountFen)}`),
    `商户优惠 Merchant:  -${formatYuan(merchantFen)}`,
    `工会补贴 Union:     -${formatYuan(unionFen)}`,
    `实付 Pay:           ${formatYuan(r.payableFen)}`,
    r.status === 'queued' ? `离线记录，待上传 Offline, to be uploaded: ${r.idempotencyKey}` : `编号 No.: ${r.id}`,
  ];
  const hash = 'hash' in r ? r.hash : undefined;
  return { lines, ...(hash ? { qrText: `${serverUrl.replace(/\/$/, '')}/r/${r.id}?h=${hash.slice(0, 16)}` } : {}) };
}
