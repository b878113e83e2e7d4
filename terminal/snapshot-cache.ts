/**
 * The offline snapshot as the terminal keeps it: checked against the server key pinned at enrollment
 * every time it is loaded, so an edited file on the till's disk is refused, not trusted.
 */
import { existsSync, readFileSync } from 'node:fs';
import { verify } from 'node:crypto';
import { join } from 'node:path';
import { signedSnapshotSchema, snapshotPayloadSchema, type SignedSnapshot, type SnapshotPayload } from '../core/wire-terminal.ts';
import { writeFileDurably } from '../platform/durable-file.ts';

export type SnapshotMember = SnapshotPayload['members'][number];
export type SnapshotCard = SnapshotPayload['cards'][number];

export class SnapshotCache {
  payload: SnapshotPayload | undefined;
  private byMemberHash = new Map<string, SnapshotMember>();
  private byMemberId = new Map<string, SnapshotMember>();
  private byCardHash = new Map<string, SnapshotCard>();
  private readonly file: string;

  constructor(
    dir: string,
    private readonly publicKey: string,
  ) {
    this.file = join(dir, 'snapshot.json');
  }

  /** Loads the saved snapshot; a damaged or forged one is reported and ignored (the next sync replaces it). */
  load(): { ok: true } | { ok: false; message: string } {
    if (!existsSync(this.file)) return { ok: true };
    try {
      return this.accept(JSON.parse(readFileSync(this.file, 'utf8')), false);
    } catch (err) {
      return { ok: false, message: `${this.file} is not valid JSON (${(err as Error).message})` };
    }
  }

  /** Checks and installs a snapshot from the server, then saves it. */
  replace(signed: unknown): { ok: true } | { ok: false; message: string } {
    return this.accept(signed, true);
  }

  private accept(raw: unknown, save: boolean): { ok: true } | { ok: false; message: string } {
    const s = signedSnapshotSchema.safeParse(raw);
    if (!s.success) return { ok: false, message: 'snapshot is not {payload, signature}' };
    const good = verify(null, Buffer.from(s.data.payload), this.publicKey, Buffer.from(s.data.signature, 'base64'));
    if (!good) return { ok: false, message: 'snapshot signature does not match the server key pinned at enrollment' };
    const p = snapshotPayloadSchema.safeParse(JSON.parse(s.data.payload));
    if (!p.success) return { ok: false, message: `snapshot payload is not valid: ${p.error.issues[0]?.message}` };
    this.install(p.data);
    if (save) writeFileDurably(this.file, JSON.stringify(s.data satisfies SignedSnapshot));
    return { ok: true };
  }

  private install(p: SnapshotPayload): void {
    this.payload = p;
    this.byMemberHash = new Map(p.members.map((m) => [m.h, m]));
    this.byMemberId = new Map(p.members.map((m) => [m.id, m]));
    this.byCardHash = new Map(p.cards.map((c) => [c.h, c]));
  }

  memberByHash(h: string) {
    return this.byMemberHash.get(h);
  }
  memberById(id: string) {
    return this.byMemberId.get(id);
  }
  cardByHash(h: string) {
    return this.byCardHash.get(h);
  }

  ageSeconds(now: Date): number {
    return this.payload ? (now.getTime() - Date.parse(this.payload.issuedAt)) / 1000 : Infinity;
  }
}
