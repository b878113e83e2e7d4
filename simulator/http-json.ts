/** A minimal JSON-over-HTTP call with the contract's error shape; `fetch` is injectable for tests. */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<{ status: number; text(): Promise<string> }>;

export interface JsonReply<T = unknown> {
  status: number;
  body: T;
}

export async function postJson<T = unknown>(fetchFn: FetchLike, url: string, body: unknown, token?: string): Promise<JsonReply<T>> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetchFn(url, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON (a proxy's HTML error page): keep the text so the summary can show it.
  }
  return { status: res.status, body: parsed as T };
}

export const defaultFetch: FetchLike = (url, init) => fetch(url, init);
