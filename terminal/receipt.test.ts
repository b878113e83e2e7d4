import { describe, expect, it } from 'vitest';
import { displayWidth, receiptFor, RECEIPT_WIDTH } from './receipt.ts';

const base = {
  id: 'rd-000042',
  seq: 42,
  idempotencyKey: 'k-12345678',
  status: 'committed' as const,
  merchantId: 'm-minmao',
  storeId: 's-minmao-1',
  terminalId: 't-minmao-1',
  memberNoMasked: '513300****17',
  memberOrgId: 'org-kd',
  credentialType: 'card_number' as const,
  amountFen: 8_800,
  discountFen: 440,
  payableFen: 8_360,
  lines: [
    { agreementId: 'a-minmao', agreementVersion: 1, title: '会员9.5折', discountFen: 440, funding: { merchantFen: 440, unionFen: 0 } },
  ],
  createdAt: '2026-11-25T04:05:06.000Z',
  offline: false,
  hash: 'ab'.repeat(32),
  prevHash: '00'.repeat(32),
};

describe('receipt', () => {
  it('aligns every figure to the right edge, counting a Chinese character as two columns', () => {
    const { lines } = receiptFor(base, 'http://server', '民贸公司 康定店');
    const figures = lines.filter((l) => /¥|rd-/.test(l));
    expect(figures.length).toBeGreaterThanOrEqual(4);
    for (const l of figures) expect(displayWidth(l), l).toBe(RECEIPT_WIDTH);
    expect(displayWidth('会员 ¥1')).toBe(7);
  });

  it('shows local time as the portals do, and no union line when the union paid nothing', () => {
    const { lines, qrText } = receiptFor(base, 'http://server/', '民贸公司 康定店');
    expect(lines).toContain('2026-11-25 12:05:06 +08:00');
    expect(lines.join('\n')).not.toContain('工会补贴');
    expect(lines.join('\n')).toContain('商户优惠 Merchant');
    expect(qrText).toBe(`http://server/r/rd-000042?h=${'ab'.repeat(8)}`);
    const union = receiptFor(
      { ...base, lines: [{ ...base.lines[0]!, funding: { merchantFen: 0, unionFen: 440, campaignId: 'c-wuyi' } }] },
      'http://server',
      'x',
    );
    expect(union.lines.join('\n')).toContain('工会补贴 Union');
    expect(union.lines.join('\n')).not.toContain('商户优惠');
  });

  it('says a voided redemption was voided, and why', () => {
    const { lines } = receiptFor({ ...base, status: 'voided', voidReason: '顾客退货' }, 'http://server', 'x');
    expect(lines.at(-1)).toMatch(/^已撤销 Voided +顾客退货$/);
  });
});
