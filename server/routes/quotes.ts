import { Router } from 'express';
import { quoteRequestSchema } from '../../core/wire.ts';
import type { AppContext } from '../context.ts';
import { requireTerminal } from '../http/auth.ts';
import { parseOr400, route } from '../http/errors.ts';
import { createQuote } from '../services/quote-service.ts';

export function quotesRouter(ctx: AppContext): Router {
  const r = Router();
  r.post(
    '/quotes',
    route(async (req, res) => {
      const actor = requireTerminal(req);
      const body = parseOr400(quoteRequestSchema, req.body);
      res.json(await createQuote(ctx, actor, body));
    }),
  );
  return r;
}
