/**
 * Cards: issue, activate, report lost, freeze, replace. A card that stops being valid is pushed to
 * every online terminal at once as `card:revoked` (the quote path also refuses it from the store).
 * The PAN arrives once, is hashed (panHash) and dropped; answers carry only the last 4.
 */
import { Router } from 'express';
import { z } from 'zod';
import { isPan } from '../../core/credentials.ts';
import { cardStatus, idSchema, type Card, type Member } from '../../core/domain.ts';
import { AppError } from '../../core/errors.ts';
import { maskMemberNo } from '../../core/mask.ts';
import type { AppContext } from '../context.ts';
import { parseOr400, route } from '../http/errors.ts';
import { offlineHash } from '../../core/offline-hash.ts';
import { panHash } from '../security/hashing.ts';
import { parseCardCursor } from '../store/admin-store.ts';
import { adminScope, auditBy, orgName, unwrap, type AdminScope } from '../services/admin-scope.ts';
import { cardTransitionAllowed, revokes } from '../services/card-status.ts';
import { toCsv } from '../services/csv.ts';
import { csvFormatOf, localTimeCell } from '../services/csv-redemptions.ts';

const CARD_ZH: Record<string, string> = {
  issued: '已发卡 issued',
  activated: '已激活 activated',
  lost: '已挂失 lost',
  frozen: '已冻结 frozen',
  replaced: '已补换 replaced',
};

const pan = z
  .string()
  .transform((s) => s.replace(/[\s-]/g, ''))
  .refine(isPan, 'a card number is 12–19 digits with a valid check digit · 卡号格式或校验位错误');
const issueBody = z.object({ memberId: idSchema, pan, status: z.enum(['issued', 'activated']).default('issued') });
// A lost card comes back only with a reason (the member turned up with it): never a stray click.
const statusBody = z.object({ status: cardStatus.exclude(['issued']), reason: z.string().trim().min(1).max(200).optional() });
const replaceBody = z.object({ pan });
const listQuery = z.object({
  status: cardStatus.optional(),
  last4: z
    .string()
    .regex(/^\d{4}$/)
    .optional(),
  /** Keyset paging: the previous page's nextCursor. Pages stay exact and cost the same however deep. */
  cursor: z
    .string()
    .max(120)
    .refine((c) => !!parseCardCursor(c), 'not a cursor this list gave · 不是本列表给出的游标')
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(500),
});
/** The export takes the filters and writes every matching card. */
const csvQuery = listQuery.omit({ cursor: true, limit: true });

export const publicCard = (c: Card) => ({ id: c.id, memberId: c.memberId, last4: c.last4, status: c.status, updatedAt: c.updatedAt });

