/**
 * What the embedded store keeps in memory of each redemption (`Meta`: who, where, when, which offers,
 * union money, status, and where its line is in ledger.jsonl), and a checkpoint of all of it.
 *
 * Why: a million redemptions are 660 MB of ledger. Parsing and hashing every line at start took 24 s;
 * the checkpoint (typed arrays plus a string table, written beside the ledger) loads in well under a
 * second, and only the lines written after it are replayed. Bodies are read from the ledger by offset.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { closeFile, fsyncDir, openFile, renameFile, StorageError, syncFile, writeAll } from '../../platform/durable-file.ts';
import { unseal } from './hash-chain.ts';

export interface Meta {
  /** Ledger entry number of the commit; the id is `redemptionId(seq)`. */
  seq: number;
  idempotencyKey: string;
  memberId: string;
  memberOrgId: string;
  merchantId: string;
  storeId: string;
  terminalId: string;
  createdMs: number;
  status: 'committed' | 'voided';
  voidedAt?: string;
  voidReason?: string;
  /** agreement ids of the lines, in order */
  offers: string[];
  campaignId?: string;
  /** Union money of the campaign line: what the campaign's budget and settlement count. */
  campaignFen: number;
  /** Union money of all lines: whether the redemption is union-funded at all. */
  unionFen: number;
  /**
   * Union money of union-funded lines other than the campaign line (an agreement the union co-funds), as
   * [offer id, fen]: each draws on that offer's budget and is settled like a campaign line.
   */
  extraDraws?: ReadonlyArray<readonly [offerId: string, fen: number]>;
  qrNonce?: string;
  /** Byte offset and length of the line in ledger.jsonl. */
  off: number;
  len: number;
}

export const redemptionId = (seq: number) => `rd-${String(seq).padStart(10, '0')}`;

const offerLists = new Map<string, string[]>();
/** One shared array per combination of offers: a million redemptions use a handful of them. */
export function internOffers(list: string[]): string[] {
  const key = list.join('\u0000');
  let shared = offerLists.get(key);
  if (!shared) offerLists.set(key, (shared = Object.freeze([...list]) as string[]));
  return shared;
}

const FORMAT = 'huika-ledger-index/1';

/** FNV-1a, 32 bits: the checkpoint stores it per key so loading need not hash a million strings again. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/**
 * Idempotency key → record, for the records loaded from a checkpoint: an open-addressing table over the
 * stored hashes. Building a Map of a million fresh strings costs ~0.6 s of string hashing; this ~30 ms.
 */
export class KeyTable {
  private readonly table: Int32Array;
  private readonly mask: number;
  constructor(
    private readonly metas: readonly Meta[],
    hashes: Int32Array,
  ) {
    let size = 1;
    while (size < metas.length * 2) size <<= 1;
    this.table = new Int32Array(size).fill(-1);
    this.mask = size - 1;
    for (let i = 0; i < metas.length; i++) {
      let p = hashes[i]! & this.mask;
      while (this.table[p] !== -1) p = (p + 1) & this.mask;
      this.table[p] = i;
    }
  }
  find(key: string): Meta | undefined {
    for (let p = fnv1a(key) & this.mask; this.table[p] !== -1; p = (p + 1) & this.mask) {
      const m = this.metas[this.table[p]!]!;
      if (m.idempotencyKey === key) return m;
    }
    return undefined;
  }
}

interface Header {
  format: typeof FORMAT;
  /** Ledger entries covered (commits and voids), the head hash after them, and the bytes they fill. */
  entries: number;
  headHash: string;
  byteOffset: number;
  /** Start of the last covered line, so a reader can check it against headHash. */
  lastLineStart: number;
  records: number;
  strings: string[];
  sections: Array<[name: string, bytes: number]>;
  qr: Array<[index: number, nonce: string]>;
  voids: Array<[index: number, at: string, reason: string]>;
  /** Meta.extraDraws of the few records that have them; absent in checkpoints written before. */
  draws?: Array<[index: number, offerId: string, fen: number]>;
}

export interface Checkpoint {
  entries: number;
  headHash: string;
  byteOffset: number;
  lastLineStart: number;
  metas: Meta[];
  /** FNV-1a of each meta's idempotency key (filled by readCheckpoint). */
  keyHashes?: Int32Array;
}

