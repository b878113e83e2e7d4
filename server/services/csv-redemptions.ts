/**
 * The redemption log as CSV, two ways (CONTRACT v2 "Everyday use"): for people, local time in the
 * caller's zone, yuan with two decimals, names beside ids and bilingual headers; with `?format=raw`, the
 * machine fields (fen, ISO instants, ids), as the v1 export had them.
 */
import { isoInZone } from '../../core/local-time.ts';
import { receiptNoText } from '../../core/receipt-no.ts';
import type { Redemption } from '../../core/wire.ts';
import { toCsv } from './csv.ts';
import { yuanCell } from './csv-money.ts';

export type CsvFormat = 'people' | 'raw';

/** `?format=raw` asks for machine fields; anything else (or nothing) is the people's file. */
export const csvFormatOf = (query: unknown): CsvFormat =>
  (query as { format?: unknown } | undefined)?.format === 'raw' ? 'raw' : 'people';

/** `2026-11-25 12:00:00`: the wall clock of the zone named in the column header. */
export const localTimeCell = (iso: string, timeZone: string) => isoInZone(new Date(iso), timeZone).slice(0, 19).replace('T', ' ');

export interface CsvNames {
  merchant(id: string): string | undefined;
  store(id: string): string | undefined;
  org(id: string): string | undefined;
}

const CREDENTIAL_ZH: Record<string, string> = {
  card_track: '刷卡 swipe',
  card_number: '卡号 card number',
  member_no: '会员号 member no.',
  qr: '二维码 QR',
};
const fundedBy = (r: Redemption, side: 'merchantFen' | 'unionFen') => r.lines.reduce((s, l) => s + l.funding[side], 0);

export function redemptionsCsv(items: readonly Redemption[], format: CsvFormat, timeZone: string, names: CsvNames): string {
  if (format === 'raw') {
    return toCsv(
      [
        'id',
        'seq',
        'createdAt',
        'status',
        'merchantId',
        'storeId',
        'terminalId',
        'memberNoMasked',
        'memberOrgId',
        'credentialType',
        'amountFen',
        'discountFen',
        'merchantFen',
        'unionFen',
        'payableFen',
        'agreements',
        'offline',
        'idempotencyKey',
        'voidedAt',
        'voidReason',
        'receiptNo',
      ],
      items.map((x) => [
        x.id,
        x.seq,
        x.createdAt,
        x.status,
        x.merchantId,
        x.storeId,
        x.terminalId,
        x.memberNoMasked,
        x.memberOrgId,
        x.credentialType,
        x.amountFen,
        x.discountFen,
        fundedBy(x, 'merchantFen'),
        fundedBy(x, 'unionFen'),
        x.payableFen,
        x.lines.map((l) => `${l.agreementId}@${l.agreementVersion}`).join(' '),
        x.offline,
        x.idempotencyKey,
        x.voidedAt ?? '',
        x.voidReason ?? '',
        x.receiptNo ?? '',
      ]),
    );
  }
  return toCsv(
    [
      '编号 receipt no.',
      `时间 time (${timeZone})`,
      '状态 status',
      '商户 merchant',
      '门店 store',
      '终端 terminal',
      '会员 member',
      '会员所属工会 member union',
      '凭证 credential',
      '消费 amount (CNY)',
      '优惠 discount (CNY)',
      '商家让利 merchant-funded (CNY)',
      '工会补贴 union-funded (CNY)',
      '实付 payable (CNY)',
      '优惠项目 offers',
      '离线 offline',
      `撤销时间 voided at (${timeZone})`,
      '撤销原因 void reason',
      '记录编号 record id',
    ],
    // Receipt numbers run on without gaps; a voided receipt keeps its row, marked 已撤销.
    items.map((x) => [
      receiptNoText(x),
      localTimeCell(x.createdAt, timeZone),
      x.status === 'voided' ? '已撤销 voided' : '已核销 redeemed',
      names.merchant(x.merchantId) ?? x.merchantId,
      names.store(x.storeId) ?? x.storeId,
      x.terminalId,
      x.memberNoMasked,
      names.org(x.memberOrgId) ?? x.memberOrgId,
      CREDENTIAL_ZH[x.credentialType] ?? x.credentialType,
      yuanCell(x.amountFen),
      yuanCell(x.discountFen),
      yuanCell(fundedBy(x, 'merchantFen')),
      yuanCell(fundedBy(x, 'unionFen')),
      yuanCell(x.payableFen),
      x.lines.map((l) => l.title).join('; '),
      x.offline ? '是 yes' : '否 no',
      x.voidedAt ? localTimeCell(x.voidedAt, timeZone) : '',
      x.voidReason ?? '',
      x.id,
    ]),
  );
}
