/**
 * The admin member and merchant lists as CSV, the two ways the redemption log has them (csv-redemptions.ts):
 * for people, bilingual headers (Chinese first), Chinese statuses, local time in the caller's union's zone
 * and yuan with two decimals; with `?format=raw`, the machine fields (ids, codes, ISO instants, fen).
 */
import type { Card, Member, Merchant } from '../../core/domain.ts';
import { toCsv } from './csv.ts';
import { yuanCell } from './csv-money.ts';
import { type CsvFormat, localTimeCell } from './csv-redemptions.ts';

const MEMBER_STATUS_ZH: Record<Member['status'], string> = { active: '正常 active', suspended: '停用 suspended' };
const CARD_STATUS_ZH: Record<Card['status'], string> = {
  issued: '未激活 issued',
  activated: '已激活 activated',
  lost: '挂失 lost',
  frozen: '冻结 frozen',
  replaced: '已补换 replaced',
};

export interface MemberCsvRow {
  member: Member;
  orgName: string;
  cards: readonly Pick<Card, 'last4' | 'status' | 'updatedAt'>[];
}

/** raw: the columns the v1 export had, unchanged, so scripts reading it keep working. */
export function membersCsv(rows: readonly MemberCsvRow[], format: CsvFormat, timeZone: string): string {
  if (format === 'raw') {
    return toCsv(
      ['member_no', 'name', 'union_id', 'union_name', 'status', 'cards'],
      rows.map(({ member: m, orgName, cards }) => [
        m.memberNo,
        m.name,
        m.orgId,
        orgName,
        m.status,
        cards.map((c) => `****${c.last4} ${c.status}`).join('; '),
      ]),
    );
  }
  return toCsv(
    [
      '会员号 member no.',
      '姓名 name',
      '所属工会 union',
      '状态 status',
      '卡 cards',
      `卡状态更新 card updated (${timeZone})`,
      '工会编号 union id',
    ],
    rows.map(({ member: m, orgName, cards }) => [
      m.memberNo,
      m.name,
      orgName,
      MEMBER_STATUS_ZH[m.status],
      cards.map((c) => `****${c.last4} ${CARD_STATUS_ZH[c.status]}`).join('; '),
      cards.map((c) => localTimeCell(c.updatedAt, timeZone)).join('; '),
      m.orgId,
    ]),
  );
}

export interface MerchantCsvRow extends Merchant {
  orgName?: string | undefined;
  storeCount: number;
  terminalCount: number;
}

/** raw: the v1 columns, then opening hours and the sale maximum in fen. */
export function merchantsCsv(rows: readonly MerchantCsvRow[], format: CsvFormat): string {
  if (format === 'raw') {
    return toCsv(
      ['merchant_id', 'name', 'name_en', 'registered_by', 'stores', 'terminals', 'opens', 'closes', 'max_sale_fen'],
      rows.map((m) => [
        m.id,
        m.name,
        m.nameEn ?? '',
        m.orgName ?? '',
        m.storeCount,
        m.terminalCount,
        m.openingHours?.from ?? '',
        m.openingHours?.to ?? '',
        m.maxSaleFen ?? '',
      ]),
    );
  }
  return toCsv(
    [
      '商户 merchant',
      '英文名 English name',
      '登记工会 registered by',
      '门店数 stores',
      '终端数 terminals',
      '营业时间 opening hours (local)',
      '单笔上限 sale maximum (CNY)',
      '商户编号 merchant id',
    ],
    rows.map((m) => [
      m.name,
      m.nameEn ?? '',
      m.orgName ?? '',
      m.storeCount,
      m.terminalCount,
      m.openingHours ? `${m.openingHours.from}–${m.openingHours.to}` : '',
      m.maxSaleFen ? yuanCell(m.maxSaleFen) : '',
      m.id,
    ]),
  );
}
