/**
 * A union's hold on its members' sign-in: reset one member's password (a one-time activation code,
 * every phone signed out, audited), and activation codes for every member who has no password yet
 * (after a CSV import), as a CSV to print and hand out. The codes are shown this once; the server keeps
 * only a keyed hash of each (activationHashOf).
 */
import { type Response, Router } from 'express';
import { z } from 'zod';
import { idSchema, type Member } from '../../core/domain.ts';
import { AppError } from '../../core/errors.ts';
import type { AppContext } from '../context.ts';
import { parseOr400, route } from '../http/errors.ts';
import { adminScope, auditBy } from '../services/admin-scope.ts';
import { toCsv } from '../services/csv.ts';
import { activationHashOf, newActivationCode } from '../services/member-session.ts';

const bulkBody = z.object({ orgId: idSchema.optional() });
/** One CSV at a time stays printable; a larger union runs it per county. */
const BULK_MAX = 20_000;

export function memberAdminRouter(ctx: AppContext): Router {
  const r = Router();

  r.post(
    '/admin/members/:id/activation-code',
    route(async (req, res) => {
      const s = await adminScope(ctx, req, 'write');
      const m = await ctx.store.member(String(req.params.id));
      if (!m || !s.subtree.has(m.orgId)) throw new AppError('NOT_FOUND');
      const code = newActivationCode();
      await ctx.store.memberSide.resetCredential(
        {
          memberId: m.id,
          passwordHash: null,
          activationHash: activationHashOf(ctx.secrets.pan, m.id, code),
          updatedAt: ctx.now().toISOString(),
        },
        auditBy(ctx, s.user),
        m.orgId,
      );
      ctx.log.info({ memberId: m.id, by: s.user.id }, 'member password reset');
      res.set('Cache-Control', 'no-store').json({ memberId: m.id, memberNo: m.memberNo, activationCode: code });
    }),
  );

  r.post(
    '/admin/members/activation-codes',
    route(async (req, res) => {
      const s = await adminScope(ctx, req, 'write');
      const body = parseOr400(bulkBody, req.body ?? {});
      if (body.orgId && !s.subtree.has(body.orgId)) throw new AppError('NOT_FOUND', 'No such union in your scope.');
      const orgIds = body.orgId ? new Set([...s.subtree].filter((id) => isUnder(s.orgs, id, body.orgId!))) : s.subtree;
      const { members } = await ctx.store.membersOfOrgs(orgIds);
      const csv = await issueActivationCodes(ctx, members, s.orgs);
      ctx.log.info({ count: csv.count, by: s.user.id }, 'member activation codes issued');
      sendCodes(res, csv.text, 'activation-codes.csv');
    }),
  );

  return r;
}

/**
 * One-time activation codes for those of `members` who are active and have neither a password nor a code,
 * stored as keyed hashes in one write; the codes exist only in the CSV returned.
 */
export async function issueActivationCodes(
  ctx: AppContext,
  members: readonly Member[],
  orgs: readonly { id: string; name: string }[],
): Promise<{ text: string; count: number }> {
  const now = ctx.now().toISOString();
  const rows: string[][] = [];
  const creds = [];
  for (const m of members) {
    if (m.status !== 'active') continue;
    const c = await ctx.store.memberSide.credential(m.id);
    if (c?.passwordHash || c?.activationHash) continue; // has a password, or a code already handed out
    const code = newActivationCode();
    creds.push({ memberId: m.id, passwordHash: null, activationHash: activationHashOf(ctx.secrets.pan, m.id, code), updatedAt: now });
    rows.push([m.memberNo, m.name, orgs.find((o) => o.id === m.orgId)?.name ?? m.orgId, code]);
    if (rows.length >= BULK_MAX) break;
  }
  if (creds.length) await ctx.store.memberSide.putCredentials(creds);
  return { text: toCsv(['会员号 member_no', '姓名 name', '工会 union', '激活码 activation_code'], rows), count: creds.length };
}

export function sendCodes(res: Response, csv: string, fileName: string): void {
  res.set('Cache-Control', 'no-store').type('text/csv; charset=utf-8').attachment(fileName).send(csv);
}

function isUnder(orgs: readonly { id: string; parentId: string | null }[], id: string, ancestor: string): boolean {
  for (let cur: string | null | undefined = id; cur; cur = orgs.find((o) => o.id === cur)?.parentId) if (cur === ancestor) return true;
  return false;
}
