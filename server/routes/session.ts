/**
 * Portal sign-in and sign-out. Sign-in is throttled per username and address, and costs the same time
 * for an unknown username as for a known one (a dummy scrypt hash is checked). Sign-out ends the token on
 * the server, not only in the page's cookie.
 */
import { Router, type Request, type Response } from 'express';
import { AppError } from '../../core/errors.ts';
import { sessionRequestSchema } from '../../core/wire.ts';
import type { AppContext } from '../context.ts';
import { resolveActor, tokenFrom } from '../http/auth.ts';
import { parseOr400, route } from '../http/errors.ts';
import { dummyPasswordHash, verifyPassword } from '../security/hashing.ts';
import { issueSessionToken } from '../security/session-token.ts';
import { createSignInThrottle } from '../security/sign-in-throttle.ts';

/** The address a sign-in came from (the socket's; a proxy in front should be told to express with `trust proxy`). */
export const clientAddress = (req: Request) => req.ip ?? req.socket.remoteAddress ?? 'unknown';

export function sessionRouter(ctx: AppContext): Router {
  const r = Router();
  const throttle = ctx.signInThrottle ?? createSignInThrottle();
  const cookieOptions = { httpOnly: true, sameSite: 'strict', path: '/', secure: !!ctx.secureCookies } as const;

  r.post(
    '/session',
    route(async (req, res) => {
      const body = parseOr400(sessionRequestSchema, req.body);
      const address = clientAddress(req);
      await throttle.check(body.username, address);
      const user = await ctx.store.userByUsername(body.username);
      const usable = !!user && !user.disabled && !(user.demoOnly && !ctx.demo);
      // Always one scrypt: refusing an unknown name at once would tell which names exist.
      const matches = await verifyPassword(body.password, usable ? user.passwordHash : await dummyPasswordHash());
      if (!usable || !matches) {
        await throttle.failed(body.username, address);
        throw new AppError('BAD_CREDENTIALS');
      }
      await throttle.succeeded(body.username, address);
      const { token, claims } = issueSessionToken(
        ctx.secrets.session,
        user.id,
        user.tokenVersion ?? 0,
        ctx.now().getTime(),
        ctx.sessionSeconds,
      );
      res.cookie('huika_session', token, { ...cookieOptions, maxAge: claims.e - claims.i });
      res.json({
        token,
        user: {
          id: user.id,
          username: user.username,
          displayName: user.displayName,
          role: user.role,
          orgId: user.orgId,
          merchantId: user.merchantId,
        },
      });
    }),
  );

  r.delete(
    '/session',
    route(async (req: Request, res: Response) => {
      const actor = await resolveActor(ctx, tokenFrom(req));
      if (actor?.kind === 'user') {
        await ctx.store.revokeSession(actor.session.s, new Date(actor.session.e));
        ctx.realtime.sessionEnded(actor.session.s);
      }
      res.clearCookie('huika_session', cookieOptions);
      res.status(204).end();
    }),
  );
  return r;
}
