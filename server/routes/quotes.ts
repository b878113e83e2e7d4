import { Router, type Request, type RequestHandler } from 'express';
import { quoteRequestSchema, type Quote } from '../../core/wire.ts';
import type { AppContext } from '../context.ts';
import { requireTerminal } from '../http/auth.ts';
import { parseOr400, route } from '../http/errors.ts';
import { createQuote } from '../services/quote-service.ts';

/** The quote for an authenticated request with a parsed body; shared with the front layer (server/http/hot-routes.ts). */
export async function quoteAnswer(ctx: AppContext, req: Request): Promise<Quote> {
  const actor = requireTerminal(req);
  const body = parseOr400(quoteRequestSchema, req.body);
  return createQuote(ctx, actor, body);
}

/** POST /api/v1/quotes. app.ts also mounts it ahead of the API router: it is the path a till waits on. */
export function postQuote(ctx: AppContext): RequestHandler {
  return route(async (req, res) => {
    res.json(await quoteAnswer(ctx, req));
  });
}

export function quotesRouter(ctx: AppContext): Router {
  const r = Router();
  r.post('/quotes', postQuote(ctx));
  return r;
}
