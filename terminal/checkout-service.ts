/**
 * Checkouts: waiting_for_card → quoted → redeemed (or cancelled / failed). Online the server decides;
 * when it cannot be reached the terminal answers from its snapshot and queues the redemption.
 * The idempotency key is made when the cashier first confirms and reused on every retry.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { parseCredential } from '../core/credentials.ts';
import { offlineHash } from '../core/offline-hash.ts';
import { reason } from '../core/rules/reasons.ts';
import type { Checkout } from '../core/wire-checkout.ts';
import type { Credential, Item, Quote } from '../core/wire.ts';
import { offlineQuote, type OfflineLimits } from './offline-quote.ts';
import type { Outbox } from './outbox.ts';
import { receiptFor } from './receipt.ts';
import { ServerUnreachable, type ServerApi } from './server-api.ts';
import type { SnapshotCache } from './snapshot-cache.ts';

/** An error the local API answers with: a code, an HTTP status and a sentence. */
export class CheckoutError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type OfflineCtx = {
  memberId: string;
  cardId?: string;
  cardLast4?: string;
  memberNoMasked: string;
  snapshotIssuedAt: string;
  credentialType: Credential['type'];
  qrNonce?: string;
};
type Internal = Checkout & { offlineCtx?: OfflineCtx; quoteExpiresMs?: number; idempotencyKey?: string };

export interface CheckoutDeps {
  api: ServerApi;
  snapshot: SnapshotCache;
  outbox: Outbox;
  limits: OfflineLimits;
  terminalId: string;
  storeName: () => string;
  revokedCardIds: () => ReadonlySet<string>;
  now: () => Date;
  /** Told about each answer or failure of the server, so the page's connection light is honest. */
  reachability: (ok: boolean, why?: string) => void;
}

const MAX_KEPT = 200;

export class CheckoutService extends EventEmitter<{ updated: [Checkout] }> {
  private readonly checkouts = new Map<string, Internal>();
  private lastOpen: string | undefined;

  constructor(private readonly d: CheckoutDeps) {
    super();
  }

  create(amountFen: number, items?: Item[]): Checkout {
    const c: Internal = {
      checkoutId: `co-${randomUUID()}`,
      state: 'waiting_for_card',
      amountFen,
      ...(items ? { items } : {}),
      createdAt: this.d.now().toISOString(),
    };
    this.checkouts.set(c.checkoutId, c);
    this.lastOpen = c.checkoutId;
    if (this.checkouts.size > MAX_KEPT) this.checkouts.delete(this.checkouts.keys().next().value!);
    this.changed(c);
    return view(c);
  }

  get(id: string): Checkout {
    return view(this.must(id));
  }

  /** The checkout a device scan belongs to: the newest one still waiting for (or re-reading) a card. */
  current(): Checkout | undefined {
    const c = this.lastOpen ? this.checkouts.get(this.lastOpen) : undefined;
    return c && (c.state === 'waiting_for_card' || c.state === 'quoted' || c.state === 'failed') ? view(c) : undefined;
  }

  async present(id: string, credential: Credential): Promise<Checkout> {
    const c = this.must(id);
    if (c.state === 'redeemed' || c.state === 'cancelled')
      throw new CheckoutError('CHECKOUT_CLOSED', 409, `This checkout is already ${c.state}.`);
    if (c.idempotencyKey)
      throw new CheckoutError('CHECKOUT_CONFIRMING', 409, 'A confirmation of this checkout is pending; confirm again or cancel.');
    const parsed = parseCredential(credential.type, credential.data);
    if (!parsed.ok) throw new CheckoutError('VALIDATION_FAILED', 400, parsed.message);
    delete c.error;
    try {
      const reply = await this.d.api.quote({ credential, amountFen: c.amountFen, ...(c.items ? { items: c.items } : {}) });
      this.d.reachability(true);
      if (!reply.ok) throw new CheckoutError(reply.error.code, reply.status, reply.error.message);
      c.quote = { ...reply.body, offline: false };
      c.quoteExpiresMs = Date.parse(reply.body.expiresAt);
      delete c.offlineCtx;
    } catch (err) {
      if (!(err instanceof ServerUnreachable)) throw err;
      this.d.reachability(false, err.message);
      const snap = this.d.snapshot.payload;
      const now = this.d.now();
      const q = offlineQuote({
        now,
        snapshot: snap,
        credential: parsed.value,
        hash: (kind, value) => offlineHash(snap!.offlineKey, kind, value),
        index: this.d.snapshot,
        amountFen: c.amountFen,
        ...(c.items ? { items: c.items } : {}),
        revokedCardIds: this.d.revokedCardIds(),
        queued: this.d.outbox.usage(),
        limits: this.d.limits,
      });
      const expires = now.getTime() + 120_000;
      const quote: Quote & { offline: boolean } = {
        quoteId: `offline-q-${randomUUID()}`,
        expiresAt: new Date(expires).toISOString(),
        eligible: q.eligible,
        ...(q.member ? { member: { maskedName: q.member.maskedName, memberNoMasked: q.member.memberNoMasked } } : {}),
        reasons: q.reasons,
        skipped: q.skipped,
        lines: q.lines,
        amountFen: q.amountFen,
        discountFen: q.discountFen,
        payableFen: q.payableFen,
        offline: true,
      };
      c.quote = quote;
      c.quoteExpiresMs = expires;
      if (q.member && snap) {
        c.offlineCtx = {
          memberId: q.member.id,
          memberNoMasked: q.member.memberNoMasked,
          snapshotIssuedAt: snap.issuedAt,
          credentialType: credential.type,
          ...(q.card ? { cardId: q.card.id, cardLast4: q.card.last4 } : {}),
          ...(q.qrNonce ? { qrNonce: q.qrNonce } : {}),
        };
      } else delete c.offlineCtx;
    }
    c.state = 'quoted';
    this.changed(c);
    return view(c);
  }

