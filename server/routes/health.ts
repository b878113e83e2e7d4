/**
 * Liveness and readiness. /health says the process answers (and whether its store refuses writes);
 * /ready says whether a load balancer should send it work: 503 with a reason while it is starting,
 * draining after SIGTERM, or its store refuses writes.
 */
import { Router } from 'express';
import type { AppContext } from '../context.ts';

export function healthRouter(ctx: AppContext): Router {
  const r = Router();
  r.get('/health', (_req, res) => {
    const failure = ctx.store.writeFailure();
    if (failure) res.status(503).json({ status: 'failing', error: { code: 'STORAGE_FAILED', message: failure.message } });
    else res.json({ status: 'ok' });
  });
  r.get('/ready', (_req, res) => {
    const state = ctx.lifecycle?.state ?? 'serving';
    const failure = ctx.store.writeFailure();
    res.set('cache-control', 'no-store');
    if (state !== 'serving') res.status(503).json({ status: 'not-ready', reason: state });
    else if (failure) res.status(503).json({ status: 'not-ready', reason: 'store-refusing-writes', message: failure.message });
    else res.json({ status: 'ready', store: ctx.store.kind });
  });
  return r;
}