/** Writes the checkpoint atomically (temp file, fsync, rename). Covers exactly the metas given. */
export function writeCheckpoint(file: string, cp: Checkpoint): void {
  const strings: string[] = [];
  const ids = new Map<string, number>();
  const sid = (s: string | undefined) => {
    if (s === undefined) return -1;
    let i = ids.get(s);
    if (i === undefined) {
      i = strings.length;
      strings.push(s);
      ids.set(s, i);
    }
    return i;
  };
  const n = cp.metas.length;
  const seq = new Int32Array(n);
  const created = new Float64Array(n);
  const off = new Float64Array(n);
  const len = new Int32Array(n);
  const cols = {
    member: new Int32Array(n),
    org: new Int32Array(n),
    merchant: new Int32Array(n),
    store: new Int32Array(n),
    terminal: new Int32Array(n),
    campaign: new Int32Array(n),
  };
  const union = new Float64Array(n);
  const campaignFen = new Float64Array(n);
  const offerStart = new Int32Array(n + 1);
  const offerIds: number[] = [];
  const qr: Header['qr'] = [];
  const voids: Header['voids'] = [];
  const draws: NonNullable<Header['draws']> = [];
  const keys: string[] = new Array(n);
  const keyHash = new Int32Array(n);
  cp.metas.forEach((m, i) => {
    seq[i] = m.seq;
    created[i] = m.createdMs;
    off[i] = m.off;
    len[i] = m.len;
    cols.member[i] = sid(m.memberId);
    cols.org[i] = sid(m.memberOrgId);
    cols.merchant[i] = sid(m.merchantId);
    cols.store[i] = sid(m.storeId);
    cols.terminal[i] = sid(m.terminalId);
    cols.campaign[i] = sid(m.campaignId);
    union[i] = m.unionFen;
    campaignFen[i] = m.campaignFen;
    offerStart[i] = offerIds.length;
    for (const o of m.offers) offerIds.push(sid(o));
    keys[i] = m.idempotencyKey;
    keyHash[i] = fnv1a(m.idempotencyKey);
    if (m.qrNonce) qr.push([i, m.qrNonce]);
    if (m.status === 'voided') voids.push([i, m.voidedAt ?? '', m.voidReason ?? '']);
    for (const [o, fen] of m.extraDraws ?? []) draws.push([i, o, fen]);
  });
  offerStart[n] = offerIds.length;
  // Idempotency keys are [A-Za-z0-9_.:-] (wire schema): a newline cannot occur in one.
  const keyBlob = Buffer.from(keys.join('\n'), 'latin1');
  const parts: Array<[string, Buffer]> = [
    ['seq', Buffer.from(seq.buffer)],
    ['created', Buffer.from(created.buffer)],
    ['off', Buffer.from(off.buffer)],
    ['len', Buffer.from(len.buffer)],
    ...Object.entries(cols).map(([k, a]): [string, Buffer] => [k, Buffer.from(a.buffer)]),
    ['union', Buffer.from(union.buffer)],
    ['campaignFen', Buffer.from(campaignFen.buffer)],
    ['offerStart', Buffer.from(offerStart.buffer)],
    ['offerIds', Buffer.from(Int32Array.from(offerIds).buffer)],
    ['keys', keyBlob],
    ['keyHash', Buffer.from(keyHash.buffer)],
  ];
  const header: Header = {
    format: FORMAT,
    entries: cp.entries,
    headHash: cp.headHash,
    byteOffset: cp.byteOffset,
    lastLineStart: cp.lastLineStart,
    records: n,
    strings,
    sections: parts.map(([k, b]) => [k, b.length]),
    qr,
    voids,
    draws,
  };
  const head = Buffer.from(`${JSON.stringify(header)}\n`);
  const tmp = `${file}.tmp-${process.pid}`;
  let renamed = false;
  try {
    const fd = openFile(tmp, 'w', 0o600);
    try {
      writeAll(fd, head);
      for (const [, b] of parts) writeAll(fd, b);
      syncFile(fd);
    } finally {
      closeFile(fd);
    }
    renameFile(tmp, file);
    renamed = true;
    fsyncDir(dirname(file));
  } catch (err) {
    // A checkpoint is only a shortcut: the old one (or none) stays valid, since readCheckpoint checks it
    // against the ledger. A renamed one whose directory fsync failed is equally valid.
    if (!renamed) {
      try {
        unlinkSync(tmp);
      } catch {
        /* never created */
      }
    }
    throw new StorageError(`cannot write ${file}: ${(err as Error).message}`, err);
  }
}

/**
 * Reads a checkpoint and checks it still describes the ledger: the file is at least as long, and the
 * last covered line is the entry with the recorded head hash. Anything else → undefined (replay all).
 */
