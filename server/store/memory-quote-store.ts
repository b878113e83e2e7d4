/**
 * The embedded QuoteStore: a bounded table in memory. Quotes die with the process, which is fine: a
 * quote is a promise to honour a price for a short while, not a record; after a restart the terminal
 * scans again, and redemptions are what is durable.
 *
 * Why bounded: each quote used to be kept with the whole answer for its 120 s plus 10 minutes, about
 * 1.2 KB of live heap each; at 4,500 quotes a second the heap grew 66 → 385 MB in 80 s and would have hit
 * V8's limit. Now a compact record is kept for its lifetime plus QUOTE_GRACE_MS, at most `maxQuotes` of
 * them, and a full table answers QUOTES_FULL (503) instead of growing until the process dies.
 *
 * Why off the JS heap (issue 13): a quote lives three minutes, so every one the collector sees survives
 * its scavenges, is copied twice and promoted, and then marked by every full collection while it waits;
 * at a million redemptions that set the quote path's longest pauses. So a quote is one slot of typed
 * arrays allocated once from `maxQuotes`: fixed-width numbers (amounts, expiry, interned terminal, shop,
 * merchant, credential type and member org) and the rest (id, member, card, nonce, items, lines) as
 * bytes in a fixed-size per-slot region of one Buffer. The id finds its slot through an open-addressing
 * table of slot numbers (linear probing, backward-shift deletion: no tombstones), and the slots are
 * chained oldest first in two Int32Arrays, so expiry by the clock stops at the first quote still kept,
 * as the insertion-ordered Map it replaces did. Nothing of an outstanding quote is a JS object, except a
 * record too large for its region (hundreds of items), which keeps its bytes in a Buffer of its own.
 */
import { QUOTE_GRACE_MS, type QuoteRecord, type QuoteStore } from './quote-store.ts';

/** Live quotes the table holds by default: 250,000 open quotes is 1,400 a second for their 180 s. */
export const DEFAULT_MAX_QUOTES = 250_000;

/**
 * Bytes kept in a slot's region: an eligible plain-terminal quote (24-byte id, member and card ids, one
 * line as JSON) takes about 200 (bench/quote-memory.ts); larger ones take a Buffer of their own.
 */
const REGION_BYTES = 256;
/** A byte length of 0xffff marks an absent field; a field this long or longer keeps its record on the heap. */
const ABSENT = 0xffff;
const F_ELIGIBLE = 1;
const F_OUTSIZE = 2; // the bytes are in `outsize`, not the region
const F_OBJECT = 4; // the record itself is in `objects` (a field over 64 KB: nothing a till sends)

/** Strings that come from reference data (terminals, shops, merchants, orgs, credential types), as small ints. */
class Interned {
  private readonly ids = new Map<string, number>();
  private readonly names: string[] = [];
  of(s: string): number {
    let i = this.ids.get(s);
    if (i === undefined) {
      i = this.names.length;
      this.names.push(s);
      this.ids.set(s, i);
    }
    return i;
  }
  name(i: number): string {
    return this.names[i]!;
  }
}

export class MemoryQuoteStore implements QuoteStore {
  private readonly timer: NodeJS.Timeout;
  private readonly cap: number;
  // Per slot.
  private readonly expires: Float64Array;
  private readonly amount: Float64Array;
  private readonly discount: Float64Array;
  private readonly payable: Float64Array;
  private readonly terminal: Int32Array;
  private readonly shop: Int32Array;
  private readonly merchant: Int32Array;
  private readonly credential: Int32Array;
  private readonly org: Int32Array;
  private readonly flags: Uint8Array;
  private readonly hash: Uint32Array;
  private readonly prev: Int32Array;
  private readonly next: Int32Array;
  private readonly region: Buffer;
  // Slot bookkeeping: a stack of free slots, and the oldest and newest of the kept ones.
  private readonly free: Int32Array;
  private freeTop: number;
  private head = -1;
  private tail = -1;
  private count = 0;
  // id → slot: slot + 1 at the id's hash position or after it; 0 is empty.
  private readonly index: Int32Array;
  private readonly mask: number;
  private readonly interned = new Interned();
  private readonly outsize = new Map<number, Buffer>();
  private readonly objects = new Map<number, QuoteRecord>();
  /** Where an id or a record is encoded before it is hashed, compared or copied into its slot. */
  private scratch = Buffer.alloc(64 * 1024);