  async confirm(id: string): Promise<Checkout> {
    const c = this.must(id);
    if (c.state === 'redeemed') return view(c); // a repeated confirm is an answer, not a second redemption
    if (c.state !== 'quoted' || !c.quote) throw new CheckoutError('CHECKOUT_NOT_QUOTED', 409, 'Scan a card or member code first.');
    if (!c.quote.eligible)
      throw new CheckoutError('QUOTE_NOT_ELIGIBLE', 409, 'This member gets no discount here; finish the sale at full price or cancel.');
    if (c.quote.offline) return this.confirmOffline(c);
    const key = (c.idempotencyKey ??= `${this.d.terminalId}-${randomUUID()}`);
    for (let attempt = 0; ; attempt++) {
      try {
        const reply = await this.d.api.redeem(c.quote.quoteId, key);
        this.d.reachability(true);
        if (reply.ok) {
          c.state = 'redeemed';
          c.redemption = reply.body;
          c.receipt = receiptFor(reply.body, this.d.api.baseUrl, this.d.storeName());
          delete c.error;
        } else {
          // The server said no (expired quote, budget gone, card lost meanwhile): scan again or cancel.
          c.state = 'failed';
          c.error = { code: reply.error.code, message: reply.error.message };
          delete c.idempotencyKey;
        }
        break;
      } catch (err) {
        if (!(err instanceof ServerUnreachable)) throw err;
        this.d.reachability(false, err.message);
        if (attempt < 2) {
          await new Promise((r) => setTimeout(r, 300 * (attempt + 1)));
          continue;
        }
        // The server may or may not have recorded it: keep the key so a retry cannot redeem twice.
        c.error = {
          code: 'SERVER_UNREACHABLE',
          message: 'The server did not answer; the discount is not confirmed yet. Confirm again (it will not be counted twice) or cancel.',
          messageZh: '服务器无响应，优惠尚未确认。可再次确认（不会重复计算）或取消。',
        };
        break;
      }
    }
    this.changed(c);
    return view(c);
  }

  private confirmOffline(c: Internal): Checkout {
    const ctx = c.offlineCtx;
    const q = c.quote!;
    if (!ctx) throw new CheckoutError('QUOTE_NOT_ELIGIBLE', 409, 'No member for this offline quote.');
    const now = this.d.now();
    if (now.getTime() > (c.quoteExpiresMs ?? 0)) {
      c.state = 'failed';
      c.error = reason('OUTSIDE_WINDOW', 'the offline quote expired; scan again');
      this.changed(c);
      return view(c);
    }
    const key = `${this.d.terminalId}-${randomUUID()}`;
    const entry = this.d.outbox.add(
      {
        idempotencyKey: key,
        createdAt: now.toISOString(),
        memberId: ctx.memberId,
        ...(ctx.cardId ? { cardId: ctx.cardId } : {}),
        ...(ctx.cardLast4 ? { cardLast4: ctx.cardLast4 } : {}),
        credentialType: ctx.credentialType,
        amountFen: q.amountFen,
        ...(c.items ? { items: c.items } : {}),
        lines: q.lines,
        discountFen: q.discountFen,
        payableFen: q.payableFen,
        snapshotIssuedAt: ctx.snapshotIssuedAt,
        ...(ctx.qrNonce ? { qrNonce: ctx.qrNonce } : {}),
      },
      ctx.memberNoMasked,
      now,
    );
    c.idempotencyKey = key;
    c.state = 'redeemed';
    c.redemption = {
      id: `offline-${key}`,
      idempotencyKey: key,
      status: 'queued',
      offline: true,
      memberNoMasked: entry.memberNoMasked,
      amountFen: q.amountFen,
      discountFen: q.discountFen,
      payableFen: q.payableFen,
      lines: q.lines,
      createdAt: entry.item.createdAt,
    };
    c.receipt = receiptFor(c.redemption, this.d.api.baseUrl, this.d.storeName());
    this.changed(c);
    return view(c);
  }

  cancel(id: string): Checkout {
    const c = this.must(id);
    if (c.state === 'redeemed') throw new CheckoutError('CHECKOUT_CLOSED', 409, 'This checkout is redeemed; void the redemption instead.');
    c.state = 'cancelled';
    this.changed(c);
    return view(c);
  }

  private must(id: string): Internal {
    const c = this.checkouts.get(id);
    if (!c) throw new CheckoutError('NOT_FOUND', 404, 'No such checkout.');
    return c;
  }

  private changed(c: Internal): void {
    this.emit('updated', view(c));
  }
}

function view(c: Internal): Checkout {
  const { offlineCtx: _o, quoteExpiresMs: _e, idempotencyKey: _k, ...pub } = c;
  return pub;
}
