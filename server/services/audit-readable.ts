/**
 * The audit trail as people read it: "卡 ****0015（张*）" instead of card-1, times in the union's zone,
 * and the money events that live outside the administrative trail (statement approvals, payments and
 * cancellations, redemption voids) merged in, newest first.
 */
import { isoInZone } from '../../core/local-time.ts';
import { maskMemberNo, maskName } from '../../core/mask.ts';
import type { AppContext } from '../context.ts';
import type { AuditEntry } from '../store/admin-store.ts';

export interface ReadableEntry extends Omit<AuditEntry, 'orgIds' | 'merchantIds'> {
  /** What the record is, for people: 卡 ****0015（张*）, 会员 5133****17 张*, 商户 民贸公司. */
  subject: string;
  /** The same instant in the reader's union's zone: 2026-11-25 12:00:00 +08:00. */
  atLocal: string;
}

const localTime = (iso: string, tz: string) => {
  const s = isoInZone(new Date(iso), tz);
  return `${s.slice(0, 10)} ${s.slice(11, 19)} ${s.slice(19)}`;
};
const field = (v: unknown, k: string) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined);

export async function readable(ctx: AppContext, entries: readonly AuditEntry[], timeZone: string): Promise<ReadableEntry[]> {
  const [merchants, shops] = await Promise.all([ctx.store.merchants(), ctx.store.shops()]);
  const memberCache = new Map<string, Promise<{ name: string; memberNo: string } | undefined>>();
  const member = (id: string) => {
    if (!memberCache.has(id))
      memberCache.set(
        id,
        ctx.store.member(id).then((m) => (m ? { name: m.name, memberNo: m.memberNo } : undefined)),
      );
    return memberCache.get(id)!;
  };
  const out: ReadableEntry[] = [];
  for (const { orgIds: _o, merchantIds: _m, ...e } of entries) {
    const v = e.after ?? e.before;
    let subject = e.id;
    if (e.entity === 'card') {
      const m = await member(String(field(v, 'memberId') ?? ''));
      subject = `卡 ****${String(field(v, 'last4') ?? '????')}${m ? `（${maskName(m.name)}）` : ''}`;
    } else if (e.entity === 'member') {
      const no = field(v, 'memberNo');
      subject =
        `会员 ${typeof no === 'string' ? maskMemberNo(no) : e.id} ${typeof field(v, 'name') === 'string' ? maskName(String(field(v, 'name'))) : ''}`.trim();
    } else if (e.entity === 'merchant') subject = `商户 ${merchants.find((x) => x.id === e.id)?.name ?? e.id}`;
    else if (e.entity === 'store') subject = `门店 ${shops.find((x) => x.id === e.id)?.name ?? e.id}`;
    else if (e.entity === 'user') subject = `用户 ${String(field(v, 'username') ?? e.id)}`;
    else if (e.entity === 'offer') subject = `协议 ${String(field(v, 'title') ?? e.id)}`;
    else if (e.entity === 'terminal') subject = `终端 ${e.id}`;
    else if (e.entity === 'import') subject = `导入 ${String(field(v, 'fileName') ?? e.id)}`;
    out.push({ ...e, subject, atLocal: localTime(e.at, timeZone) });
  }
  return out;
}

/** Statement steps and voids in scope, as trail entries (seq 0: they are not links of the trail's hash chain). */
export async function moneyEvents(
  ctx: AppContext,
  scope: { orgIds: ReadonlySet<string>; merchantIds?: ReadonlySet<string> },
  timeZone: string,
  since?: string,
): Promise<ReadableEntry[]> {
  const events: ReadableEntry[] = [];
  const add = (
    at: string | undefined,
    username: string | undefined,
    action: string,
    entity: string,
    id: string,
    subject: string,
    note?: string,
  ) => {
    if (!at || (since && at < since)) return;
    events.push({
      seq: 0,
      at,
      by: { userId: username ?? '', username: username ?? '' },
      action,
      entity: entity as AuditEntry['entity'],
      id,
      before: null,
      after: null,
      subject,
      atLocal: localTime(at, timeZone),
      ...(note ? { note } : {}),
    });
  };
  for (const st of await ctx.store.statements(scope.orgIds)) {
    const subject = `结算单 ${st.from}–${st.to}`;
    add(st.approvedAt, st.approvedBy, 'statement.approve', 'statement', st.id, subject);
    add(st.paidAt, st.paidBy, 'statement.pay', 'statement', st.id, subject);
    add(st.cancelledAt, st.cancelledBy, 'statement.cancel', 'statement', st.id, subject);
  }
  const voided = await ctx.store.listRedemptions({
    status: 'voided',
    ...(scope.merchantIds ? { merchantIds: scope.merchantIds } : {}),
    limit: 500,
  });
  for (const r of voided.items)
    add(r.voidedAt, undefined, 'redemption.void', 'redemption', r.id, `核销 ${r.id}（${r.memberNoMasked}）`, r.voidReason);
  return events.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
}
