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

/**
 * Every redemption's Meta as columns (issue 13): typed arrays, one string table, one byte blob for the
 * idempotency keys and one for QR nonces, sparse maps for voids and extra draws, and an open-addressing
 * key index over stored hashes. A million redemptions are then a few dozen large arrays whose contents
 * the garbage collector never walks, instead of three million small objects it marks on every major
 * collection (pauses of 80 ms and more were measured with them at a million).
 *
 * Records are read as views (`at`, iteration): small short-lived objects that die young. A view keeps
 * its seq and finds its row again if an earlier row was removed (a commit whose write failed), so one
 * held across an await stays right. Only status, voidedAt and voidReason can be changed through a view.
 */
export class MetaTable implements Iterable<Meta> {
  private n = 0;
  private seqs: Int32Array;
  private created: Float64Array;
  private offs: Float64Array;
  private lens: Int32Array;
  private member: Int32Array;
  private org: Int32Array;
  private merchant: Int32Array;
  private store: Int32Array;
  private terminal: Int32Array;
  private campaign: Int32Array;
  private list: Int32Array;
  private union: Float64Array;
  private campaignFen: Float64Array;
  private hashes: Int32Array;
  private slots: Int32Array = new Int32Array(16).fill(-1);
  readonly strings: string[] = [];
  private readonly stringIds = new Map<string, number>();
  private readonly lists: string[][] = [];
  private readonly listIds = new Map<string, number>();
  private readonly keys = new BlobColumn();
  private readonly nonces = new BlobColumn();
  private voids = new Map<number, readonly [at: string, reason: string]>();
  private draws = new Map<number, ReadonlyArray<readonly [string, number]>>();

  constructor(capacity = 1024) {
    const c = Math.max(16, capacity);
    this.seqs = new Int32Array(c);
    this.created = new Float64Array(c);
    this.offs = new Float64Array(c);
    this.lens = new Int32Array(c);
    this.member = new Int32Array(c);
    this.org = new Int32Array(c);
    this.merchant = new Int32Array(c);
    this.store = new Int32Array(c);
    this.terminal = new Int32Array(c);
    this.campaign = new Int32Array(c);
    this.list = new Int32Array(c);
    this.union = new Float64Array(c);
    this.campaignFen = new Float64Array(c);
    this.hashes = new Int32Array(c);
  }

  get length(): number {
    return this.n;
  }

  private sid(s: string | undefined): number {
    if (s === undefined) return -1;
    let i = this.stringIds.get(s);
    if (i === undefined) {
      i = this.strings.length;
      this.strings.push(s);
      this.stringIds.set(s, i);
    }
    return i;
  }

  private listId(offers: readonly string[]): number {
    const key = offers.join('\u0000');
    let i = this.listIds.get(key);
    if (i === undefined) {
      i = this.lists.length;
      this.lists.push(internOffers([...offers]));
      this.listIds.set(key, i);
    }
    return i;
  }

