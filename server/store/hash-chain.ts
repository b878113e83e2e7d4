/** The redemption log's hash chain: each entry's hash covers its content and the previous hash. */
import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

export interface ChainEntry<T = unknown> {
  seq: number;
  type: string;
  data: T;
  prevHash: string;
  hash: string;
}

/** JSON with sorted keys, so the hash does not depend on property order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

export function entryHash(e: Omit<ChainEntry, 'hash'>): string {
  return createHash('sha256').update(canonicalJson({ seq: e.seq, type: e.type, data: e.data, prevHash: e.prevHash })).digest('hex');
}

export function seal<T>(seq: number, type: string, data: T, prevHash: string): ChainEntry<T> {
  const hash = entryHash({ seq, type, data, prevHash });
  return { seq, type, data, prevHash, hash };
}
