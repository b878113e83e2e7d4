/** Who is asking: a terminal (its Bearer token) or a portal user (session token, as Bearer or cookie). */
import type { NextFunction, Request, Response } from 'express';
import type { Store as Shop, Terminal, User } from '../../core/domain.ts';
import { AppError } from '../../core/errors.ts';
import type { AppContext } from '../context.ts';
import { sha256 } from '../security/hashing.ts';
import { verifySessionToken, type SessionClaims } from '../security/session-token.ts';

export type Actor = { kind: 'terminal'; terminal: Terminal; shop: Shop } | { kind: 'user'; user: User; session: SessionClaims };

declare module 'express-serve-static-core' {
  interface Request {
    actor?: Actor;
  }
}

export function tokenFrom(req: Request): string | undefined {
  const h = req.headers.authorization;
  if (h?.startsWith('Bearer ')) return h.slice(7).trim();
  return sessionCookie(req);
}

/** The session token of the `huika_session` cookie; a malformed one counts as none. */
export function sessionCookie(req: Request): string | undefined {
  const cookie = req.headers.cookie?.split(/;\s*/).find((c) => c.startsWith('huika_session='));
  if (!cookie) return undefined;
  try {
    return decodeURIComponent(cookie.slice('huika_session='.length));
  } catch {
    return undefined;
  }
}

export async function resolveActor(ctx: AppContext, token: string | undefined): Promise<Actor | undefined> {
  if (!token) return undefined;
  if (token.startsWith('st_')) {
    const claims = verifySessionToken(ctx.secrets.session, token, ctx.now().getTime());
    const user = claims ? await ctx.store.user(claims.u) : undefined;
    if (!claims || !user || user.disabled || (user.demoOnly && !ctx.demo)) return undefined;
    // Server-side revocation: a changed password ends older tokens, a sign-out ends its own.
    if (claims.v !== (user.tokenVersion ?? 0) || (await ctx.store.sessionRevoked(claims.s))) return undefined;
    return { kind: 'user', user, session: claims };
  }
  const terminal = await ctx.store.terminalByTokenHash(sha256(token));
  if (!terminal) return undefined;
  const shop = await ctx.store.shop(terminal.storeId);
  return shop ? { kind: 'terminal', terminal, shop } : undefined;
}

export function authenticate(ctx: AppContext) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const actor = await resolveActor(ctx, tokenFrom(req));
    if (!actor) throw new AppError('UNAUTHENTICATED');
    if (actor.kind === 'terminal') ctx.realtime.presence.seenAt(actor.terminal.id, ctx.now());
    req.actor = actor;
    next();
  };
}

export function requireTerminal(req: Request): Extract<Actor, { kind: 'terminal' }> {
  const a = req.actor;
  if (a?.kind !== 'terminal') throw new AppError('FORBIDDEN', 'Only an enrolled terminal may do this.');
  return a;
}

export function requireUser(req: Request, roles?: readonly User['role'][]): User {
  const a = req.actor;
  if (a?.kind !== 'user') throw new AppError('FORBIDDEN', 'Only a signed-in portal user may do this.');
  if (roles && !roles.includes(a.user.role)) throw new AppError('FORBIDDEN', `This needs one of the roles: ${roles.join(', ')}.`);
  return a.user;
}