  private grow(need: number): void {
    if (need <= this.seqs.length) return;
    let c = this.seqs.length;
    while (c < need) c *= 2;
    const g = <T extends Int32Array | Float64Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(c);
      b.set(a.subarray(0, this.n));
      return b;
    };
    this.seqs = g(this.seqs);
    this.created = g(this.created);
    this.offs = g(this.offs);
    this.lens = g(this.lens);
    this.member = g(this.member);
    this.org = g(this.org);
    this.merchant = g(this.merchant);
    this.store = g(this.store);
    this.terminal = g(this.terminal);
    this.campaign = g(this.campaign);
    this.list = g(this.list);
    this.union = g(this.union);
    this.campaignFen = g(this.campaignFen);
    this.hashes = g(this.hashes);
  }

  /** Key index: open addressing over the stored hashes, at most half full. */
  private slot(i: number): void {
    const mask = this.slots.length - 1;
    let p = this.hashes[i]! & mask;
    while (this.slots[p] !== -1) p = (p + 1) & mask;
    this.slots[p] = i;
  }

  private rebuildSlots(): void {
    let size = 16;
    while (size < this.n * 2 + 2) size <<= 1;
    this.slots = new Int32Array(size).fill(-1);
    for (let i = 0; i < this.n; i++) this.slot(i);
  }

  /** Appends a record (in seq order); returns its view. */
  push(m: Meta): Meta {
    const i = this.n;
    this.grow(i + 1);
    this.seqs[i] = m.seq;
    this.created[i] = m.createdMs;
    this.offs[i] = m.off;
    this.lens[i] = m.len;
    this.member[i] = this.sid(m.memberId);
    this.org[i] = this.sid(m.memberOrgId);
    this.merchant[i] = this.sid(m.merchantId);
    this.store[i] = this.sid(m.storeId);
    this.terminal[i] = this.sid(m.terminalId);
    this.campaign[i] = this.sid(m.campaignId);
    this.list[i] = this.listId(m.offers);
    this.union[i] = m.unionFen;
    this.campaignFen[i] = m.campaignFen;
    this.hashes[i] = fnv1a(m.idempotencyKey);
    this.keys.push(m.idempotencyKey);
    this.nonces.push(m.qrNonce ?? '');
    if (m.status === 'voided') this.voids.set(i, [m.voidedAt ?? '', m.voidReason ?? '']);
    if (m.extraDraws?.length) this.draws.set(i, m.extraDraws);
    this.n = i + 1;
    if (this.n * 2 > this.slots.length) this.rebuildSlots();
    else this.slot(i);
    return new MetaView(this, i, m.seq);
  }

  /** Removes row `i` (a commit whose write failed; rare, so a full shift and re-index is fine). */
  removeAt(i: number): void {
    if (i < 0 || i >= this.n) return;
    for (const a of [
      this.seqs,
      this.created,
      this.offs,
      this.lens,
      this.member,
      this.org,
      this.merchant,
      this.store,
      this.terminal,
      this.campaign,
      this.list,
      this.union,
      this.campaignFen,
      this.hashes,
    ])
      a.copyWithin(i, i + 1, this.n);
    this.keys.removeAt(i);
    this.nonces.removeAt(i);
    const shift = <V>(m: Map<number, V>) => new Map([...m].filter(([k]) => k !== i).map(([k, v]): [number, V] => [k > i ? k - 1 : k, v]));
    this.voids = shift(this.voids);
    this.draws = shift(this.draws);
    this.n--;
    this.rebuildSlots();
  }

  /** Row of the first record at or after `seq` (records are in seq order). */
  ordinal(seq: number): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.seqs[mid]! < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The row now holding `seq`, starting the search at `hint`. */
  rowOf(seq: number, hint: number): number {
    if (hint < this.n && this.seqs[hint] === seq) return hint;
    const i = this.ordinal(seq);
    return i < this.n && this.seqs[i] === seq ? i : -1;
  }

  /** The last row holding `seq` with this key (a failed commit's own row, even if its seq was given again). */
  lastRowOf(seq: number, key: string): number {
    for (let i = this.n - 1; i >= 0; i--) if (this.seqs[i] === seq && this.keys.equals(i, key)) return i;
    return -1;
  }

  at(i: number): Meta | undefined {
    if (i < 0) i += this.n;
    return i >= 0 && i < this.n ? new MetaView(this, i, this.seqs[i]!) : undefined;
  }

  /** The record of an idempotency key. */
  byKey(key: string): Meta | undefined {
    const mask = this.slots.length - 1;
    for (let p = fnv1a(key) & mask; this.slots[p] !== -1; p = (p + 1) & mask) {
      const i = this.slots[p]!;
      if (this.keys.equals(i, key)) return new MetaView(this, i, this.seqs[i]!);
    }
    return undefined;
  }

  *[Symbol.iterator](): Iterator<Meta> {
    for (let i = 0; i < this.n; i++) yield new MetaView(this, i, this.seqs[i]!);
  }

  // Column reads for views.
  seqAt = (i: number) => this.seqs[i]!;
  createdAt = (i: number) => this.created[i]!;
  offAt = (i: number) => this.offs[i]!;
  lenAt = (i: number) => this.lens[i]!;
  stringAt = (col: 'member' | 'org' | 'merchant' | 'store' | 'terminal' | 'campaign', i: number): string | undefined => {
    const id = this[col][i]!;
    return id < 0 ? undefined : this.strings[id];
  };
  offersAt = (i: number) => this.lists[this.list[i]!]!;
  unionAt = (i: number) => this.union[i]!;
  campaignFenAt = (i: number) => this.campaignFen[i]!;
  keyAt = (i: number) => this.keys.get(i);
  nonceAt = (i: number) => this.nonces.get(i) || undefined;
  voidAt = (i: number) => this.voids.get(i);
  drawsAt = (i: number) => this.draws.get(i);
  setVoid(i: number, v: readonly [string, string] | undefined): void {
    if (v) this.voids.set(i, v);
    else this.voids.delete(i);
  }

  /** A table from a checkpoint's columns (readCheckpoint): the arrays are taken over, not copied per record. */
  static fromColumns(c: Columns): MetaTable {
    const t = new MetaTable(0);
    const n = c.n;
    t.n = n;
    t.seqs = c.seq;
    t.created = c.created;
    t.offs = c.off;
    t.lens = c.len;
    t.member = c.cols.member;
    t.org = c.cols.org;
    t.merchant = c.cols.merchant;
    t.store = c.cols.store;
    t.terminal = c.cols.terminal;
    t.campaign = c.cols.campaign;
    t.union = c.union;
    t.campaignFen = c.campaignFen;
    t.hashes = c.keyHash;
    for (const s of c.strings) t.sid(s);
    // Offer lists repeat (a handful of combinations): intern each distinct run of ids once.
    t.list = new Int32Array(n);
    const runs = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const from = c.offerStart[i]!;
      const to = c.offerStart[i + 1]!;
      const k = to - from === 1 ? String(c.offerIds[from]) : Array.prototype.join.call(c.offerIds.subarray(from, to), ',');
      let id = runs.get(k);
      if (id === undefined) runs.set(k, (id = t.listId(Array.from(c.offerIds.subarray(from, to), (x) => c.strings[x]!))));
      t.list[i] = id;
    }
    t.keys.adopt(c.keys, n);
    const qr = new Map(c.qr);
    for (let i = 0; i < n; i++) t.nonces.push(qr.get(i) ?? '');
    for (const [i, at, reason] of c.voids) t.voids.set(i, [at, reason]);
    for (const [i, o, fen] of c.draws) t.draws.set(i, [...(t.draws.get(i) ?? []), [o, fen]]);
    if (n === 0) t.grow(16);
    t.rebuildSlots();
    return t;
  }

  /** What the checkpoint stores, column by column (writeCheckpoint). */
  columns(): Columns {
    const n = this.n;
    const offerStart = new Int32Array(n + 1);
    const offerIds: number[] = [];
    const listIdsAsStrings = this.lists.map((l) => l.map((o) => this.sid(o)));
    for (let i = 0; i < n; i++) {
      offerStart[i] = offerIds.length;
      for (const x of listIdsAsStrings[this.list[i]!]!) offerIds.push(x);
    }
    offerStart[n] = offerIds.length;
    return {
      n,
      strings: this.strings,
      seq: this.seqs.subarray(0, n),
      created: this.created.subarray(0, n),
      off: this.offs.subarray(0, n),
      len: this.lens.subarray(0, n),
      cols: {
        member: this.member.subarray(0, n),
        org: this.org.subarray(0, n),
        merchant: this.merchant.subarray(0, n),
        store: this.store.subarray(0, n),
        terminal: this.terminal.subarray(0, n),
        campaign: this.campaign.subarray(0, n),
      },
      union: this.union.subarray(0, n),
      campaignFen: this.campaignFen.subarray(0, n),
      offerStart,
      offerIds: Int32Array.from(offerIds),
      keys: this.keys.joined(),
      keyHash: this.hashes.subarray(0, n),
      qr: [...this.nonces.nonEmpty()],
      voids: [...this.voids].map(([i, [at, reason]]): [number, string, string] => [i, at, reason]),
      draws: [...this.draws].flatMap(([i, ds]) => ds.map(([o, fen]): [number, string, number] => [i, o, fen])),
    };
  }
}

