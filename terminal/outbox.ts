/**
 * Offline redemptions, queued durably (fsync'd lowdb) before the cashier sees "done", and uploaded
 * with their idempotency keys once the server answers. Upload is safe to repeat: the server replays.
 */
import type { LowSync } from 'lowdb';
import type { OfflineRedemption } from '../core/wire-terminal.ts';
import type { TerminalState, OutboxEntry } from './local-state.ts';
import { ServerUnreachable, type ServerApi } from './server-api.ts';

const BATCH = 100;

export class Outbox {
  private flushing: Promise<{ uploaded: number }> | undefined;

  constructor(
    private readonly db: LowSync<TerminalState>,
    private readonly onChange: () => void,
  ) {}

  add(item: OfflineRedemption, memberNoMasked: string, now: Date): OutboxEntry {
    const entry: OutboxEntry = { item, state: 'pending', reasons: [], memberNoMasked, queuedAt: now.toISOString() };
    this.db.data.outbox.push(entry);
    try {
      this.db.write(); // on disk before the cashier is told it is recorded
    } catch (err) {
      // Not on disk, so not recorded: the sale is refused, and no later write may save it half-told.
      const i = this.db.data.outbox.lastIndexOf(entry);
      if (i >= 0) this.db.data.outbox.splice(i, 1);
      throw err;
    }
    this.onChange();
    return entry;
  }

  entries(): readonly OutboxEntry[] {
    return this.db.data.outbox;
  }

  pendingCount(): number {
    return this.db.data.outbox.filter((e) => e.state === 'pending').length;
  }

  /** What offline quoting must count: every offline sale not rejected by the server. */
  usage(): Array<{ memberId: string; createdAt: string; offerIds: string[] }> {
    return this.db.data.outbox
      .filter((e) => e.state !== 'rejected')
      .map((e) => ({ memberId: e.item.memberId, createdAt: e.item.createdAt, offerIds: e.item.lines.map((l) => l.agreementId) }));
  }

  /**
   * Forgets what the server settled more than `keepDays` ago, so terminal.json (rewritten on every
   * offline sale) stays small. Pending entries are never dropped.
   */
  prune(now: Date, keepDays = 7): number {
    const cutoff = now.getTime() - keepDays * 24 * 3600_000;
    const all = this.db.data.outbox;
    this.db.data.outbox = all.filter((e) => e.state === 'pending' || !e.uploadedAt || Date.parse(e.uploadedAt) >= cutoff);
    const dropped = all.length - this.db.data.outbox.length;
    if (!dropped) return 0;
    try {
      this.db.write();
    } catch {
      this.db.data.outbox = all; // pruning waits for the next sale
      return 0;
    }
    return dropped;
  }

  /** Uploads everything pending; concurrent callers share one run. */
  flush(api: ServerApi, now: () => Date): Promise<{ uploaded: number }> {
    this.flushing ??= this.run(api, now).finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async run(api: ServerApi, now: () => Date): Promise<{ uploaded: number }> {
    let uploaded = 0;
    for (;;) {
      const batch = this.db.data.outbox.filter((e) => e.state === 'pending').slice(0, BATCH);
      if (batch.length === 0) return { uploaded };
      let reply: Awaited<ReturnType<typeof api.uploadOffline>>;
      try {
        reply = await api.uploadOffline(batch.map((e) => e.item));
      } catch (err) {
        if (err instanceof ServerUnreachable) return { uploaded };
        throw err;
      }
      // What the batch was: put back if the answer cannot be saved (the server replays it on the next upload).
      const saved = batch.map((e) => ({ ...e }));
      const save = () => {
        try {
          this.db.write();
        } catch (err) {
          for (const [i, e] of batch.entries()) Object.assign(e, saved[i]);
          throw err;
        }
      };
      if (!reply.ok) {
        // The whole batch was refused (e.g. revoked token): keep it queued, say why.
        for (const e of batch) e.reasons = [{ code: reply.error.code, message: reply.error.message }];
        save();
        this.onChange();
        return { uploaded };
      }
      const at = now().toISOString();
      for (const r of reply.body.results) {
        const e = batch.find((x) => x.item.idempotencyKey === r.idempotencyKey);
        if (!e) continue;
        e.state = r.outcome;
        e.reasons = r.reasons;
        e.uploadedAt = at;
        if (r.redemption) {
          e.serverId = r.redemption.id;
          e.serverHash = r.redemption.hash;
        }
        uploaded++;
      }
      save();
      this.onChange();
    }
  }
}
