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
  /** Makes a simulated device of a `--simulate` terminal send the reports for `text`. */
  simulateDevice(device: string, text: string): Promise<JsonReply> {
    return postJson(this.fetchFn, `${this.baseUrl}/api/v1/simulate/scan`, { device, text });
  }
  /** Polls the checkout until the device's read has been quoted (a wedge types for up to a second). */
  async waitForQuote(checkoutId: string, timeoutMs = 10_000): Promise<JsonReply> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const res = await this.fetchFn(`${this.baseUrl}/api/v1/checkouts/${encodeURIComponent(checkoutId)}`, { method: 'GET', headers: {} });
      const body = JSON.parse(await res.text()) as { state?: string; quote?: unknown };
      if (body.state === 'quoted') return { status: 200, body: body.quote };
      if (Date.now() > end) return { status: 504, body: { error: { code: 'NO_SCAN', message: 'the device read was not quoted in time' } } };
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  confirm(checkoutId: string): Promise<JsonReply> {
    return postJson(this.fetchFn, `${this.baseUrl}/api/v1/checkouts/${encodeURIComponent(checkoutId)}/confirm`, {});
  }
}