/** A MetaTable as the checkpoint stores it. */
interface Columns {
  n: number;
  strings: string[];
  seq: Int32Array;
  created: Float64Array;
  off: Float64Array;
  len: Int32Array;
  cols: Record<'member' | 'org' | 'merchant' | 'store' | 'terminal' | 'campaign', Int32Array>;
  union: Float64Array;
  campaignFen: Float64Array;
  offerStart: Int32Array;
  offerIds: Int32Array;
  /** The keys joined by '\n'. */
  keys: Buffer;
  keyHash: Int32Array;
  qr: Array<[number, string]>;
  voids: Array<[number, string, string]>;
  draws: Array<[number, string, number]>;
}

/** A record read from a MetaTable. */
class MetaView implements Meta {
  constructor(
    private readonly t: MetaTable,
    private i: number,
    readonly seq: number,
  ) {}
  private get row(): number {
    const r = this.t.rowOf(this.seq, this.i);
    if (r < 0) throw new Error(`redemption seq ${this.seq} is no longer indexed`);
    this.i = r;
    return r;
  }
  get idempotencyKey() {
    return this.t.keyAt(this.row);
  }
  get memberId() {
    return this.t.stringAt('member', this.row)!;
  }
  get memberOrgId() {
    return this.t.stringAt('org', this.row)!;
  }
  get merchantId() {
    return this.t.stringAt('merchant', this.row)!;
  }
  get storeId() {
    return this.t.stringAt('store', this.row)!;
  }
  get terminalId() {
    return this.t.stringAt('terminal', this.row)!;
  }
  get campaignId() {
    return this.t.stringAt('campaign', this.row);
  }
  get createdMs() {
    return this.t.createdAt(this.row);
  }
  get offers() {
    return this.t.offersAt(this.row);
  }
  get campaignFen() {
    return this.t.campaignFenAt(this.row);
  }
  get unionFen() {
    return this.t.unionAt(this.row);
  }
  get extraDraws() {
    return this.t.drawsAt(this.row);
  }
  get qrNonce() {
    return this.t.nonceAt(this.row);
  }
  get off() {
    return this.t.offAt(this.row);
  }
  get len() {
    return this.t.lenAt(this.row);
  }
  get status(): Meta['status'] {
    return this.t.voidAt(this.row) ? 'voided' : 'committed';
  }
  /** 'committed' also forgets voidedAt and voidReason (a void whose write failed). */
  set status(s: Meta['status']) {
    const v = this.t.voidAt(this.row);
    if (s === 'committed') this.t.setVoid(this.row, undefined);
    else if (!v) this.t.setVoid(this.row, ['', '']);
  }
  get voidedAt() {
    return this.t.voidAt(this.row)?.[0];
  }
  set voidedAt(at: string | undefined) {
    const v = this.t.voidAt(this.row);
    if (v && at !== undefined) this.t.setVoid(this.row, [at, v[1]]);
  }
  get voidReason() {
    return this.t.voidAt(this.row)?.[1];
  }
  set voidReason(reason: string | undefined) {
    const v = this.t.voidAt(this.row);
    if (v && reason !== undefined) this.t.setVoid(this.row, [v[0], reason]);
  }
}