  constructor(
    private readonly now: () => Date,
    maxQuotes = DEFAULT_MAX_QUOTES,
  ) {
    const n = Math.max(1, Math.floor(maxQuotes));
    this.cap = n;
    this.expires = new Float64Array(n);
    this.amount = new Float64Array(n);
    this.discount = new Float64Array(n);
    this.payable = new Float64Array(n);
    this.terminal = new Int32Array(n);
    this.shop = new Int32Array(n);
    this.merchant = new Int32Array(n);
    this.credential = new Int32Array(n);
    this.org = new Int32Array(n);
    this.flags = new Uint8Array(n);
    this.hash = new Uint32Array(n);
    this.prev = new Int32Array(n);
    this.next = new Int32Array(n);
    this.region = Buffer.alloc(n * REGION_BYTES);
    this.free = new Int32Array(n);
    // Lowest slots first: a table that is never full only ever touches its first pages.
    for (let i = 0; i < n; i++) this.free[i] = n - 1 - i;
    this.freeTop = n;
    let size = 2;
    while (size < n * 2) size *= 2;
    this.index = new Int32Array(size);
    this.mask = size - 1;
    this.timer = setInterval(() => this.sweep(this.now().getTime()), 10_000);
    this.timer.unref();
  }

  async put(rec: QuoteRecord): Promise<'stored' | 'full'> {
    const idLen = this.scratchId(rec.quoteId);
    const h = fnv(this.scratch, 0, idLen);
    const existing = this.find(h, idLen);
    if (existing >= 0) this.remove(existing);
    if (this.count >= this.cap) {
      this.sweep(this.now().getTime());
      if (this.count >= this.cap) return 'full';
    }
    const slot = this.free[--this.freeTop]!;
    this.fill(slot, rec);
    this.hash[slot] = h;
    let p = h & this.mask;
    while (this.index[p] !== 0) p = (p + 1) & this.mask;
    this.index[p] = slot + 1;
    this.prev[slot] = this.tail;
    this.next[slot] = -1;
    if (this.tail >= 0) this.next[this.tail] = slot;
    else this.head = slot;
    this.tail = slot;
    this.count++;
    return 'stored';
  }

  async get(quoteId: string): Promise<QuoteRecord | undefined> {
    const idLen = this.scratchId(quoteId);
    const slot = this.find(fnv(this.scratch, 0, idLen), idLen);
    return slot < 0 ? undefined : this.read(slot);
  }

  async take(quoteId: string): Promise<void> {
    const idLen = this.scratchId(quoteId);
    const slot = this.find(fnv(this.scratch, 0, idLen), idLen);
    if (slot >= 0) this.remove(slot);
  }

  async expire(nowMs: number): Promise<number> {
    return this.sweep(nowMs);
  }

  get size(): number {
    return this.count;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
  }

  /** From the oldest: stops at the first quote still kept, so a sweep costs what it removes (a longer TTL set later only delays). */
  private sweep(nowMs: number): number {
    let n = 0;
    while (this.head >= 0 && this.expires[this.head]! + QUOTE_GRACE_MS < nowMs) {
      this.remove(this.head);
      n++;
    }
    return n;
  }

  /** The id's UTF-8 bytes at the start of `scratch`; their length. */
  private scratchId(id: string): number {
    this.ensureScratch(id.length * 3);
    return this.scratch.write(id, 0, 'utf8');
  }

  private ensureScratch(bytes: number): void {
    if (bytes > this.scratch.length) this.scratch = Buffer.alloc(Math.max(bytes, this.scratch.length * 2));
  }

  /** The slot holding the id encoded in scratch[0, idLen), or -1. */
  private find(h: number, idLen: number): number {
    for (let p = h & this.mask; ; p = (p + 1) & this.mask) {
      const e = this.index[p]!;
      if (e === 0) return -1;
      const slot = e - 1;
      if (this.hash[slot] === h && this.idIs(slot, idLen)) return slot;
    }
  }

  private idIs(slot: number, idLen: number): boolean {
    if (this.flags[slot]! & F_OBJECT) {
      const id = this.objects.get(slot)!.quoteId;
      return Buffer.byteLength(id) === idLen && this.scratch.toString('utf8', 0, idLen) === id;
    }
    const [buf, at] = this.bytesOf(slot);
    return buf.readUInt16LE(at) === idLen && buf.compare(this.scratch, 0, idLen, at + 2, at + 2 + idLen) === 0;
  }

  private bytesOf(slot: number): [Buffer, number] {
    return this.flags[slot]! & F_OUTSIZE ? [this.outsize.get(slot)!, 0] : [this.region, slot * REGION_BYTES];
  }

  private remove(slot: number): void {
    // Out of the id index, shifting later entries of the same run back so no probe chain is broken.
    let i = this.hash[slot]! & this.mask;
    while (this.index[i] !== slot + 1) i = (i + 1) & this.mask;
    for (let j = (i + 1) & this.mask; this.index[j] !== 0; j = (j + 1) & this.mask) {
      const home = this.hash[this.index[j]! - 1]! & this.mask;
      if (((j - home) & this.mask) >= ((j - i) & this.mask)) {
        this.index[i] = this.index[j]!;
        i = j;
      }
    }
    this.index[i] = 0;
    // Out of the age chain.
    const p = this.prev[slot]!;
    const n = this.next[slot]!;
    if (p >= 0) this.next[p] = n;
    else this.head = n;
    if (n >= 0) this.prev[n] = p;
    else this.tail = p;
    if (this.flags[slot]! & F_OUTSIZE) this.outsize.delete(slot);
    if (this.flags[slot]! & F_OBJECT) this.objects.delete(slot);
    this.flags[slot] = 0;
    this.free[this.freeTop++] = slot;
    this.count--;
  }

