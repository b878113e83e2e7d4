/** Small shared pieces of the admin page: bilingual labels, status pills, messages, and its extra styles. */
import type { ComponentChildren } from 'preact';
import { ApiError } from './api.ts';

/** Chinese first, English smaller beside it. */
export function Bi({ zh, en }: { zh: string; en: string }) {
  return (
    <>
      {zh} <span class="en">{en}</span>
    </>
  );
}

export const MEMBER_STATUS: Record<string, [string, string, string]> = {
  active: ['正常', 'Active', 'ok'],
  suspended: ['停用', 'Suspended', 'bad'],
};
export const CARD_STATUS: Record<string, [string, string, string]> = {
  issued: ['已发卡', 'Issued', 'warn'],
  activated: ['已激活', 'Activated', 'ok'],
  lost: ['已挂失', 'Lost', 'bad'],
  frozen: ['已冻结', 'Frozen', 'bad'],
  replaced: ['已补换', 'Replaced', 'muted'],
};

export function Pill({ map, value }: { map: Record<string, [string, string, string]>; value: string }) {
  const [zh, en, tone] = map[value] ?? [value, '', 'muted'];
  return (
    <span class={`pill ${tone}`} data-status={value}>
      {zh} <small>{en}</small>
    </span>
  );
}

export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  const e = error as Error;
  const details = error instanceof ApiError && Array.isArray(error.details) ? (error.details as { path: string; message: string }[]) : [];
  return (
    <div class="error" role="alert">
      {e.message}
      {details.length > 0 && (
        <ul>
          {details.map((d) => (
            <li>
              <code>{d.path}</code>: {d.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Notice({ children, tone = 'ok' }: { children: ComponentChildren; tone?: 'ok' | 'warn' }) {
  return (
    <div class={`notice ${tone}`} role="status">
      {children}
    </div>
  );
}

export function Field({ zh, en, children, wide }: { zh: string; en: string; children: ComponentChildren; wide?: boolean }) {
  return (
    <label class={wide ? 'wide' : ''}>
      <span>
        {zh} <span class="en">{en}</span>
      </span>
      {children}
    </label>
  );
}

export function Empty({ zh, en }: { zh: string; en: string }) {
  return (
    <p class="empty">
      <Bi zh={zh} en={en} />
    </p>
  );
}

export const fmtTime = (iso: string | null | undefined) => {
  if (!iso) return '—';
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
};

/** Styles only this page needs, on top of web/huika.css. */
export const ADMIN_CSS = `
nav.tabs { display: flex; gap: 2px; padding: 0 20px; background: #fff; border-bottom: 1px solid var(--line); position: sticky; top: 0; z-index: 5; }
nav.tabs a { padding: 11px 16px 9px; color: var(--ink); text-decoration: none; border-bottom: 3px solid transparent; font-size: 15px; }
nav.tabs a .en { font-size: 12px; }
nav.tabs a.active { border-bottom-color: var(--red); color: var(--red); font-weight: 600; }
nav.tabs a:hover { background: #fafbfc; }
header.bar .who { font-size: 14px; text-align: right; line-height: 1.3; }
header.bar .who .en { color: #fff; opacity: .8; }
header.bar button { background: transparent; color: #fff; border-color: rgba(255,255,255,.6); padding: 5px 10px; }
.card h2 .en { font-size: 13px; }
.card .hint { color: var(--muted); font-size: 13px; margin: -6px 0 12px; }
label > span { color: var(--muted); }
label.wide { flex: 1 1 260px; }
label.check { flex-direction: row; align-items: center; gap: 6px; color: var(--ink); font-size: 14px; }
.pill { white-space: nowrap; }
.pill small { opacity: .8; }
td code { white-space: nowrap; }
.pill.muted { color: var(--muted); }
.notice { padding: 10px 12px; border-radius: 6px; margin: 10px 0; }
.notice.ok { background: #dafbe1; border: 1px solid #aceebb; color: #116329; }
.notice.warn { background: #fff8c5; border: 1px solid #eedc82; color: #7d4e00; }
.error ul { margin: 6px 0 0; padding-left: 20px; }
.progress { height: 14px; background: #eef0f3; border-radius: 7px; overflow: hidden; margin: 10px 0 4px; }
.progress > div { height: 100%; background: var(--red); }
.progress.done > div { background: var(--ok); }
.progress.failed > div { background: var(--bad); }
.muted { color: var(--muted); }
.empty { color: var(--muted); padding: 12px 0; }
.table-wrap { max-height: 420px; overflow: auto; border: 1px solid var(--line); border-radius: 6px; }
.table-wrap table th { position: sticky; top: 0; }
td.actions { white-space: nowrap; text-align: right; }
td.actions button, .small { padding: 4px 10px; font-size: 13px; }
button.danger { color: var(--bad); border-color: #f0b4b8; }
button.link { border: none; background: none; color: #0969da; padding: 0; }
.grid2 { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 16px; align-items: start; }
.stats { display: flex; gap: 24px; flex-wrap: wrap; margin: 8px 0; }
.stats div { font-size: 13px; color: var(--muted); }
.stats b { display: block; font-size: 22px; color: var(--ink); font-variant-numeric: tabular-nums; }
.cols { font-size: 13px; }
.cols td, .cols th { padding: 4px 8px; }
.pager { display: flex; gap: 10px; align-items: center; justify-content: flex-end; margin-top: 10px; font-size: 13px; color: var(--muted); }
.diff { font-size: 12px; margin: 0; padding: 0; list-style: none; }
.diff li { font-family: ui-monospace, monospace; }
.diff del { color: var(--bad); text-decoration: line-through; }
.diff ins { color: var(--ok); text-decoration: none; }
.secret { font-family: ui-monospace, monospace; font-size: 22px; letter-spacing: 2px; background: #fff8c5; padding: 6px 12px; border-radius: 6px; display: inline-block; }
.login { max-width: 380px; margin: 80px auto; }
.login form { display: flex; flex-direction: column; gap: 12px; }
.login input { width: 100%; }
fieldset { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; margin: 0 0 12px; }
legend { font-size: 13px; color: var(--muted); padding: 0 4px; }
.weekdays label { flex-direction: row; align-items: center; gap: 3px; color: var(--ink); }
.result { font-size: 15px; }
.result .big { font-size: 30px; }
tr.sel td { background: #fff5f5; }
`;

/** A constructed stylesheet, not a <style> element: the Content-Security-Policy allows no inline style elements. */
export function injectStyles(): void {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(ADMIN_CSS);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}
