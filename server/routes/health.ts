import { Router } from 'express';
import type { AppContext } from '../context.ts';

export function healthRouter(ctx: AppContext): Router {
  const r = Router();
  r.get('/health', (_req, res) => {
    const failure = ctx.store.writeFailure();
    if (failure) res.status(503).json({ status: 'failing', error: { code: 'STORAGE_FAILED', message: failure.message } });
    else res.json({ status: 'ok' });
  });
  return r;
}
