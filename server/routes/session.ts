import { Router } from 'express';
import { AppError } from '../../core/errors.ts';
import { sessionRequestSchema } from '../../core/wire.ts';
import type { AppContext } from '../context.ts';
import { parseOr400, route } from '../http/errors.ts';
import { verifyPassword } from '../security/hashing.ts';
import { issueSessionToken } from '../security/session-token.ts';

export function sessionRouter(ctx: AppContext): Router {
  const r = Router();
  r.post(
    '/session',
    route(async (req, res) => {
      const body = parseOr400(sessionRequestSchema, req.body);
      const user = await ctx.store.userByUsername(body.username);
      const ok = user && !(user.demoOnly && !ctx.demo) && (await verifyPassword(body.password, user.passwordHash));
      if (!ok) throw new AppError('BAD_CREDENTIALS');
      const token = issueSessionToken(ctx.secrets.session, user.id, ctx.now().getTime());
      res.cookie('huika_session', token, { httpOnly: true, sameSite: 'strict', path: '/' });
      res.json({
        token,
        user: { id: user.id, username: user.username, displayName: user.displayName, role: user.role, orgId: user.orgId, merchantId: user.merchantId },
      });
    }),
  );
  r.delete('/session', (_req, res) => {
    // Tokens are stateless and expire on their own; signing out forgets the page's cookie.
    res.clearCookie('huika_session', { httpOnly: true, sameSite: 'strict', path: '/' });
    res.status(204).end();
  });
  return r;
}
