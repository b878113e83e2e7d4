import { Router, type RequestHandler } from 'express';
import { quoteRequestSchema } from '../../core/wire.ts';
import type { AppContext } from '../context.ts';
import { requireTerminal } from '../http/auth.ts';
import { parseOr400, route } from '../http/errors.ts';
import { createQuote } from '../services/quote-service.ts';

/** POST /api/v1/quotes. app.ts also mounts it ahead of the API router: it is the path a till waits on. */
export function postQuote(ctx: AppContext): RequestHandler {
  return route(async (req, res) => {
    const actor = requireTerminal(req);
    const body = parseOr400(quoteRequestSchema, req.body);
    res.json(await createQuote(ctx, actor, body));
  });
}

export function quotesRouter(ctx: AppContext): Router {
  const r = Router();
  r.post('/quotes', postQuote(ctx));
  return r;
}