export function readCheckpoint(file: string, ledgerFile: string): { cp: Checkpoint } | { why: string } {
  if (!existsSync(file)) return { why: 'no checkpoint' };
  let buf: Buffer;
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    buf = Buffer.allocUnsafe(size);
    readSync(fd, buf, 0, size, 0);
  } finally {
    closeSync(fd);
  }
  const nl = buf.indexOf(10);
  let h: Header;
  try {
    h = JSON.parse(buf.toString('utf8', 0, nl)) as Header;
  } catch {
    return { why: 'checkpoint header is not JSON' };
  }
  if (h.format !== FORMAT) return { why: `unknown checkpoint format ${String(h.format)}` };
  const expected = h.sections.reduce((s, [, b]) => s + b, 0);
  if (buf.length - nl - 1 !== expected) return { why: 'checkpoint is truncated' };

  const lf = openSync(ledgerFile, 'r');
  try {
    if (fstatSync(lf).size < h.byteOffset) return { why: 'the ledger is shorter than the checkpoint' };
    const lineLen = h.byteOffset - 1 - h.lastLineStart;
    if (h.entries > 0) {
      const line = Buffer.allocUnsafe(lineLen);
      readSync(lf, line, 0, lineLen, h.lastLineStart);
      const u = unseal(line.toString('utf8'));
      if (!u.ok || u.entry.hash !== h.headHash || u.entry.seq !== h.entries)
        return { why: 'the ledger does not end the checkpoint where it should' };
    }
  } finally {
    closeSync(lf);
  }

  const sections = new Map<string, Buffer>();
  let at = nl + 1;
  for (const [name, bytes] of h.sections) {
    // Copy: typed arrays need aligned memory, which a slice of the file buffer need not be.
    sections.set(name, Buffer.from(buf.subarray(at, at + bytes)));
    at += bytes;
  }
  const i32 = (k: string) => new Int32Array(new Uint8Array(sections.get(k)!).buffer);
  const f64 = (k: string) => new Float64Array(new Uint8Array(sections.get(k)!).buffer);
  const seq = i32('seq');
  const created = f64('created');
  const off = f64('off');
  const len = i32('len');
  const member = i32('member');
  const org = i32('org');
  const merchant = i32('merchant');
  const store = i32('store');
  const terminal = i32('terminal');
  const campaign = i32('campaign');
  const union = f64('union');
  const campaignFen = f64('campaignFen');
  const offerStart = i32('offerStart');
  const offerIds = i32('offerIds');
  const keys = sections.get('keys')!.toString('latin1').split('\n');
  const S = h.strings;
  const metas: Meta[] = new Array(h.records);
  // Offer lists repeat (a handful of combinations): resolve each distinct id pair once.
  const lists = new Map<number, string[]>();
  const listOf = (from: number, to: number): string[] => {
    if (to - from > 2) return internOffers(Array.from(offerIds.subarray(from, to), (x) => S[x]!));
    const k = (to - from) * 2 ** 40 + (to - from > 0 ? offerIds[from]! : 0) * 2 ** 20 + (to - from > 1 ? offerIds[from + 1]! : 0);
    let l = lists.get(k);
    if (!l) lists.set(k, (l = internOffers(Array.from(offerIds.subarray(from, to), (x) => S[x]!))));
    return l;
  };
  for (let i = 0; i < h.records; i++) {
    const m: Meta = {
      seq: seq[i]!,
      idempotencyKey: keys[i]!,
      memberId: S[member[i]!]!,
      memberOrgId: S[org[i]!]!,
      merchantId: S[merchant[i]!]!,
      storeId: S[store[i]!]!,
      terminalId: S[terminal[i]!]!,
      createdMs: created[i]!,
      status: 'committed',
      offers: listOf(offerStart[i]!, offerStart[i + 1]!),
      unionFen: union[i]!,
      campaignFen: campaignFen[i]!,
      off: off[i]!,
      len: len[i]!,
    };
    if (campaign[i]! >= 0) m.campaignId = S[campaign[i]!]!;
    metas[i] = m;
  }
  for (const [i, nonce] of h.qr) metas[i]!.qrNonce = nonce;
  for (const [i, o, fen] of h.draws ?? []) metas[i]!.extraDraws = [...(metas[i]!.extraDraws ?? []), [o, fen]];
  for (const [i, vAt, reason] of h.voids) Object.assign(metas[i]!, { status: 'voided', voidedAt: vAt, voidReason: reason });
  return {
    cp: {
      entries: h.entries,
      headHash: h.headHash,
      byteOffset: h.byteOffset,
      lastLineStart: h.lastLineStart,
      metas,
      keyHashes: i32('keyHash'),
    },
  };
}
