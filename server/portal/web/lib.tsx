/** What every portal page shares: the session, API calls, downloads, formatting, header and small widgets. */
import { saveBlob } from '../../../web/browser-util.ts';
import { render, type ComponentChildren, type VNode } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { Chart, registerables, type ChartConfiguration } from 'chart.js';
import { isoInZone, localParts } from '../../../core/local-time.ts';
import { formatYuan } from '../../../core/money.ts';
import type { PortalMe } from '../../../core/wire-portal.ts';
import { PORTAL_CSS } from './style.ts';

Chart.register(...registerables);

const TOKEN = 'huika.portal.token';
export const session = {
  get: () => localStorage.getItem(TOKEN),
  set: (t: string) => localStorage.setItem(TOKEN, t),
  clear: () => localStorage.removeItem(TOKEN),
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

// biome-ignore lint/suspicious/noExplicitAny: the pages' fetch helper; each caller names the answer type it expects
export async function api<T = any>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const res = await fetch(path, {
    method: init.method ?? 'GET',
    headers: { ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), authorization: `Bearer ${session.get() ?? ''}` },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  if (res.status === 401) {
    session.clear();
    location.href = '/portal';
    throw new ApiError(401, 'UNAUTHENTICATED', '请重新登录 Please sign in again');
  }
  const body = await res.json().catch(() => undefined);
  if (!res.ok) throw new ApiError(res.status, body?.error?.code ?? 'HTTP', body?.error?.message ?? res.statusText);
  return body as T;
}

/** Saves what an export URL answers under a file name (the session travels as a header, not in the URL). */
export async function download(path: string, filename: string): Promise<void> {
  const res = await fetch(path, { headers: { authorization: `Bearer ${session.get() ?? ''}` } });
  if (!res.ok) throw new ApiError(res.status, 'HTTP', `导出失败 Export failed (${res.status})`);
  saveBlob(await res.blob(), filename);
}

export { qs } from '../../../web/browser-util.ts';

export const yuan = formatYuan;
/** 2026-11-25 12:00:00 +08:00: the union's zone, offset spelled out. */
export function when(iso: string | null | undefined, tz: string): string {
  if (!iso) return '—';
  const s = isoInZone(new Date(iso), tz);
  return `${s.slice(0, 10)} ${s.slice(11, 19)} ${s.slice(19)}`;
}
export function monthStart(me: PortalMe): string {
  return `${localParts(new Date(me.serverTime), me.timeZone).month}-01`;
}
export function today(me: PortalMe): string {
  return localParts(new Date(me.serverTime), me.timeZone).date;
}

export function useMe(): PortalMe | undefined {
  const [me, setMe] = useState<PortalMe>();
  useEffect(() => {
    if (!session.get()) {
      location.href = '/portal';
      return;
    }
    api<PortalMe>('/api/v1/portal/me').then(setMe, () => undefined);
  }, []);
  return me;
}

export function names(me: PortalMe) {
  const m = new Map(me.merchants.map((x) => [x.id, x.name]));
  const s = new Map(me.stores.map((x) => [x.id, x.name]));
  const o = new Map(me.orgs.map((x) => [x.id, x.name]));
  return { merchant: (id: string) => m.get(id) ?? id, store: (id: string) => s.get(id) ?? id, org: (id: string) => o.get(id) ?? id };
}

/** Chinese first, English smaller after it. */
export function Bi({ zh, en }: { zh: string; en: string }) {
  return (
    <>
      {zh} <span class="en">{en}</span>
    </>
  );
}

export function Header({ me, zh, en, children }: { me: PortalMe | undefined; zh: string; en: string; children?: ComponentChildren }) {
  return (
    <header class="bar">
      <span class="logo">惠卡</span>
      <h1>
        {zh} <span class="en">{en}</span>
      </h1>
      {children}
      <span class="spacer" />
      {me?.user.role === 'admin' && (
        <a class="button ghost" href={location.pathname.startsWith('/admin') ? '/union' : '/admin'} data-testid="switch-portal">
          {location.pathname.startsWith('/admin') ? '审计 Audit' : '管理 Admin'}
        </a>
      )}
      {me && (
        <span class="who">
          {me.merchant?.name ?? me.org?.name} · {me.user.displayName}
        </span>
      )}
      <button
        class="ghost"
        onClick={async () => {
          session.clear();
          // The session cookie is httpOnly: only the server can clear it.
          await fetch('/api/v1/session', { method: 'DELETE' }).catch(() => undefined);
          location.href = '/portal';
        }}
      >
        退出 <span class="en">Sign out</span>
      </button>
    </header>
  );
}

export function Tabs<T extends string>({
  tabs,
  value,
  onChange,
}: {
  tabs: readonly (readonly [T, string, string])[];
  value: T;
  onChange: (t: T) => void;
}) {
  return (
    <nav class="tabs" role="tablist">
      {tabs.map(([id, zh, en]) => (
        <button
          role="tab"
          aria-selected={value === id}
          class={value === id ? 'tab active' : 'tab'}
          data-tab={id}
          onClick={() => onChange(id)}
        >
          {zh} <span class="en">{en}</span>
        </button>
      ))}
    </nav>
  );
}

export function Field({ zh, en, children }: { zh: string; en: string; children: ComponentChildren }) {
  return (
    <label>
      <span>
        {zh} <span class="en">{en}</span>
      </span>
      {children}
    </label>
  );
}

export function ErrorLine({ error }: { error: unknown }) {
  if (!error) return null;
  return <p class="error">{error instanceof Error ? error.message : String(error)}</p>;
}

export function StatusPill({ status }: { status: string }) {
  const map: Record<string, [string, string, string]> = {
    committed: ['ok', '已核销', 'committed'],
    voided: ['bad', '已撤销', 'voided'],
    draft: ['warn', '草稿', 'draft'],
    approved: ['info', '已审批', 'approved'],
    paid: ['ok', '已支付', 'paid'],
    cancelled: ['muted', '已作废', 'cancelled'],
    online: ['ok', '在线', 'online'],
    offline: ['warn', '离线', 'offline'],
    pending: ['info', '待配对', 'pairing'],
    never: ['muted', '未启用', 'not enrolled'],
    active: ['ok', '生效中', 'active'],
    ended: ['muted', '已结束', 'ended'],
  };
  const [cls, zh, en] = map[status] ?? ['muted', status, status];
  return (
    <span class={`pill ${cls}`}>
      {zh} <span class="en">{en}</span>
    </span>
  );
}

export function ChartBox({ config, label }: { config: ChartConfiguration; label: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    const c = new Chart(ref.current, {
      ...config,
      options: { animation: false, responsive: true, maintainAspectRatio: false, ...config.options },
    });
    return () => c.destroy();
  }, [JSON.stringify(config.data), JSON.stringify(config.options ?? {})]);
  return (
    <div class="chart">
      <canvas ref={ref} role="img" aria-label={label} />
    </div>
  );
}

export function Kpi({ zh, en, value }: { zh: string; en: string; value: string | number }) {
  return (
    <div class="kpi">
      <div class="kpi-label">
        {zh} <span class="en">{en}</span>
      </div>
      <div class="kpi-value">{value}</div>
    </div>
  );
}

/** Renders a page into #app, replacing the shell's loading line. */
export function mount(vnode: VNode): void {
  injectStyle();
  const el = document.getElementById('app')!;
  el.textContent = '';
  render(vnode, el);
}

/** A constructed stylesheet, not a <style> element: the Content-Security-Policy allows no inline style elements. */
export function injectStyle(): void {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(PORTAL_CSS);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}

export const PALETTE = { red: '#c8102e', gold: '#d4a017', blue: '#2f6fb0', green: '#1a7f37', grey: '#9aa4ae' };
