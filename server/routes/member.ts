/**
 * The member page's API (CONTRACT.md v2 "Members"): sign-in (throttled like the portals), the living
 * code, what applies to me, my redemptions, feedback once per redemption, my password.
 * Member tokens (`mt_…`) are checked here, never by the portal/terminal `authenticate`.
 */
import { randomUUID } from 'node:crypto';
import { Router, type Request } from 'express';
import { AppError } from '../../core/errors.ts';
import { maskMemberNo, maskName } from '../../core/mask.ts';
import {
  feedbackRequestSchema,
  memberPasswordRequestSchema,
  memberRedemptionsQuerySchema,
  memberSessionRequestSchema,
  type MemberOffer,
} from '../../core/wire-member.ts';
import type { AppContext } from '../context.ts';
import { parseOr400, route } from '../http/errors.ts';
import { hashPassword } from '../security/hashing.ts';
import { codeFor } from '../security/member-code.ts';
import { createSignInThrottle } from '../security/sign-in-throttle.ts';
import {
  checkMemberPassword,
  issueMemberToken,
  memberOf,
  registerDevice,
  activeDeviceKey,
  type MemberActor,
} from '../services/member-session.ts';
import { pathOf } from '../services/scope.ts';
import { isDemoMember } from '../demo-data.ts';
import { expiresAtOf, stepOf } from '../../core/member-code.ts';
import type { Feedback } from '../store/member-store.ts';

const bearer = (req: Request) => {
  const h = req.headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice(7).trim() : undefined;
};
const address = (req: Request) => req.ip ?? req.socket.remoteAddress ?? 'unknown';

