/**
 * The redemption log's hash chain. Each line is `{"seq","type","data","prevHash","hash"}` where hash is
 * SHA-256 of the exact bytes of the line without its hash field. Hashing the bytes as written (not a
 * re-serialisation) makes loading a million lines a parse and a hash each, and any edit visible.
 */
import { hash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

export interface ChainEntry<T = unknown> {
  seq: number;
  type: string;
  data: T;
  prevHash: string;
  hash: string;
}

const HASH_SUFFIX = /,"hash":"([0-9a-f]{64})"\}$/;
const SUFFIX_LEN = ',"hash":"'.length + 64 + '"}'.length;

/** One-shot hashing: ~20% faster than createHash().update().digest() over a million short lines. */
export function sha256hex(s: string): string {
  return hash('sha256', s, 'hex');
}

export function seal<T>(seq: number, type: string, data: T, prevHash: string): { entry: ChainEntry<T>; line: string } {
  const body = JSON.stringify({ seq, type, data, prevHash });
  const hash = sha256hex(body);
  return { entry: { seq, type, data, prevHash, hash }, line: `${body.slice(0, -1)},"hash":"${hash}"}` };
}

export type Unsealed = { ok: true; entry: ChainEntry } | { ok: false; why: string };

/** Parses one line and checks it against its own hash (the chain link is the caller's to check). */
export function unseal(line: string): Unsealed {
  const m = HASH_SUFFIX.exec(line);
  if (!m) return { ok: false, why: 'no hash field at the end of the entry' };
  const body = `${line.slice(0, -SUFFIX_LEN)}}`;
  if (sha256hex(body) !== m[1]) return { ok: false, why: 'entry content does not match its hash (edited)' };
  let parsed: ChainEntry;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { ok: false, why: 'not valid JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || typeof parsed.seq !== 'number' || typeof parsed.prevHash !== 'string') {
    return { ok: false, why: 'not a ledger entry' };
  }
  parsed.hash = m[1]!;
  return { ok: true, entry: parsed };
}

/** Best effort: which redemption a (possibly damaged) line is about, for audit reports. */
export function redemptionIdOf(line: string): string | undefined {
  return /"(?:id|redemptionId)":"(rd-[0-9]+)"/.exec(line)?.[1];
}
