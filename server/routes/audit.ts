import { Router } from 'express';
import { headCheckQuerySchema, type HeadCheckResponse } from '../../core/wire-audit.ts';
import type { AppContext } from '../context.ts';
import { requireUser } from '../http/auth.ts';
import { parseOr400, route } from '../http/errors.ts';
import { signLedgerHead } from '../security/ledger-head-signature.ts';

export function auditRouter(ctx: AppContext): Router {
  const r = Router();
  r.get(
    '/audit/verify',
    route(async (req, res) => {
      requireUser(req, ['admin', 'union_auditor']);
      const check = await ctx.store.verifyLedger();
      if (!check.ok) ctx.log.warn({ check }, 'redemption log failed verification');
      res.json(check);
    }),
  );
  // The ledger head signed with the server's Ed25519 key: an auditor keeps it and checks later that
  // today's ledger extends it (security/ledger-head-signature.ts).
  r.get(
    '/audit/head',
    route(async (req, res) => {
      requireUser(req, ['admin', 'union_auditor']);
      res.json(signLedgerHead(await ctx.store.ledgerHead(), ctx.now(), ctx.secrets.signing));
    }),
  );
  r.get(
    '/audit/head/check',
    route(async (req, res) => {
      requireUser(req, ['admin', 'union_auditor']);
      const q = parseOr400(headCheckQuerySchema, req.query, 'query');
      const [check, hashNow] = await Promise.all([ctx.store.verifyLedger(), ctx.store.ledgerHashAt(q.seq)]);
      const head = signLedgerHead(await ctx.store.ledgerHead(), ctx.now(), ctx.secrets.signing);
      const same = hashNow === q.hash;
      const ok = same && check.ok;
      const message = ok
        ? `entry ${q.seq} still has the hash you saw, and the chain from it to entry ${head.seq} is whole · 今日账本延续了您上次看到的记录`
        : hashNow === undefined
          ? `the ledger now ends at entry ${head.seq}, before entry ${q.seq} you saw: history was cut off · 账本比您上次看到的短：记录被删除`
          : !same
            ? `entry ${q.seq} now has another hash than the one you saw: history was rewritten · 第 ${q.seq} 条记录已被改写`
            : `entry ${q.seq} is as you saw it, but the chain is broken: ${check.message ?? ''} · 账本链条损坏`;
      if (!ok) ctx.log.warn({ seq: q.seq, hashNow, chain: check }, 'an auditor’s earlier ledger head is not extended by today’s ledger');
      const body: HeadCheckResponse = { extends: ok, seq: q.seq, hashNow: hashNow ?? null, chainOk: check.ok, message, head };
      res.json(body);
    }),
  );
  return r;
}
