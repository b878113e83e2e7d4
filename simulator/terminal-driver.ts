import type { Credential } from '../drivers/scan-result.ts';
import { defaultFetch, postJson, type FetchLike, type JsonReply } from './http-json.ts';

/** Drives a running terminal through its local API (CONTRACT.md, "Terminal local API"), as a POS would. */
export class TerminalDriver {
  constructor(
    private readonly baseUrl: string,
    private readonly fetchFn: FetchLike = defaultFetch,
  ) {}

  startCheckout(amountFen: number, items?: unknown[]): Promise<JsonReply<{ checkoutId: string; state: string }>> {
    return postJson(this.fetchFn, `${this.baseUrl}/api/v1/checkouts`, { amountFen, ...(items ? { items } : {}) });
  }
  present(checkoutId: string, credential: Credential): Promise<JsonReply> {
    return postJson(this.fetchFn, `${this.baseUrl}/api/v1/checkouts/${encodeURIComponent(checkoutId)}/credential`, credential);
  }
  confirm(checkoutId: string): Promise<JsonReply> {
    return postJson(this.fetchFn, `${this.baseUrl}/api/v1/checkouts/${encodeURIComponent(checkoutId)}/confirm`, {});
  }
}