  private fill(slot: number, rec: QuoteRecord): void {
    this.expires[slot] = rec.expiresMs;
    this.amount[slot] = rec.amountFen;
    this.discount[slot] = rec.discountFen;
    this.payable[slot] = rec.payableFen;
    this.terminal[slot] = this.interned.of(rec.terminalId);
    this.shop[slot] = this.interned.of(rec.storeId);
    this.merchant[slot] = this.interned.of(rec.merchantId);
    this.credential[slot] = this.interned.of(rec.credentialType);
    this.org[slot] = rec.memberOrgId === undefined ? -1 : this.interned.of(rec.memberOrgId);
    let flags = rec.eligible ? F_ELIGIBLE : 0;
    const len = this.encode(rec);
    if (len < 0) {
      flags |= F_OBJECT;
      this.objects.set(slot, rec);
    } else if (len > REGION_BYTES) {
      flags |= F_OUTSIZE;
      this.outsize.set(slot, Buffer.from(this.scratch.subarray(0, len)));
    } else this.scratch.copy(this.region, slot * REGION_BYTES, 0, len);
    this.flags[slot] = flags;
  }

  /**
   * The record's variable fields into scratch, each as a u16 byte length (ABSENT when missing) and its
   * UTF-8 bytes: id, memberId, memberNoMasked, cardId, cardLast4, qrNonce, items and lines as JSON.
   * The byte length, or -1 when a field is too long for its u16.
   */
  private encode(rec: QuoteRecord): number {
    const items = rec.items ? JSON.stringify(rec.items) : undefined;
    const lines = rec.lines.length ? JSON.stringify(rec.lines) : '';
    const fields = [rec.quoteId, rec.memberId, rec.memberNoMasked, rec.cardId, rec.cardLast4, rec.qrNonce, items, lines];
    let most = 0;
    for (const f of fields) most += 2 + (f === undefined ? 0 : f.length * 3);
    this.ensureScratch(most);
    let at = 0;
    for (const f of fields) {
      if (f === undefined) {
        at = this.scratch.writeUInt16LE(ABSENT, at);
        continue;
      }
      const n = this.scratch.write(f, at + 2, 'utf8');
      if (n >= ABSENT) return -1;
      this.scratch.writeUInt16LE(n, at);
      at += 2 + n;
    }
    return at;
  }

  private read(slot: number): QuoteRecord {
    const flags = this.flags[slot]!;
    if (flags & F_OBJECT) return this.objects.get(slot)!;
    const [buf, start] = this.bytesOf(slot);
    let at = start;
    const next = (): string | undefined => {
      const n = buf.readUInt16LE(at);
      at += 2;
      if (n === ABSENT) return undefined;
      at += n;
      return buf.toString('utf8', at - n, at);
    };
    const quoteId = next()!;
    const memberId = next();
    const memberNoMasked = next();
    const cardId = next();
    const cardLast4 = next();
    const qrNonce = next();
    const items = next();
    const lines = next()!;
    const org = this.org[slot]!;
    return {
      quoteId,
      terminalId: this.interned.name(this.terminal[slot]!),
      storeId: this.interned.name(this.shop[slot]!),
      merchantId: this.interned.name(this.merchant[slot]!),
      expiresMs: this.expires[slot]!,
      eligible: (flags & F_ELIGIBLE) !== 0,
      credentialType: this.interned.name(this.credential[slot]!) as QuoteRecord['credentialType'],
      ...(memberId !== undefined ? { memberId } : {}),
      ...(org >= 0 ? { memberOrgId: this.interned.name(org) } : {}),
      ...(memberNoMasked !== undefined ? { memberNoMasked } : {}),
      ...(cardId !== undefined ? { cardId } : {}),
      ...(cardLast4 !== undefined ? { cardLast4 } : {}),
      ...(qrNonce !== undefined ? { qrNonce } : {}),
      ...(items !== undefined ? { items: JSON.parse(items) as QuoteRecord['items'] } : {}),
      amountFen: this.amount[slot]!,
      discountFen: this.discount[slot]!,
      payableFen: this.payable[slot]!,
      lines: lines ? (JSON.parse(lines) as QuoteRecord['lines']) : [],
    };
  }
}

/** FNV-1a over bytes: cheap, and spreads base64url ids well enough for linear probing. */
function fnv(b: Buffer, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h >>> 0;
}
