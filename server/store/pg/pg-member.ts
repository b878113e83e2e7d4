/**
 * The members' side on PostgreSQL (member-store.ts). One feedback per redemption is the unique index on
 * redemption_id; device limits and complaint steps lock the rows they check.
 */
import type pg from 'pg';
import type { AuditBy } from '../admin-store.ts';
import {
  passwordResetAudit,
  type ComplaintAdvance,
  type Feedback,
  type FeedbackAdd,
  type FeedbackFilter,
  type MemberCredential,
  type MemberDevice,
  type MemberSideStore,
} from '../member-store.ts';
import { all, inTransaction, one } from './pool.ts';
import { appendAudit, lockAudit } from './sql/audit-append.ts';
import { feedbackListQuery } from './sql/list-feedback.ts';

type Doc<T> = { doc: T };

export class PgMemberSide implements MemberSideStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly track: (err: unknown) => unknown,
  ) {}

  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>, keep?: (out: T) => boolean): Promise<T> {
    try {
      return await inTransaction(this.pool, fn, keep ? { keep } : {});
    } catch (err) {
      throw this.track(err);
    }
  }

  async credential(memberId: string) {
    return (await one<Doc<MemberCredential>>(this.pool, 'SELECT doc FROM member_credentials WHERE member_id = $1', [memberId]))?.doc;
  }

  async putCredentials(creds: readonly MemberCredential[]) {
    await this.tx(async (c) => {
      await c.query(
        `INSERT INTO member_credentials (member_id, doc) SELECT * FROM unnest($1::text[], $2::jsonb[])
         ON CONFLICT (member_id) DO UPDATE SET doc = EXCLUDED.doc`,
        [creds.map((x) => x.memberId), creds.map((x) => JSON.stringify(x))],
      );
    });
  }

  async resetCredential(cred: MemberCredential, by: AuditBy, orgId: string) {
    await this.tx(async (c) => {
      const head = await lockAudit(c);
      await c.query(
        'INSERT INTO member_credentials (member_id, doc) VALUES ($1, $2) ON CONFLICT (member_id) DO UPDATE SET doc = EXCLUDED.doc',
        [cred.memberId, JSON.stringify(cred)],
      );
      const at = by.at.toISOString();
      await c.query(
        `UPDATE member_devices SET revoked_at = $2::timestamptz, doc = doc || jsonb_build_object('revokedAt', $3::text) WHERE member_id = $1 AND revoked_at IS NULL`,
        [cred.memberId, at, at],
      );
      await appendAudit(c, head, passwordResetAudit(cred, by, orgId));
    });
  }

  async device(id: string) {
    return (await one<Doc<MemberDevice>>(this.pool, 'SELECT doc FROM member_devices WHERE id = $1', [id]))?.doc;
  }

  async addDevice(dev: MemberDevice, keep: number) {
    return this.tx(async (c): Promise<{ kind: 'ok' } | { kind: 'refused'; code: 'CONFLICT' }> => {
      // The member's row serialises their device registrations, so `keep` holds under concurrency.
      await c.query('SELECT 1 FROM members WHERE id = $1 FOR UPDATE', [dev.memberId]);
      if ((await c.query('SELECT 1 FROM member_devices WHERE id = $1', [dev.id])).rowCount) return { kind: 'refused', code: 'CONFLICT' };
      const active = (
        await c.query<{ id: string }>('SELECT id FROM member_devices WHERE member_id = $1 AND revoked_at IS NULL ORDER BY created_at', [
          dev.memberId,
        ])
      ).rows;
      const old = active.slice(0, Math.max(0, active.length - keep + 1)).map((r) => r.id);
      if (old.length)
        await c.query(
          `UPDATE member_devices SET revoked_at = $2::timestamptz, doc = doc || jsonb_build_object('revokedAt', $3::text) WHERE id = ANY($1::text[])`,
          [old, dev.createdAt, dev.createdAt],
        );
      // Revoked devices older than a day are forgotten: their codes died long ago.
      await c.query(`DELETE FROM member_devices WHERE revoked_at IS NOT NULL AND revoked_at < $1::timestamptz - interval '1 day'`, [
        dev.createdAt,
      ]);
      await c.query('INSERT INTO member_devices (id, member_id, created_at, revoked_at, doc) VALUES ($1, $2, $3, $4, $5)', [
        dev.id,
        dev.memberId,
        dev.createdAt,
        dev.revokedAt,
        JSON.stringify(dev),
      ]);
      return { kind: 'ok' };
    });
  }

  async revokeDevice(id: string, now: Date) {
    await this.tx(async (c) => {
      await c.query(
        `UPDATE member_devices SET revoked_at = $2::timestamptz, doc = doc || jsonb_build_object('revokedAt', $3::text) WHERE id = $1 AND revoked_at IS NULL`,
        [id, now.toISOString(), now.toISOString()],
      );
    });
  }

  async activeDevicesOf(memberIds: ReadonlySet<string>) {
    return (
      await all<Doc<MemberDevice>>(
        this.pool,
        'SELECT doc FROM member_devices WHERE member_id = ANY($1::text[]) AND revoked_at IS NULL ORDER BY created_at',
        [[...memberIds]],
      )
    ).map((r) => r.doc);
  }

  async addFeedback(f: Feedback): Promise<FeedbackAdd> {
    return this.tx(async (c): Promise<FeedbackAdd> => {
      const ins = await c.query(
        `INSERT INTO feedback (id, redemption_id, member_id, member_org_id, merchant_id, created_at, complaint_status, doc)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (redemption_id) DO NOTHING`,
        [f.id, f.redemptionId, f.memberId, f.memberOrgId, f.merchantId, f.createdAt, f.complaint?.status ?? null, JSON.stringify(f)],
      );
      if (ins.rowCount) return { kind: 'created', feedback: f };
      const existing = (await c.query<Doc<Feedback>>('SELECT doc FROM feedback WHERE redemption_id = $1', [f.redemptionId])).rows[0]!.doc;
      return { kind: 'exists', feedback: existing };
    });
  }

  async feedback(f: FeedbackFilter) {
    const q = feedbackListQuery(f);
    return (await all<Doc<Feedback>>(this.pool, q.text, q.values)).map((r) => r.doc);
  }

  async feedbackById(id: string) {
    return (await one<Doc<Feedback>>(this.pool, 'SELECT doc FROM feedback WHERE id = $1', [id]))?.doc;
  }

  async advanceComplaint(id: string, to: 'answered' | 'closed', by: string, now: Date, answer?: string): Promise<ComplaintAdvance> {
    return this.tx(
      async (c): Promise<ComplaintAdvance> => {
        const x = (await c.query<Doc<Feedback>>('SELECT doc FROM feedback WHERE id = $1 FOR UPDATE', [id])).rows[0]?.doc;
        if (!x?.complaint) return { kind: 'refused', code: 'NOT_FOUND', message: 'no such complaint' };
        const from = to === 'answered' ? 'open' : 'answered';
        if (x.complaint.status !== from)
          return {
            kind: 'refused',
            code: 'CONFLICT',
            message: `the complaint is ${x.complaint.status}; only an ${from} one can become ${to}`,
          };
        const at = now.toISOString();
        const next: Feedback = {
          ...x,
          complaint:
            to === 'answered'
              ? { ...x.complaint, status: 'answered', answer: answer ?? '', answeredBy: by, answeredAt: at }
              : { ...x.complaint, status: 'closed', closedBy: by, closedAt: at },
        };
        await c.query('UPDATE feedback SET complaint_status = $2, doc = $3 WHERE id = $1', [
          id,
          next.complaint!.status,
          JSON.stringify(next),
        ]);
        return { kind: 'advanced', feedback: next };
      },
      (r) => r.kind === 'advanced',
    );
  }
}
