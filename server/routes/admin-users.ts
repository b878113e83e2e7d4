/**
 * Portal users and roles. An admin creates admins and auditors for unions of its subtree, and merchant
 * admins for merchants it manages. Password hashes never leave the server, nor enter the audit trail.
 */
import { Router } from 'express';
import { z } from 'zod';
import { idSchema, roleSchema, type User } from '../../core/domain.ts';
import { AppError } from '../../core/errors.ts';
import type { AppContext } from '../context.ts';
import { parseOr400, route } from '../http/errors.ts';
import { managesMerchant, managesOrg, overseesUser } from '../authority.ts';
import { hashPassword } from '../security/hashing.ts';
import { issueSessionToken } from '../security/session-token.ts';
import { adminScope, auditBy, orgName, unwrap, type AdminScope } from '../services/admin-scope.ts';

const password = z.string().min(8, 'at least 8 characters · 密码至少8位').max(200);
const createBody = z.object({
  username: z
    .string()
    .trim()
    .min(2)
    .max(64)
    .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits and _ . - · 仅限字母、数字和 _ . -'),
  displayName: z.string().trim().min(1).max(64),
  role: roleSchema,
  orgId: idSchema.nullable().optional(),
  merchantId: idSchema.nullable().optional(),
  password,
});
const updateBody = z.object({
  displayName: z.string().trim().min(1).max(64).optional(),
  role: roleSchema.optional(),
  orgId: idSchema.nullable().optional(),
  merchantId: idSchema.nullable().optional(),
  password: password.optional(),
  /** A disabled user cannot sign in, and its sessions end at once; enabling it again needs a new sign-in. */
  disabled: z.boolean().optional(),
});

export const publicUser = (u: User, orgs: AdminScope['orgs']) => ({
  id: u.id,
  username: u.username,
  displayName: u.displayName,
  role: u.role,
  orgId: u.orgId,
  orgName: u.orgId ? orgName(orgs, u.orgId) : null,
  merchantId: u.merchantId,
  disabled: u.disabled === true,
});

export function adminUsersRouter(ctx: AppContext): Router {
  const r = Router();

  async function visible(s: AdminScope, u: User): Promise<boolean> {
    return overseesUser(s.authority, u);
  }

  /** Where the user belongs must be inside the caller's scope: a union for admins and auditors, a merchant otherwise. */
  async function placement(s: AdminScope, role: User['role'], orgId: string | null | undefined, merchantId: string | null | undefined) {
    if (role === 'merchant_admin') {
      if (!merchantId || !managesMerchant(s.authority, merchantId)) throw new AppError('NOT_FOUND', 'No such merchant in your scope.');
      return { orgId: null, merchantId };
    }
    if (!orgId || !managesOrg(s.authority, orgId)) throw new AppError('NOT_FOUND', 'No such union in your scope.');
    return { orgId, merchantId: null };
  }

  r.get(
    '/admin/me',
    route(async (req, res) => {
      const s = await adminScope(ctx, req, 'read');
      res.json({
        user: publicUser(s.user, s.orgs),
        org: s.orgs.find((o) => o.id === s.user.orgId),
        root: s.root,
        canWrite: s.user.role === 'admin',
      });
    }),
  );

  r.get(
    '/admin/users',
    route(async (req, res) => {
      const s = await adminScope(ctx, req, 'read');
      const items = [];
      for (const u of await ctx.store.admin.users()) if (await visible(s, u)) items.push(publicUser(u, s.orgs));
      res.json({ items });
    }),
  );

  r.post(
    '/admin/users',
    route(async (req, res) => {
      const s = await adminScope(ctx, req, 'write');
      const b = parseOr400(createBody, req.body);
      const place = await placement(s, b.role, b.orgId, b.merchantId);
      if ((await ctx.store.admin.users()).some((x) => x.username === b.username || x.id === `u-${b.username}`))
        throw new AppError('CONFLICT', `用户名 ${b.username} 已存在 · The username ${b.username} is taken`);
      const u: User = {
        id: `u-${b.username}`,
        username: b.username,
        displayName: b.displayName,
        role: b.role,
        ...place,
        passwordHash: await hashPassword(b.password),
        demoOnly: false,
      };
      const saved = unwrap(await ctx.store.admin.saveUser(u, auditBy(ctx, s.user), 'create'));
      res.status(201).json(publicUser(saved, s.orgs));
    }),
  );

  r.put(
    '/admin/users/:id',
    route(async (req, res) => {
      const s = await adminScope(ctx, req, 'write');
      const cur = await ctx.store.user(String(req.params.id));
      if (!cur || !(await visible(s, cur))) throw new AppError('NOT_FOUND');
      const b = parseOr400(updateBody, req.body);
      const role = b.role ?? cur.role;
      if (cur.id === s.user.id && role !== cur.role) throw new AppError('CONFLICT', '不能修改自己的角色 · You cannot change your own role');
      if (cur.id === s.user.id && b.disabled) throw new AppError('CONFLICT', '不能停用自己 · You cannot disable yourself');
      const place = await placement(
        s,
        role,
        b.orgId === undefined ? cur.orgId : b.orgId,
        b.merchantId === undefined ? cur.merchantId : b.merchantId,
      );
      // A new password bumps the token version in the same write: every session issued before it ends.
      const next: User = {
        ...cur,
        displayName: b.displayName ?? cur.displayName,
        role,
        ...place,
        ...(b.password ? { passwordHash: await hashPassword(b.password), tokenVersion: (cur.tokenVersion ?? 0) + 1 } : {}),
      };
      // Disabling bumps the token version too: the user's open sessions end with the same write.
      if (b.disabled !== undefined && b.disabled !== (cur.disabled === true)) {
        next.disabled = b.disabled;
        if (b.disabled) next.tokenVersion = (next.tokenVersion ?? cur.tokenVersion ?? 0) + (b.password ? 0 : 1);
      }
      const saved = unwrap(await ctx.store.admin.saveUser(next, auditBy(ctx, s.user), 'update'));
      if (
        b.password ||
        saved.disabled !== cur.disabled ||
        saved.role !== cur.role ||
        saved.orgId !== cur.orgId ||
        saved.merchantId !== cur.merchantId
      )
        ctx.realtime.userChanged(saved.id);
      const actor = req.actor;
      if (b.password && actor?.kind === 'user' && actor.user.id === saved.id) {
        // Changing one's own password ends one's other sessions, not this one: it gets a fresh token.
        const { token, claims } = issueSessionToken(
          ctx.secrets.session,
          saved.id,
          saved.tokenVersion ?? 0,
          ctx.now().getTime(),
          ctx.sessionSeconds,
        );
        res.cookie('huika_session', token, {
          httpOnly: true,
          sameSite: 'strict',
          path: '/',
          secure: !!ctx.secureCookies,
          maxAge: claims.e - claims.i,
        });
        return res.json({ ...publicUser(saved, s.orgs), token });
      }
      res.json(publicUser(saved, s.orgs));
    }),
  );

  return r;
}

/** The request schemas above, for the OpenAPI document (server/routes/openapi.ts). */
export const adminUserSchemas = { createBody, updateBody };