/** Strings in one growing byte blob (latin1: idempotency keys and nonces are ASCII by the wire schema). */
class BlobColumn {
  private bytes = Buffer.allocUnsafe(4096);
  private used = 0;
  /** ends[i]: where string i ends; strings are separated by one '\n' byte. */
  private ends = new Float64Array(1024);
  private n = 0;
  push(s: string): void {
    const need = this.used + s.length + 1;
    if (need > this.bytes.length) {
      const b = Buffer.allocUnsafe(Math.max(need, this.bytes.length * 2));
      this.bytes.copy(b, 0, 0, this.used);
      this.bytes = b;
    }
    if (this.n === this.ends.length) {
      const e = new Float64Array(this.ends.length * 2);
      e.set(this.ends);
      this.ends = e;
    }
    this.used += this.bytes.write(s, this.used, 'latin1');
    this.bytes[this.used++] = 10;
    this.ends[this.n++] = this.used - 1;
  }
  private start(i: number): number {
    return i === 0 ? 0 : this.ends[i - 1]! + 1;
  }
  get(i: number): string {
    return this.bytes.toString('latin1', this.start(i), this.ends[i]!);
  }
  equals(i: number, s: string): boolean {
    const a = this.start(i);
    if (this.ends[i]! - a !== s.length) return false;
    for (let k = 0; k < s.length; k++) if (this.bytes[a + k] !== s.charCodeAt(k)) return false;
    return true;
  }
  removeAt(i: number): void {
    const a = this.start(i);
    const b = this.ends[i]! + 1;
    this.bytes.copy(this.bytes, a, b, this.used);
    const gap = b - a;
    this.used -= gap;
    for (let k = i; k < this.n - 1; k++) this.ends[k] = this.ends[k + 1]! - gap;
    this.n--;
  }
  /** Takes over `n` strings joined by '\n' (a checkpoint's `keys` section). */
  adopt(joined: Buffer, n: number): void {
    this.bytes = Buffer.allocUnsafe(joined.length + 4096);
    joined.copy(this.bytes);
    this.ends = new Float64Array(Math.max(1024, n * 2));
    let at = 0;
    for (let i = 0; i < n; i++) {
      let e = joined.indexOf(10, at);
      if (e < 0) e = joined.length;
      this.ends[i] = e;
      at = e + 1;
    }
    this.n = n;
    this.used = n ? joined.length + 1 : 0;
    if (n) this.bytes[joined.length] = 10;
  }
  /** All strings joined by '\n' (the checkpoint's `keys` section). */
  joined(): Buffer {
    return this.bytes.subarray(0, Math.max(0, this.used - 1));
  }
  *nonEmpty(): Generator<[number, string]> {
    for (let i = 0; i < this.n; i++) if (this.ends[i] !== this.start(i)) yield [i, this.get(i)];
  }
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
  metas: MetaTable;
}

