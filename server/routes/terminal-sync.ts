/** What a terminal needs to keep working through an outage: its snapshot, and the upload of what it did. */
import { Router } from 'express';
import { offlineUploadSchema } from '../../core/wire-terminal.ts';
import type { AppContext } from '../context.ts';
import { requireTerminal } from '../http/auth.ts';
import { parseOr400, route } from '../http/errors.ts';
import { acceptOffline } from '../services/offline-service.ts';
import { buildSnapshot } from '../services/snapshot-service.ts';

export function terminalSyncRouter(ctx: AppContext): Router {
  const r = Router();
  r.get(
    '/terminal/snapshot',
    route(async (req, res) => {
      res.json(await buildSnapshot(ctx, requireTerminal(req)));
    }),
  );
  r.post(
    '/redemptions/offline',
    route(async (req, res) => {
      const actor = requireTerminal(req);
      const { items } = parseOr400(offlineUploadSchema, req.body);
      const results = [];
      // One at a time, in the order the till made them, so limits are judged in sale order.
      for (const item of items) results.push(await acceptOffline(ctx, actor, item));
      ctx.log.info(
        { terminalId: actor.terminal.id, uploaded: items.length, outcomes: results.map((x) => x.outcome) },
        'offline redemptions uploaded',
      );
      res.json({ results });
    }),
  );
  return r;
}
