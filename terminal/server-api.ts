/**
 * The terminal's HTTP client for the server. A network error, a time-out or a 5xx means "unreachable"
 * (answer from the snapshot, or retry later); a 4xx is the server's answer and is passed on as data.
 */
import type { EnrollResponse, Quote, QuoteRequest, Redemption } from '../core/wire.ts';
import type { OfflineOutcome, OfflineRedemption, SignedSnapshot } from '../core/wire-terminal.ts';

export type Reply<T> =
  | { ok: true; status: number; body: T }
  | { ok: false; status: number; error: { code: string; message: string; details?: unknown } };

export class ServerUnreachable extends Error {
  readonly code = 'SERVER_UNREACHABLE';
}

async function call<T>(
  base: string,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; timeoutMs: number },
): Promise<Reply<T>> {
  let res: Response;
  try {
    res = await fetch(base + path, {
      method,
      headers: {
        ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      },
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
  } catch (err) {
    throw new ServerUnreachable(`${method} ${path}: ${(err as Error).message}`);
  }
  if (res.status >= 500) throw new ServerUnreachable(`${method} ${path}: HTTP ${res.status}`);
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw new ServerUnreachable(`${method} ${path}: answer was not JSON`);
  }
  if (res.ok) return { ok: true, status: res.status, body: body as T };
  const error = (body as { error?: { code: string; message: string; details?: unknown } }).error ?? {
    code: `HTTP_${res.status}`,
    message: `HTTP ${res.status}`,
  };
  return { ok: false, status: res.status, error };
}

export class ServerApi {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
    private readonly timeoutMs: number,
  ) {}

  static enroll(baseUrl: string, pairingCode: string, timeoutMs = 10_000) {
    return call<EnrollResponse>(baseUrl, 'POST', '/api/v1/terminals/enroll', { body: { pairingCode }, timeoutMs });
  }

  private req<T>(method: string, path: string, body?: unknown, timeoutMs = this.timeoutMs) {
    return call<T>(this.baseUrl, method, path, { token: this.token, ...(body !== undefined ? { body } : {}), timeoutMs });
  }

  quote(body: QuoteRequest) {
    return this.req<Quote>('POST', '/api/v1/quotes', body);
  }
  redeem(quoteId: string, idempotencyKey: string) {
    return this.req<Redemption>('POST', '/api/v1/redemptions', { quoteId, idempotencyKey });
  }
  void(id: string, reason: string) {
    return this.req<Redemption>('POST', `/api/v1/redemptions/${encodeURIComponent(id)}/void`, { reason });
  }
  listSince(fromIso: string) {
    return this.req<{ items: Redemption[]; nextCursor: string | null }>(
      'GET',
      `/api/v1/redemptions?limit=200&from=${encodeURIComponent(fromIso)}`,
    );
  }
  snapshot() {
    return this.req<SignedSnapshot>('GET', '/api/v1/terminal/snapshot', undefined, Math.max(this.timeoutMs, 30_000));
  }
  uploadOffline(items: OfflineRedemption[]) {
    return this.req<{ results: OfflineOutcome[] }>('POST', '/api/v1/redemptions/offline', { items }, Math.max(this.timeoutMs, 30_000));
  }
}
