/** 操作记录 Audit trail: who changed what, when, with the fields before and after. */
import { useEffect, useState } from 'preact/hooks';
import { api, download, qs } from './api.ts';
import type { TabProps } from './types.ts';
import { Bi, Empty, ErrorBox, Field, fmtTime } from './ui.tsx';

interface Entry {
  seq: number;
  at: string;
  by: { username: string };
  action: string;
  entity: string;
  id: string;
  before: unknown;
  after: unknown;
  note?: string;
  /** People's name for the record (卡 ****0015（张*）), and the time in the union's zone. */
  subject?: string;
  atLocal?: string;
}

const ACTION_ZH: Record<string, string> = {
  'members.import': '导入会员',
  'member.suspend': '停用会员',
  'member.reinstate': '恢复会员',
  'card.issue': '发卡',
  'card.activate': '激活卡片',
  'card.report_lost': '挂失',
  'card.frozen': '冻结卡片',
  'card.replace': '补换卡片',
  'merchant.create': '新增商户',
  'merchant.update': '修改商户',
  'store.create': '新增门店',
  'store.update': '修改门店',
  'terminal.create': '新增终端',
  'terminal.repair': '重新配对终端',
  'user.create': '新增用户',
  'user.update': '修改用户',
  'offer.create': '新增协议/活动',
  'offer.new_version': '协议新版本',
  'statement.approve': '审批结算单',
  'statement.pay': '结算单已付',
  'statement.cancel': '作废结算单',
  'redemption.void': '撤销核销',
};
const ENTITY = {
  member: '会员 Member',
  card: '卡片 Card',
  merchant: '商户 Merchant',
  store: '门店 Store',
  terminal: '终端 Terminal',
  offer: '协议 Agreement',
  user: '用户 User',
  import: '导入 Import',
  statement: '结算单 Statement',
  redemption: '核销 Redemption',
  union_settings: '异常提示阈值 Anomaly thresholds',
};

const show = (v: unknown) => (v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));

/** The fields that differ, one line each: key: before → after. */
export function Diff({ before, after }: { before: unknown; after: unknown }) {
  const b = (before && typeof before === 'object' ? before : {}) as Record<string, unknown>;
  const a = (after && typeof after === 'object' ? after : {}) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k]));
  if (keys.length === 0) return <span class="muted">—</span>;
  return (
    <ul class="diff">
      {keys.slice(0, 8).map((k) => {
        const bv = show(b[k]);
        const av = show(a[k]);
        return (
          <li>
            {k}: {before ? <del>{bv.length > 60 ? `${bv.slice(0, 60)}…` : bv}</del> : null} →{' '}
            <ins>{av.length > 80 ? `${av.slice(0, 80)}…` : av}</ins>
          </li>
        );
      })}
      {keys.length > 8 && <li class="muted">…</li>}
    </ul>
  );
}

export function AuditTab(_: TabProps) {
  const [entity, setEntity] = useState('');
  const [username, setUsername] = useState('');
  const [pages, setPages] = useState<Entry[][]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [error, setError] = useState<unknown>();
  const [tick, setTick] = useState(0);

  async function load(cursor?: number) {
    try {
      const r = await api<{ items: Entry[]; nextCursor: number | null }>(
        'GET',
        `/admin/audit-trail${qs({ entity, username, cursor, limit: 30 })}`,
      );
      setPages((p) => (cursor ? [...p, r.items] : [r.items]));
      setNext(r.nextCursor);
      setError(undefined);
    } catch (err) {
      setError(err);
    }
  }
  useEffect(() => void load(), [tick]);
  const items = pages.flat();

  return (
    <section class="card">
      <h2>
        <Bi zh="操作记录" en="Audit trail" />
      </h2>
      <p class="hint">
        每次修改都记录操作人、时间、内容及修改前后。记录经哈希链保护，不可篡改。{' '}
        <span class="en">Every change: who, when, what, before and after; hash-chained.</span>
      </p>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          setTick((t) => t + 1);
        }}
      >
        <Field zh="对象" en="Record type">
          <select value={entity} onChange={(e) => setEntity((e.target as HTMLSelectElement).value)} data-testid="audit-entity">
            <option value="">全部 All</option>
            {Object.entries(ENTITY).map(([k, v]) => (
              <option value={k}>{v}</option>
            ))}
          </select>
        </Field>
        <Field zh="操作人" en="By (username)">
          <input value={username} onInput={(e) => setUsername((e.target as HTMLInputElement).value)} />
        </Field>
        <button class="primary">查询 Search</button>
        <button
          type="button"
          onClick={() => download(`/admin/audit-trail.csv${qs({ entity, username })}`, 'audit-trail.csv').catch(setError)}
        >
          导出 CSV <span class="en">Export</span>
        </button>
      </form>
      <ErrorBox error={error} />
      {items.length === 0 && !error && <Empty zh="暂无记录" en="No entries yet" />}
      {items.length > 0 && (
        <table style="margin-top:12px" data-testid="audit">
          <thead>
            <tr>
              <th>时间 When</th>
              <th>操作人 Who</th>
              <th>操作 What</th>
              <th>对象 Record</th>
              <th>修改前 → 修改后 Before → after</th>
            </tr>
          </thead>
          <tbody>
            {items.map((e) => (
              <tr key={`${e.seq}-${e.action}-${e.id}-${e.at}`} data-action={e.action}>
                <td style="white-space:nowrap">{e.atLocal ?? fmtTime(e.at)}</td>
                <td>{e.by.username || <span class="muted">—</span>}</td>
                <td>
                  {ACTION_ZH[e.action] ?? e.action}
                  <br />
                  <code class="muted" style="font-size:12px">
                    {e.action}
                  </code>
                </td>
                <td>
                  {e.subject && <div data-testid="audit-subject">{e.subject}</div>}
                  <code class="muted" style="font-size:12px">
                    {e.id}
                  </code>
                  {e.note && (
                    <div class="muted" style="font-size:12px">
                      {e.note}
                    </div>
                  )}
                </td>
                <td>
                  {e.seq === 0 ? (
                    <span class="muted">{e.note ?? '—'}</span>
                  ) : e.entity === 'import' ? (
                    <span>
                      {(() => {
                        const s = (e.after as { summary?: Record<string, number> })?.summary ?? {};
                        return `新增 ${s.membersCreated ?? 0} · 更新 ${s.membersUpdated ?? 0} · 发卡 ${s.cardsIssued ?? 0}`;
                      })()}
                    </span>
                  ) : (
                    <Diff before={e.before} after={e.after} />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next && (
        <div class="pager">
          <button class="small" onClick={() => load(next)}>
            更多 More
          </button>
        </div>
      )}
    </section>
  );
}
