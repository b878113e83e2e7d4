/** Browser side: the session token (localStorage `huika_token`, shared with /portal) and JSON calls to /api/v1. */
import { saveBlob } from '../../../web/browser-util.ts';
export const TOKEN_KEY = 'huika_token';
/** Where the /portal sign-in page keeps its token: an admin who signed in there is signed in here too. */
const PORTAL_TOKEN_KEY = 'huika.portal.token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const token = () => localStorage.getItem(TOKEN_KEY) ?? localStorage.getItem(PORTAL_TOKEN_KEY);

export function forgetToken(): void {
  localStorage.removeItem(TOKEN_KEY);
  localStorage.removeItem(PORTAL_TOKEN_KEY);
}

const headers = (extra: Record<string, string> = {}) => {
  const t = token();
  return { ...(t ? { authorization: `Bearer ${t}` } : {}), ...extra };
};

async function answer<T>(res: Response): Promise<T> {
  const body = await res.json().catch(() => undefined);
  if (!res.ok) {
    if (res.status === 401) window.dispatchEvent(new Event('huika:signed-out'));
    const e = (body as { error?: { code: string; message: string; details?: unknown } } | undefined)?.error;
    throw new ApiError(res.status, e?.code ?? `HTTP_${res.status}`, e?.message ?? res.statusText, e?.details);
  }
  return body as T;
}

// biome-ignore lint/suspicious/noExplicitAny: the pages' fetch helper; each caller names the answer type it expects
export async function api<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`/api/v1${path}`, {
    method,
    headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return answer<T>(res);
}

// biome-ignore lint/suspicious/noExplicitAny: the pages' fetch helper; each caller names the answer type it expects
export async function uploadCsv<T = any>(path: string, file: Blob): Promise<T> {
  const res = await fetch(`/api/v1${path}`, { method: 'POST', headers: headers({ 'content-type': 'text/csv' }), body: file });
  return answer<T>(res);
}

/** Downloads a CSV export with the Bearer token (a plain link would not carry it). */
export async function download(path: string, fileName: string): Promise<void> {
  const res = await fetch(`/api/v1${path}`, { headers: headers() });
  if (!res.ok) return void (await answer(res));
  saveBlob(await res.blob(), fileName);
}

export { qs } from '../../../web/browser-util.ts';