export function memberRouter(ctx: AppContext): Router {
  const r = Router();
  // Its own counts (prefix "member"), with the portals' rule: 10 failures per number and address in 15 min;
  // shared by every instance when they share Redis.
  const throttle = createSignInThrottle({ keyPrefix: 'member', ...(ctx.redis ? { redis: ctx.redis } : {}) });

  /** The signed-in member; one who signed in with an activation code may only choose a password. */
  async function who(req: Request, allowMustChange = false): Promise<MemberActor> {
    const a = await memberOf(ctx, bearer(req));
    if (a.mustChange && !allowMustChange) throw new AppError('PASSWORD_CHANGE_REQUIRED');
    return a;
  }

  r.post(
    '/member/session',
    route(async (req, res) => {
      const body = parseOr400(memberSessionRequestSchema, req.body);
      const addr = address(req);
      try {
        await throttle.check(body.memberNo, addr);
      } catch (err) {
        const s = (err as AppError).details as { retryAfterSeconds?: number } | undefined;
        if (s?.retryAfterSeconds) res.set('Retry-After', String(s.retryAfterSeconds));
        throw err;
      }
      const member = await ctx.store.memberByNo(body.memberNo);
      const verdict = await checkMemberPassword(ctx, member, body.password, isDemoMember);
      if (!verdict.ok || !member) {
        await throttle.failed(body.memberNo, addr);
        throw new AppError('BAD_CREDENTIALS', '会员号或密码错误 Wrong member number or password.');
      }
      await throttle.succeeded(body.memberNo, addr);
      if (member.status === 'suspended') throw new AppError('MEMBER_SUSPENDED');
      const device = await registerDevice(ctx, member.id, body.deviceKey ? Buffer.from(body.deviceKey, 'base64url') : undefined);
      const now = ctx.now();
      const orgName = (await ctx.store.orgs()).find((o) => o.id === member.orgId)?.name;
      res.json({
        token: issueMemberToken(ctx.secrets.session, member.id, device.id, verdict.mustChange, now.getTime()),
        member: {
          maskedName: maskName(member.name),
          memberNoMasked: maskMemberNo(member.memberNo),
          orgId: member.orgId,
          ...(orgName ? { orgName } : {}),
        },
        device: { id: device.id, serverTime: now.toISOString() },
        passwordChangeRequired: verdict.mustChange,
      });
    }),
  );

  r.delete(
    '/member/session',
    route(async (req, res) => {
      const a = await memberOf(ctx, bearer(req));
      // Signing out forgets the phone: its codes stop working everywhere the server is asked.
      await ctx.store.memberSide.revokeDevice(a.device.id, ctx.now());
      res.status(204).end();
    }),
  );

  r.post(
    '/member/password',
    route(async (req, res) => {
      const a = await who(req, true);
      const body = parseOr400(memberPasswordRequestSchema, req.body);
      const addr = address(req);
      await throttle.check(a.member.memberNo, addr);
      const verdict = await checkMemberPassword(ctx, a.member, body.current, isDemoMember);
      if (!verdict.ok) {
        await throttle.failed(a.member.memberNo, addr);
        throw new AppError('BAD_CREDENTIALS', '当前密码错误 The current password is wrong.');
      }
      await ctx.store.memberSide.putCredentials([
        { memberId: a.member.id, passwordHash: await hashPassword(body.next), activationHash: null, updatedAt: ctx.now().toISOString() },
      ]);
      // A new password signs the member's other phones out (as for portal users): whoever knew the old one loses them.
      for (const d of await ctx.store.memberSide.activeDevicesOf(new Set([a.member.id])))
        if (d.id !== a.device.id) await ctx.store.memberSide.revokeDevice(d.id, ctx.now());
      res.json({
        token: issueMemberToken(ctx.secrets.session, a.member.id, a.device.id, false, ctx.now().getTime()),
        passwordChangeRequired: false,
      });
    }),
  );

  r.get(
    '/member/me',
    route(async (req, res) => {
      const { member, device } = await who(req);
      const orgName = (await ctx.store.orgs()).find((o) => o.id === member.orgId)?.name;
      res.json({
        member: {
          maskedName: maskName(member.name),
          memberNoMasked: maskMemberNo(member.memberNo),
          orgId: member.orgId,
          ...(orgName ? { orgName } : {}),
        },
        device: { id: device.id, serverTime: ctx.now().toISOString() },
      });
    }),
  );

  r.get(
    '/member/qr',
    route(async (req, res) => {
      const { device } = await who(req);
      const k = await activeDeviceKey(ctx, device.id);
      if (!k) throw new AppError('UNAUTHENTICATED');
      const nowMs = ctx.now().getTime();
      // At most 60 s: the code of this step is accepted until the end of the next one.
      res
        .set('Cache-Control', 'no-store')
        .json({ qr: codeFor(device.id, k.key, nowMs), expiresAt: new Date(expiresAtOf(stepOf(nowMs))).toISOString() });
    }),
  );

  r.get(
    '/member/redemptions',
    route(async (req, res) => {
      const { member } = await who(req);
      const q = parseOr400(memberRedemptionsQuerySchema, req.query, 'query');
      // Keyset paging on the ledger position, newest first: a page costs the same however long the history.
      const [{ items, nextBeforeSeq }, shops, merchants] = await Promise.all([
        ctx.store.listRedemptions({ memberId: member.id, limit: q.limit, ...(q.cursor ? { beforeSeq: Number(q.cursor) } : {}) }),
        ctx.store.shops(),
        ctx.store.merchants(),
      ]);
      const feedback = items.length
        ? await ctx.store.memberSide.feedback({ memberId: member.id, redemptionIds: new Set(items.map((x) => x.id)) })
        : [];
      const fb = new Map(feedback.map((f) => [f.redemptionId, f]));
      const shopName = new Map(shops.map((s) => [s.id, s.name]));
      const merchantName = new Map(merchants.map((m) => [m.id, m.name]));
      res.set('Cache-Control', 'no-store').json({
        items: items.map((x) => {
          const f = fb.get(x.id);
          return {
            ...x,
            merchantName: merchantName.get(x.merchantId) ?? x.merchantId,
            storeName: shopName.get(x.storeId) ?? x.storeId,
            receiptUrl: `/r/${x.id}?h=${x.hash.slice(0, 16)}`,
            ...(f ? { feedback: publicFeedback(f) } : {}),
          };
        }),
        nextCursor: nextBeforeSeq === undefined ? null : String(nextBeforeSeq),
      });
    }),
  );

  r.get(
    '/member/offers',
    route(async (req, res) => {
      const { member } = await who(req);
      const [orgs, offers, shops, merchants] = await Promise.all([
        ctx.store.orgs(),
        ctx.store.offers(),
        ctx.store.shops(),
        ctx.store.merchants(),
      ]);
      const path = new Set(pathOf(orgs, member.orgId));
      const orgName = new Map(orgs.map((o) => [o.id, o.name]));
      const merchantName = new Map(merchants.map((m) => [m.id, m.name]));
      const out: MemberOffer[] = [];
      for (const o of offers) {
        if (o.status !== 'active' || !path.has(o.orgId)) continue;
        if (o.conditions.memberOrgIds && !o.conditions.memberOrgIds.some((id) => path.has(id))) continue;
        const stores = shops.filter(
          (s) => s.merchantId === o.merchantId && (!o.conditions.storeIds || o.conditions.storeIds.includes(s.id)),
        );
        out.push({
          id: o.id,
          version: o.version,
          kind: o.kind,
          title: o.title,
          ...(o.titleEn ? { titleEn: o.titleEn } : {}),
          rule: o.rule,
          conditions: o.conditions,
          merchantId: o.merchantId,
          merchantName: merchantName.get(o.merchantId) ?? o.merchantId,
          orgId: o.orgId,
          orgName: orgName.get(o.orgId) ?? o.orgId,
          stores: stores.map((s) => ({ id: s.id, name: s.name })),
          ...(o.budgetFen !== undefined
            ? { budgetFen: o.budgetFen, remainingBudgetFen: Math.max(0, await ctx.store.remainingBudget(o.id)) }
            : {}),
        });
      }
      out.sort((a, b) => a.merchantName.localeCompare(b.merchantName, 'zh') || a.kind.localeCompare(b.kind));
      res.set('Cache-Control', 'no-store').json({ items: out });
    }),
  );

  r.post(
    '/member/redemptions/:id/feedback',
    route(async (req, res) => {
      const { member } = await who(req);
      const id = String(req.params.id);
      const body = parseOr400(feedbackRequestSchema, req.body);
      const red = await ctx.store.redemption(id);
      // Another member's redemption is 404, exactly like one that does not exist.
      const owner = red ? (await ctx.store.memberIdsOf([id])).get(id) : undefined;
      if (!red || owner !== member.id) throw new AppError('NOT_FOUND', 'No such redemption of yours.');
      const f: Feedback = {
        id: `fb-${randomUUID()}`,
        redemptionId: red.id,
        memberId: member.id,
        memberOrgId: member.orgId,
        merchantId: red.merchantId,
        storeId: red.storeId,
        redemptionAt: red.createdAt,
        rating: body.rating,
        honoured: body.honoured,
        ...(body.comment ? { comment: body.comment } : {}),
        createdAt: ctx.now().toISOString(),
        ...(body.honoured ? {} : { complaint: { status: 'open' as const } }),
      };
      const out = await ctx.store.memberSide.addFeedback(f);
      if (out.kind === 'exists') throw new AppError('FEEDBACK_EXISTS');
      res.status(201).json(publicFeedback(out.feedback));
    }),
  );

  return r;
}

/** Feedback as anyone but the store sees it: without who gave it. */
export function publicFeedback(f: Feedback) {
  const { memberId: _m, memberOrgId: _o, redemptionAt: _r, ...rest } = f;
  return rest;
}
