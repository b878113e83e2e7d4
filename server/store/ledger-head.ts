/**
 * ledger.head: the last ledger entry the server acknowledged (seq, hash, when), kept beside the ledger
 * so that cutting entries off the end of ledger.jsonl — even at a line boundary, where the chain
 * itself still looks whole — is found at the next start.
 *
 * Why two slots: the head is rewritten in place after every group commit (no rename, one small write
 * and one fdatasync). A crash mid-write can tear only the slot being written; the other slot still holds
 * the previous head, and each slot carries its own checksum, so a torn slot is told from a good one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DurableHandle, fsyncDir } from '../../platform/durable-file.ts';
import { sha256hex } from './hash-chain.ts';

export interface LedgerHead {
  seq: number;
  hash: string;
  at: string;
  /** Set when an operator started the server with --restore-from-backup on an older ledger. */
  restoredAt?: string;
  /** Write counter: the newer slot is the one with the higher n (seq goes back after a restore). */
  n?: number;
}

const SLOT = 512;
const FORMAT = 'huika-ledger-head/1';

function encode(h: LedgerHead): Buffer {
  const body = JSON.stringify({
    format: FORMAT,
    n: h.n ?? 0,
    seq: h.seq,
    hash: h.hash,
    at: h.at,
    ...(h.restoredAt ? { restoredAt: h.restoredAt } : {}),
  });
  const line = `${body.slice(0, -1)},"check":"${sha256hex(body)}"}`;
  if (line.length > SLOT - 1) throw new Error('ledger head does not fit its slot');
  return Buffer.from(`${line.padEnd(SLOT - 1, ' ')}\n`);
}

function decode(slot: string): LedgerHead | undefined {
  const m = /^(.*),"check":"([0-9a-f]{64})"\}\s*$/s.exec(slot);
  if (!m) return undefined;
  const body = `${m[1]}}`;
  if (sha256hex(body) !== m[2]) return undefined;
  try {
    const o = JSON.parse(body) as LedgerHead & { format: string };
    if (o.format !== FORMAT || !Number.isInteger(o.seq) || typeof o.hash !== 'string') return undefined;
    return { seq: o.seq, hash: o.hash, at: o.at, n: Number(o.n ?? 0), ...(o.restoredAt ? { restoredAt: o.restoredAt } : {}) };
  } catch {
    return undefined;
  }
}

/** The good slot written last; `damaged` when the file exists but no slot can be read. */
export function readLedgerHead(file: string): { head?: LedgerHead; slot?: number; damaged?: boolean } {
  if (!existsSync(file)) return {};
  const buf = readFileSync(file);
  const slots = [0, 1].map((i) => decode(buf.toString('utf8', i * SLOT, Math.min(buf.length, (i + 1) * SLOT))));
  let slot = -1;
  for (let i = 0; i < 2; i++) if (slots[i] && (slot < 0 || slots[i]!.n! > slots[slot]!.n!)) slot = i;
  if (slot < 0) return buf.length === 0 ? {} : { damaged: true };
  return { head: slots[slot]!, slot };
}

export class LedgerHeadFile {
  private written: LedgerHead | undefined;
  /** Alternates on every write: the slot not being written always holds the previous head. */
  private slot = 0;
  private constructor(
    readonly file: string,
    private readonly fh: DurableHandle,
  ) {}

  static async open(file: string): Promise<LedgerHeadFile> {
    const current = readLedgerHead(file);
    const fresh = !existsSync(file);
    const h = new LedgerHeadFile(file, await DurableHandle.open(file, fresh ? 'w+' : 'r+', 0o600));
    if (fresh) fsyncDir(dirname(file));
    h.written = current.head;
    h.slot = current.slot === 0 ? 1 : 0;
    return h;
  }

  get last(): LedgerHead | undefined {
    return this.written;
  }

  /** Records a head durably (the reader takes the good slot written last). */
  async record(head: LedgerHead): Promise<void> {
    const restoredAt = head.restoredAt ?? this.written?.restoredAt;
    const next = { ...head, n: (this.written?.n ?? 0) + 1, ...(restoredAt ? { restoredAt } : {}) };
    const slot = this.slot;
    await this.fh.writeAll(encode(next), slot * SLOT);
    await this.fh.datasync();
    this.slot = 1 - slot;
    this.written = next;
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}