/** Writes the checkpoint atomically (temp file, fsync, rename). Covers exactly the metas given. */
export function writeCheckpoint(file: string, cp: Checkpoint): void {
  const c = cp.metas.columns();
  const b = (a: Int32Array | Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  const parts: Array<[string, Buffer]> = [
    ['seq', b(c.seq)],
    ['created', b(c.created)],
    ['off', b(c.off)],
    ['len', b(c.len)],
    ...Object.entries(c.cols).map(([k, a]): [string, Buffer] => [k, b(a)]),
    ['union', b(c.union)],
    ['campaignFen', b(c.campaignFen)],
    ['offerStart', b(c.offerStart)],
    ['offerIds', b(c.offerIds)],
    // Idempotency keys are [A-Za-z0-9_.:-] (wire schema): a newline cannot occur in one.
    ['keys', c.keys],
    ['keyHash', b(c.keyHash)],
  ];
  const header: Header = {
    format: FORMAT,
    entries: cp.entries,
    headHash: cp.headHash,
    byteOffset: cp.byteOffset,
    lastLineStart: cp.lastLineStart,
    records: c.n,
    strings: c.strings,
    sections: parts.map(([k, b]) => [k, b.length]),
    qr: c.qr,
    voids: c.voids,
    draws: c.draws,
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
  const metas = MetaTable.fromColumns({
    n: h.records,
    strings: h.strings,
    seq: i32('seq'),
    created: f64('created'),
    off: f64('off'),
    len: i32('len'),
    cols: {
      member: i32('member'),
      org: i32('org'),
      merchant: i32('merchant'),
      store: i32('store'),
      terminal: i32('terminal'),
      campaign: i32('campaign'),
    },
    union: f64('union'),
    campaignFen: f64('campaignFen'),
    offerStart: i32('offerStart'),
    offerIds: i32('offerIds'),
    keys: sections.get('keys')!,
    keyHash: i32('keyHash'),
    qr: h.qr,
    voids: h.voids,
    draws: h.draws ?? [],
  });
  return {
    cp: {
      entries: h.entries,
      headHash: h.headHash,
      byteOffset: h.byteOffset,
      lastLineStart: h.lastLineStart,
      metas,
    },
  };
}