export function adminCardsRouter(ctx: AppContext): Router {
  const r = Router();

  async function cardInScope(s: AdminScope, id: string): Promise<{ card: Card; member: Member }> {
    const card = await ctx.store.card(id);
    const member = card ? await ctx.store.member(card.memberId) : undefined;
    if (!card || !member || !s.subtree.has(member.orgId)) throw new AppError('NOT_FOUND');
    return { card, member };
  }

  function revoke(card: Card, member: Member, status: 'lost' | 'frozen' | 'replaced', at: string) {
    ctx.realtime.cardRevoked({ cardId: card.id, last4: card.last4, memberNoMasked: maskMemberNo(member.memberNo), status, at });
  }

  type Row = ReturnType<typeof publicCard> & { memberNo: string; memberName: string; orgId: string; orgName: string };
  const rowOf = (s: AdminScope, { card, member }: { card: Card; member: Member }): Row => ({
    ...publicCard(card),
    memberNo: member.memberNo,
    memberName: member.name,
    orgId: member.orgId,
    orgName: orgName(s.orgs, member.orgId),
  });
  const filterOf = (s: AdminScope, q: z.infer<typeof csvQuery>) => ({
    orgIds: s.subtree,
    ...(q.status ? { status: q.status } : {}),
    ...(q.last4 ? { last4: q.last4 } : {}),
  });

  /** Every matching card, a store page at a time (the CSV export). */
  async function listed(s: AdminScope, q: z.infer<typeof csvQuery>): Promise<Row[]> {
    const out: Row[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await ctx.store.admin.cards({ ...filterOf(s, q), limit: 10_000, ...(after ? { after } : {}) });
      for (const x of page.items) out.push(rowOf(s, x));
      if (!page.nextCursor) return out;
      after = page.nextCursor;
    }
  }

  /** A page of cards, most recently changed first; `nextCursor` while more follow, `total` on the first page. */
  r.get(
    '/admin/cards',
    route(async (req, res) => {
      const s = await adminScope(ctx, req, 'read');
      const q = parseOr400(listQuery, req.query, 'query');
      const page = await ctx.store.admin.cards({ ...filterOf(s, q), limit: q.limit, ...(q.cursor ? { after: q.cursor } : {}) });
      res.json({
        items: page.items.map((x) => rowOf(s, x)),
        ...(page.total !== undefined ? { total: page.total } : {}),
        ...(page.totalIsLowerBound ? { totalIsLowerBound: true } : {}),
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
        limit: q.limit,
      });
    }),
  );

  r.get(
    '/admin/cards.csv',
    route(async (req, res) => {
      const s = await adminScope(ctx, req, 'read');
      const items = await listed(s, parseOr400(csvQuery, req.query, 'query'));
      const tz = s.orgs.find((o) => o.id === s.user.orgId)?.timeZone ?? 'Asia/Shanghai';
      res
        .type('text/csv; charset=utf-8')
        .set('Content-Disposition', 'attachment; filename="cards.csv"')
        .send(
          csvFormatOf(req.query) === 'raw'
            ? toCsv(
                ['card_id', 'last4', 'status', 'updated_at', 'member_no', 'name', 'union_id', 'union_name'],
                items.map((c) => [c.id, c.last4, c.status, c.updatedAt, c.memberNo, c.memberName, c.orgId, c.orgName]),
              )
            : toCsv(
                [
                  '卡片编号 card id',
                  '卡号后四位 last 4',
                  '状态 status',
                  `更新时间 updated (${tz})`,
                  '会员号 member no.',
                  '姓名 name',
                  '工会 union',
                  '工会编号 union id',
                ],
                items.map((c) => [
                  c.id,
                  c.last4,
                  CARD_ZH[c.status] ?? c.status,
                  localTimeCell(c.updatedAt, tz),
                  c.memberNo,
                  c.memberName,
                  c.orgName,
                  c.orgId,
                ]),
              ),
        );
    }),
  );

  r.post(
    '/admin/cards',
    route(async (req, res) => {
      const s = await adminScope(ctx, req, 'write');
      const body = parseOr400(issueBody, req.body);
      const member = await ctx.store.member(body.memberId);
      if (!member || !s.subtree.has(member.orgId)) throw new AppError('NOT_FOUND', 'No such member in your scope.');
      const h = panHash(ctx.secrets.pan, body.pan);
      const card = unwrap(
        await ctx.store.admin.issueCard(
          {
            id: `card-${h.slice(0, 12)}`,
            memberId: member.id,
            panHash: h,
            offlineHash: offlineHash(ctx.secrets.offline, 'pan', body.pan),
            last4: body.pan.slice(-4),
            status: body.status,
          },
          auditBy(ctx, s.user),
        ),
      );
      ctx.log.info({ cardId: card.id, memberId: member.id, by: s.user.id }, 'card issued');
      res.status(201).json(publicCard(card));
    }),
  );

  /** Also answers at the pre-admin path /cards/:id/status, which terminals' integrators already script against. */
  r.post(
    ['/admin/cards/:id/status', '/cards/:id/status'],
    route(async (req, res) => {
      const s = await adminScope(ctx, req, 'write');
      const { status, reason } = parseOr400(statusBody, req.body);
      const { card, member } = await cardInScope(s, String(req.params.id));
      if (card.status === status) return res.json(publicCard(card));
      if (card.status === 'lost' && status === 'activated' && !reason) {
        throw new AppError(
          'VALIDATION_FAILED',
          '挂失的卡要重新激活，须填写原因（如会员找回原卡）；否则请补换新卡 · A lost card is reactivated only with a reason (the member found it); otherwise replace it',
          [{ path: 'reason', message: '必填 · required to reactivate a lost card' }],
        );
      }
      const { after } = unwrap(await ctx.store.admin.setCardStatus(card.id, status, auditBy(ctx, s.user), cardTransitionAllowed));
      if (revokes(status)) revoke(after, member, status, after.updatedAt);
      ctx.log.info({ cardId: card.id, from: card.status, status, by: s.user.id, ...(reason ? { reason } : {}) }, 'card status changed');
      res.json(publicCard(after));
    }),
  );

  r.post(
    '/admin/cards/:id/replace',
    route(async (req, res) => {
      const s = await adminScope(ctx, req, 'write');
      const body = parseOr400(replaceBody, req.body);
      const { card, member } = await cardInScope(s, String(req.params.id));
      const h = panHash(ctx.secrets.pan, body.pan);
      const out = unwrap(
        await ctx.store.admin.replaceCard(
          card.id,
          {
            id: `card-${h.slice(0, 12)}`,
            panHash: h,
            offlineHash: offlineHash(ctx.secrets.offline, 'pan', body.pan),
            last4: body.pan.slice(-4),
            status: 'issued',
          },
          auditBy(ctx, s.user),
        ),
      );
      revoke(out.old, member, 'replaced', out.old.updatedAt);
      ctx.log.info({ cardId: card.id, newCardId: out.card.id, by: s.user.id }, 'card replaced');
      res.status(201).json({ old: publicCard(out.old), card: publicCard(out.card) });
    }),
  );

  return r;
}

/** The request schemas above, for the OpenAPI document (server/routes/openapi.ts). */
export const adminCardSchemas = { issueBody, statusBody, replaceBody, listQuery, csvQuery };
