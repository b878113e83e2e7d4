/**
 * Members: search, export, suspend/reinstate, and the CSV import (dry run, per-row errors, all or
 * nothing, progress by polling the job). Scope: the caller's union subtree; anything else is 404.
 */
import express, { Router } from 'express';
import { z } from 'zod';
import { idSchema, memberStatus, type Member } from '../../core/domain.ts';
import { AppError } from '../../core/errors.ts';
import type { AppContext } from '../context.ts';
import { parseOr400, route } from '../http/errors.ts';
import { offlineHash } from '../../core/offline-hash.ts';
import { panHash } from '../security/hashing.ts';
import { adminScope, auditBy, orgName, unwrap, type AdminScope } from '../services/admin-scope.ts';
import { toCsv } from '../services/csv.ts';
import { membersCsv } from '../services/csv-admin.ts';
import { csvFormatOf } from '../services/csv-redemptions.ts';
import { decodeCsv, ImportJobs } from '../services/import-jobs.ts';
import { IMPORT_COLUMNS, IMPORT_TEMPLATE_ROWS } from '../services/member-import.ts';
import { issueActivationCodes, sendCodes } from './member-admin.ts';

const listQuery = z.object({
  q: z.string().max(50).optional(),
  orgId: idSchema.optional(),
  status: memberStatus.optional(),
  /** Keyset paging: the previous page's nextCursor (a member number). Pages stay exact and cost the same however deep. */
  cursor: z
    .string()
    .regex(/^\d{1,20}$/)
    .optional(),
  /** Kept for older clients; prefer cursor (an offset re-reads every row before it). */
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
const importQuery = z.object({
  dryRun: z
    .enum(['1', '0', 'true', 'false'])
    .default('0')
    .transform((v) => v === '1' || v === 'true'),
  fileName: z.string().max(200).default('members.csv'),
});
const statusBody = z.object({ status: memberStatus });

/** Uploads up to 32 MB: about 400,000 rows, far above a prefecture union's 76,000 members. */
const csvBody = express.raw({ type: () => true, limit: '32mb' });

export function adminMembersRouter(ctx: AppContext): Router {
  const r = Router();
  const jobs = new ImportJobs();

  async function memberView(s: AdminScope, m: Member) {
    const cards = await ctx.store.admin.cardsOf(m.id);
    return {
      ...m,
      orgName: orgName(s.orgs, m.orgId),
      cards: cards.map((c) => ({ id: c.id, last4: c.last4, status: c.status, updatedAt: c.updatedAt })),
    };
  }

  async function inScope(s: AdminScope, id: string): Promise<Member> {
    const m = await ctx.store.member(id);
    if (!m || !s.subtree.has(m.orgId)) throw new AppError('NOT_FOUND');
    return m;
  }

  function filterOf(s: AdminScope, q: z.infer<typeof listQuery>) {
    if (q.orgId && !s.subtree.has(q.orgId)) throw new AppError('NOT_FOUND', 'No such union in your scope.');
    return {
      orgIds: s.subtree,
      ...(q.q ? { q: q.q } : {}),
      ...(q.status ? { status: q.status } : {}),
      ...(q.orgId ? { orgId: q.orgId } : {}),
    };
  }

  r.get(
    '/admin/orgs',
    route(async (req, res) => {
      const s = await adminScope(ctx, req, 'read');
      res.json({ items: s.orgs.filter((o) => s.subtree.has(o.id)) });
    }),
  );

  r.get(
    '/admin/members',
    route(async (req, res) => {
      const s = await adminScope(ctx, req, 'read');
      const q = parseOr400(listQuery, req.query, 'query');
      const page = await ctx.store.admin.members({
        ...filterOf(s, q),
        ...(q.cursor ? { after: q.cursor } : {}),
        offset: q.offset,
        limit: q.limit,
      });
      res.json({
        items: await Promise.all(page.items.map((m) => memberView(s, m))),
        total: page.total,
        ...(page.totalIsLowerBound ? { totalIsLowerBound: true } : {}),
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
        offset: q.offset,
        limit: q.limit,
      });
    }),
  );

  r.get(
    '/admin/members.csv',
    route(async (req, res) => {
      const s = await adminScope(ctx, req, 'read');
      const q = parseOr400(listQuery, req.query, 'query');
      const { items } = await ctx.store.admin.members({ ...filterOf(s, q), offset: 0, limit: Number.MAX_SAFE_INTEGER });
      const rows = [];
      for (const m of items) rows.push({ member: m, orgName: orgName(s.orgs, m.orgId), cards: await ctx.store.admin.cardsOf(m.id) });
      const tz = s.orgs.find((o) => o.id === s.user.orgId)?.timeZone ?? 'Asia/Shanghai';
      res
        .type('text/csv; charset=utf-8')
        .set('Content-Disposition', 'attachment; filename="members.csv"')
        .send(membersCsv(rows, csvFormatOf(req.query), tz));
    }),
  );

  r.get(
    '/admin/members/import-template.csv',
    route(async (req, res) => {
      await adminScope(ctx, req, 'read');
      res
        .type('text/csv; charset=utf-8')
        .set('Content-Disposition', 'attachment; filename="member-import-template.csv"')
        .send(toCsv(IMPORT_COLUMNS, IMPORT_TEMPLATE_ROWS));
    }),
  );

  r.get(
    '/admin/members/:id',
    route(async (req, res) => {
      const s = await adminScope(ctx, req, 'read');
      res.json(await memberView(s, await inScope(s, String(req.params.id))));
    }),
  );

  r.post(
    '/admin/members/:id/status',
    route(async (req, res) => {
      const s = await adminScope(ctx, req, 'write');
      const m = await inScope(s, String(req.params.id));
      const { status } = parseOr400(statusBody, req.body);
      const saved = unwrap(await ctx.store.admin.setMemberStatus(m.id, status, auditBy(ctx, s.user)));
      ctx.log.info({ memberId: m.id, status, by: s.user.id }, 'member status changed');
      res.json(await memberView(s, saved));
    }),
  );

  /** Body: the CSV file itself (any content type). Answers 202 with the job; poll GET /admin/imports/:id. */
  r.post(
    '/admin/members/import',
    csvBody,
    route(async (req, res) => {
      const s = await adminScope(ctx, req, 'write');
      const q = parseOr400(importQuery, req.query, 'query');
      if (!Buffer.isBuffer(req.body) || req.body.length === 0) {
        throw new AppError('VALIDATION_FAILED', 'Send the CSV file as the request body.', [{ path: '(body)', message: 'empty' }]);
      }
      const job = jobs.start(
        ctx.store,
        {
          text: decodeCsv(req.body),
          fileName: q.fileName,
          dryRun: q.dryRun,
          by: auditBy(ctx, s.user),
          rowCtx: {
            mayUseOrg: (o) => s.subtree.has(o),
            hashPan: (pan) => panHash(ctx.secrets.pan, pan),
            offlineHash: (pan) => offlineHash(ctx.secrets.offline, 'pan', pan),
          },
          mayTouch: (o) => s.subtree.has(o),
        },
        ctx.now,
      );
      res.status(202).location(`/api/v1/admin/imports/${job.id}`).json(job);
    }),
  );

  r.get(
    '/admin/imports/:id',
    route(async (req, res) => {
      const s = await adminScope(ctx, req, 'write');
      const job = jobs.get(String(req.params.id));
      if (!job || job.ownerId !== s.user.id) throw new AppError('NOT_FOUND');
      res.json(job);
    }),
  );

  /**
   * The activation codes of an import's members who got no first password: made now, shown this once
   * (a second download is 409; a lost sheet means resetting those members one by one).
   */
  r.post(
    '/admin/imports/:id/activation-codes',
    route(async (req, res) => {
      const s = await adminScope(ctx, req, 'write');
      const job = jobs.get(String(req.params.id));
      if (!job || job.ownerId !== s.user.id) throw new AppError('NOT_FOUND');
      if (!job.written || !job.activationCodes)
        throw new AppError('CONFLICT', '此次导入没有待发放的激活码 · This import left no member waiting for an activation code.');
      const memberNos = jobs.takeCodeMembers(job.id, ctx.now());
      if (!memberNos) throw new AppError('CONFLICT', '激活码已下载过一次 · The activation codes of this import were downloaded already.');
      const members = [];
      for (const no of memberNos) {
        const m = await ctx.store.memberByNo(no);
        if (m && s.subtree.has(m.orgId)) members.push(m);
      }
      const csv = await issueActivationCodes(ctx, members, s.orgs);
      ctx.log.info({ importId: job.id, count: csv.count, by: s.user.id }, 'member activation codes issued after import');
      sendCodes(res, csv.text, `activation-codes-${job.id}.csv`);
    }),
  );

  return r;
}

/** The request schemas above, for the OpenAPI document (server/routes/openapi.ts). */
export const adminMemberSchemas = { listQuery, importQuery, statusBody };
