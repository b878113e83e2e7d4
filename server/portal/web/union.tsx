/** /union: a union auditor's audit, settlement statements, statistics and hash-chain verification. */
import { useEffect, useState } from 'preact/hooks';
import type { Settlement } from '../../../core/wire.ts';
import type {
  Anomaly,
  AnomalyReport,
  AnomalySettingsView,
  PortalMe,
  RecomputeReport,
  StatementSummary,
  Stats,
} from '../../../core/wire-portal.ts';
import {
  api,
  Bi,
  download,
  ErrorLine,
  Field,
  Header,
  mount,
  monthStart,
  names,
  PALETTE,
  qs,
  StatusPill,
  Tabs,
  today,
  useMe,
  when,
  yuan,
} from './lib.tsx';
import { BarChart, FigureTable, Kpis } from './figures.tsx';
import { RedemptionLog } from './redemption-log.tsx';
import { FeedbackView } from './feedback-view.tsx';

type Tab = 'audit' | 'settlement' | 'stats' | 'verify' | 'feedback';
const TABS = [
  ['audit', '审计', 'Audit'],
  ['settlement', '结算', 'Settlement'],
  ['stats', '统计', 'Statistics'],
  ['verify', '校验', 'Verify'],
  ['feedback', '会员评价', 'Feedback'],
] as const;

const KIND: Record<Anomaly['kind'], [string, string]> = {
  member_burst: ['同一会员短时多次', 'Same member, many times in an hour'],
  odd_hours: ['非营业时段', 'Odd hours'],
  terminal_volume: ['终端量异常', 'Terminal far above usual volume'],
  void_after_statement: ['结算后撤销', 'Void after an approved statement'],
};

function Range({ value, onChange }: { value: { from: string; to: string }; onChange: (v: { from: string; to: string }) => void }) {
  return (
    <>
      <Field zh="起" en="From">
        <input type="date" name="from" value={value.from} onChange={(e) => onChange({ ...value, from: e.currentTarget.value })} />
      </Field>
      <Field zh="止" en="To">
        <input type="date" name="to" value={value.to} onChange={(e) => onChange({ ...value, to: e.currentTarget.value })} />
      </Field>
    </>
  );
}

type AnomalySettings = Record<keyof AnomalySettingsView['thresholds'], string>;
const asText = (t: AnomalySettingsView['thresholds']): AnomalySettings => ({
  burstCount: String(t.burstCount),
  burstMinutes: String(t.burstMinutes),
  volumeFactor: String(t.volumeFactor),
  volumeMin: String(t.volumeMin),
});
/** Heaviest first, as the server sorts them (core/audit/anomalies.ts ANOMALY_WEIGHT). */
const KIND_ORDER: Anomaly['kind'][] = ['void_after_statement', 'member_burst', 'terminal_volume', 'odd_hours'];

function Checks({ me }: { me: PortalMe }) {
  const n = names(me);
  const [range, setRange] = useState({ from: monthStart(me), to: today(me) });
  const [rc, setRc] = useState<RecomputeReport>();
  const [an, setAn] = useState<AnomalyReport>();
  const [error, setError] = useState<unknown>();
  // The union's thresholds are its settings on the server: what one auditor saves, every user of the union sees.
  const [saved, setSaved] = useState<AnomalySettingsView>();
  const [settings, setSettings] = useState<AnomalySettings>();
  const [saveError, setSaveError] = useState<unknown>();
  const setting = (k: keyof AnomalySettings) => (e: Event) =>
    settings && setSettings({ ...settings, [k]: (e.currentTarget as HTMLInputElement).value });
  const dirty = !!saved && !!settings && JSON.stringify(asText(saved.thresholds)) !== JSON.stringify(settings);
  async function save() {
    if (!settings) return;
    try {
      const body = Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, Number(v)]));
      const next = await api<AnomalySettingsView>('/api/v1/audit/anomaly-settings', { method: 'PUT', body });
      setSaved(next);
      setSettings(asText(next.thresholds));
      setSaveError(undefined);
      await run();
    } catch (err) {
      setSaveError(err);
    }
  }
  async function run() {
    try {
      const q = qs(range);
      const [a, b] = await Promise.all([
        api<RecomputeReport>(`/api/v1/audit/recompute${q}`),
        api<AnomalyReport>(`/api/v1/audit/anomalies${q}`),
      ]);
      setRc(a);
      setAn(b);
    } catch (err) {
      setError(err);
    }
  }
  useEffect(() => {
    void run();
    api<AnomalySettingsView>('/api/v1/audit/anomaly-settings').then((v) => {
      setSaved(v);
      setSettings(asText(v.thresholds));
    }, setSaveError);
  }, []);
  const ro = !saved?.mayChange;
  return (
    <section class="card" data-panel="checks">
      <div class="toolbar">
        <h2>
          <Bi zh="优惠核对与异常" en="Discounts honoured and anomalies" />
        </h2>
        <span class="spacer" />
        <div class="filters" style="margin:0">
          <Range value={range} onChange={setRange} />
          <button class="primary" data-action="run-checks" onClick={run}>
            检查 <span class="en">Check</span>
          </button>
        </div>
      </div>
      <details class="anomaly-settings" data-panel="anomaly-settings">
        <summary>
          异常提示的阈值 <span class="en">Anomaly thresholds</span>
        </summary>
        {settings && (
          <div class="filters">
            <Field zh="同一会员次数" en="Uses by one member">
              <input type="number" min={2} name="burstCount" value={settings.burstCount} disabled={ro} onInput={setting('burstCount')} />
            </Field>
            <Field zh="时间窗（分钟）" en="Within minutes">
              <input
                type="number"
                min={1}
                name="burstMinutes"
                value={settings.burstMinutes}
                disabled={ro}
                onInput={setting('burstMinutes')}
              />
            </Field>
            <Field zh="终端日量倍数" en="Terminal day × usual">
              <input
                type="number"
                min={1.5}
                step={0.5}
                name="volumeFactor"
                value={settings.volumeFactor}
                disabled={ro}
                onInput={setting('volumeFactor')}
              />
            </Field>
            <Field zh="终端日量至少" en="…and at least">
              <input type="number" min={1} name="volumeMin" value={settings.volumeMin} disabled={ro} onInput={setting('volumeMin')} />
            </Field>
            {!ro && (
              <button class="primary" data-action="save-thresholds" disabled={!dirty} onClick={save}>
                保存阈值 <span class="en">Save thresholds</span>
              </button>
            )}
          </div>
        )}
        {saved && (
          <p class="muted small" data-testid="thresholds-source">
            {saved.updatedAt
              ? `本工会的设置，${saved.updatedBy} 于 ${when(saved.updatedAt, me.timeZone)} 保存`
              : '本工会尚未设置，使用默认值'}
            {ro ? '；只有本工会的审计员和管理员可以修改。' : '；保存后本工会所有用户看到相同的阈值。'}{' '}
            <span class="en">
              {saved.updatedAt ? `The union's settings, saved by ${saved.updatedBy}` : 'Defaults: the union has set none yet'}
              {ro ? "; only the union's own auditors and admins change them." : '; once saved, every user of the union sees them.'}
            </span>
          </p>
        )}
        <ErrorLine error={saveError} />
        <p class="muted small">
          营业时间外的核销按各商户自己的营业时间判断。{' '}
          <span class="en">Odd hours are judged against each merchant's own opening hours.</span>
        </p>
      </details>
      <ErrorLine error={error} />
      {rc && (
        <div data-result="recompute" class={rc.mismatches.length ? 'bad-box' : 'ok-box'}>
          {rc.mismatches.length === 0 ? '✓ ' : '✗ '}
          按引用的协议版本重算 {rc.checked} 笔，{rc.mismatches.length === 0 ? '全部相符' : `${rc.mismatches.length} 处不符`}
          <span class="en">
            {' '}
            · Recomputed {rc.checked} from the agreement versions they cite: {rc.mismatches.length} mismatch
            {rc.mismatches.length === 1 ? '' : 'es'}
            {rc.boundsOnly ? ` (${rc.boundsOnly} fixed-price lines checked for bounds only: items are not recorded)` : ''}
          </span>
        </div>
      )}
      {rc && rc.mismatches.length > 0 && (
        <table class="data" data-table="mismatches">
          <thead>
            <tr>
              <th>
                核销<span class="en">Redemption</span>
              </th>
              <th>
                协议<span class="en">Agreement</span>
              </th>
              <th>
                说明<span class="en">Explanation</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rc.mismatches.map((m) => (
              <tr>
                <td class="mono">{m.redemptionId}</td>
                <td class="mono">{m.agreementId ? `${m.agreementId} v${m.agreementVersion}` : '—'}</td>
                <td>
                  {m.explanationZh}
                  <div class="en">{m.explanation}</div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {an && (
        <>
          <h3>
            异常提示 <span class="en">Anomaly flags</span> <span class="pill warn">{an.flags.length}</span>
          </h3>
          {an.flags.length === 0 && <p class="muted">未发现异常 · No anomalies among {an.checked} redemptions.</p>}
          {KIND_ORDER.filter((k) => an.flags.some((f) => f.kind === k)).map((k) => (
            <div data-group={k}>
              <h4>
                {KIND[k][0]} <span class="en">{KIND[k][1]}</span> <span class="pill">{an.flags.filter((f) => f.kind === k).length}</span>
              </h4>
              {an.flags
                .filter((f) => f.kind === k)
                .map((f) => (
                  <div class={f.kind === 'void_after_statement' ? 'flag bad' : 'flag'} data-flag={f.kind}>
                    <b>{KIND[f.kind][0]}</b> <span class="en">{KIND[f.kind][1]}</span> · {n.merchant(f.merchantId)}
                    <div>{f.explanationZh}</div>
                    <div class="en">{f.explanation}</div>
                    <div class="meta mono">
                      {f.at.slice(0, 10)} {f.at.slice(11, 19)} {f.at.slice(19)} · 小票 <span class="en">Receipts</span>{' '}
                      <span data-receipts>{f.receiptNos.slice(0, 6).join(', ')}</span>
                      {f.receiptNos.length > 6 ? ` … (+${f.receiptNos.length - 6})` : ''}
                    </div>
                  </div>
                ))}
            </div>
          ))}
        </>
      )}
    </section>
  );
}

function SettlementTab({ me }: { me: PortalMe }) {
  const n = names(me);
  const [range, setRange] = useState({ from: monthStart(me), to: today(me) });
  const [preview, setPreview] = useState<Settlement>();
  const [list, setList] = useState<StatementSummary[]>([]);
  const [error, setError] = useState<unknown>();
  const campaigns = new Map<string, string>();
  const [titles, setTitles] = useState(campaigns);
  async function refresh() {
    try {
      const [p, l, offers] = await Promise.all([
        api<Settlement>(`/api/v1/reports/settlement${qs(range)}`),
        api<{ items: StatementSummary[] }>('/api/v1/statements'),
        api<{ items: { id: string; title: string }[] }>('/api/v1/agreements'),
      ]);
      setPreview(p);
      setList(l.items);
      setTitles(new Map(offers.items.map((o) => [o.id, o.title])));
      setError(undefined);
    } catch (err) {
      setError(err);
    }
  }
  useEffect(() => void refresh(), [range.from, range.to]);
  async function act(path: string, body?: unknown) {
    try {
      await api(path, { method: 'POST', body: body ?? {} });
      await refresh();
    } catch (err) {
      setError(err);
    }
  }
  return (
    <>
      <section class="card">
        <div class="toolbar">
          <h2>
            <Bi zh="工会资金结算" en="Union money owed to merchants" />
          </h2>
          <span class="spacer" />
          <div class="filters" style="margin:0">
            <Range value={range} onChange={setRange} />
            <button class="primary" data-action="draft" onClick={() => act('/api/v1/statements', range)}>
              生成结算单 <span class="en">Draft a statement</span>
            </button>
          </div>
        </div>
        <ErrorLine error={error} />
        <table class="data" data-table="settlement">
          <thead>
            <tr>
              <th>
                商户<span class="en">Merchant</span>
              </th>
              <th>
                工会活动<span class="en">Campaign</span>
              </th>
              <th class="num">
                笔数<span class="en">Count</span>
              </th>
              <th class="num">
                工会资金<span class="en">Union money</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {(preview?.rows ?? []).map((r) => (
              <tr>
                <td>{n.merchant(r.merchantId)}</td>
                <td>{titles.get(r.campaignId) ?? r.campaignId}</td>
                <td class="num">{r.count}</td>
                <td class="num">{yuan(r.unionFen)}</td>
              </tr>
            ))}
            {preview && preview.rows.length === 0 && (
              <tr>
                <td colSpan={4} class="muted">
                  本期无工会出资的核销 · No union-funded redemptions in this period
                </td>
              </tr>
            )}
          </tbody>
          {preview && (
            <tfoot>
              <tr>
                <td colSpan={3}>合计 Total</td>
                <td class="num">{yuan(preview.totalUnionFen)}</td>
              </tr>
            </tfoot>
          )}
        </table>
        {preview?.pendingAdjustments && preview.pendingAdjustments.length > 0 && (
          <div class="flag bad" data-notice="pending-adjustments">
            <b>
              待扣回 {preview.pendingAdjustments.length} 笔 · {yuan(preview.pendingAdjustmentFen ?? 0)}
            </b>{' '}
            <span class="en">To deduct on the next statement</span>
            <div>已审批或已支付的结算单不会改变：其后作废的核销将作为调整项，在本工会下一张结算单中扣回。</div>
            <div class="en">
              Approved and paid statements never change: redemptions voided after them are deducted as adjustments on this union's next
              statement.
            </div>
            <div class="meta mono">
              {preview.pendingAdjustments.map((a) => `${a.redemptionId} (${a.statementId}, −${yuan(a.unionFen)})`).join(' · ')}
            </div>
          </div>
        )}
      </section>
      <section class="card">
        <h2>
          <Bi zh="结算单" en="Statements" />
        </h2>
        <p class="small muted">
          草稿 → 审批 → 支付，每一步记录经办人与时间；制单人不能审批或标记支付（双人复核）· Draft → approved → paid; each step records who
          and when. Whoever drafted a statement neither approves it nor marks it paid (four eyes).
        </p>
        <table class="data" data-table="statements">
          <thead>
            <tr>
              <th>
                编号<span class="en">Statement</span>
              </th>
              <th>
                期间<span class="en">Period</span>
              </th>
              <th class="num">
                工会资金<span class="en">Union money</span>
              </th>
              <th>
                状态<span class="en">Status</span>
              </th>
              <th>
                经办<span class="en">Who and when</span>
              </th>
              <th>
                操作<span class="en">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((s) => (
              <tr data-id={s.id} data-status={s.status}>
                <td class="mono">{s.id}</td>
                <td class="mono">
                  {s.from} ~ {s.to}
                </td>
                <td class="num">
                  {yuan(s.totalUnionFen)}
                  <div class="muted small">{s.redemptionCount} 笔</div>
                  {(s.adjustments ?? []).length > 0 && (
                    <div class="small" data-adjustments={String(s.adjustments.length)}>
                      <div>调整 Adjustments −{yuan(s.adjustmentFen)}</div>
                      <div class="muted">{s.adjustments.map((a) => `${a.redemptionId} ← ${a.statementId}`).join(', ')}</div>
                      <div>
                        <b>应付 Net {yuan(s.totalUnionFen - s.adjustmentFen)}</b>
                      </div>
                    </div>
                  )}
                </td>
                <td>
                  <StatusPill status={s.status} />
                </td>
                <td class="small">
                  <div>
                    制单 {s.createdBy} · {when(s.createdAt, me.timeZone)}
                  </div>
                  {s.approvedAt && (
                    <div>
                      审批 {s.approvedBy} · {when(s.approvedAt, me.timeZone)}
                    </div>
                  )}
                  {s.paidAt && (
                    <div>
                      支付 {s.paidBy} · {when(s.paidAt, me.timeZone)}
                    </div>
                  )}
                </td>
                <td>
                  <div class="toolbar">
                    {s.status === 'draft' && s.createdBy !== me.user.username && (
                      <button class="primary" data-action="approve" onClick={() => act(`/api/v1/statements/${s.id}/approve`)}>
                        审批 <span class="en">Approve</span>
                      </button>
                    )}
                    {(s.status === 'draft' || s.status === 'approved') && s.createdBy === me.user.username && (
                      <span class="small muted" data-note="four-eyes">
                        {s.status === 'draft' ? '待他人审批' : '待他人标记支付'}{' '}
                        <span class="en">{s.status === 'draft' ? 'Awaiting approval by someone else' : 'Someone else marks it paid'}</span>
                      </span>
                    )}
                    {s.status === 'draft' && (
                      <button data-action="cancel-statement" onClick={() => act(`/api/v1/statements/${s.id}/cancel`)}>
                        作废 <span class="en">Cancel</span>
                      </button>
                    )}
                    {s.status === 'approved' && s.createdBy !== me.user.username && (
                      <button class="primary" data-action="pay" onClick={() => act(`/api/v1/statements/${s.id}/pay`)}>
                        标记已付 <span class="en">Mark paid</span>
                      </button>
                    )}
                    <a
                      class="button"
                      href={`/union/statement?id=${encodeURIComponent(s.id)}`}
                      target="_blank"
                      data-action="print"
                      rel="noopener"
                    >
                      打印 <span class="en">Print</span>
                    </a>
                    <button
                      data-action="export-statement"
                      onClick={() => download(`/api/v1/statements/${s.id}.csv`, `${s.id}.csv`).catch(setError)}
                    >
                      CSV
                    </button>
                  </div>
                </td>
              </tr>
            ))}
            {list.length === 0 && (
              <tr>
                <td colSpan={6} class="muted">
                  尚无结算单 · No statements yet
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </section>
    </>
  );
}

const share = (part: number, whole: number) => (whole ? (part * 100) / whole : 0);
const pct = (part: number, whole: number) => (whole ? `${share(part, whole).toFixed(part && share(part, whole) < 1 ? 2 : 1)}%` : '—');

function StatsTab({ me }: { me: PortalMe }) {
  const n = names(me);
  const [range, setRange] = useState({ from: monthStart(me), to: today(me) });
  const [s, setS] = useState<Stats>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    api<Stats>(`/api/v1/stats${qs(range)}`).then(setS, setError);
  }, [range.from, range.to]);
  return (
    <>
      <section class="card">
        <div class="toolbar">
          <h2>
            <Bi zh="普惠服务统计" en="Member services statistics" />
          </h2>
          <span class="spacer" />
          <div class="filters" style="margin:0">
            <Range value={range} onChange={setRange} />
          </div>
        </div>
        <ErrorLine error={error} />
        {s && (
          <Kpis
            panel="kpis"
            items={[
              ['服务人次', 'Person-times', s.total.personTimes],
              ['服务会员数', 'Unique members', s.total.uniqueMembers],
              ['会员优惠', 'Discount given', yuan(s.total.discountFen)],
              ['工会资金支出', 'Union money spent', yuan(s.total.unionFen)],
            ]}
          />
        )}
        {s && (
          <div class="charts">
            <div>
              <h3>
                按会员所属工会 <span class="en">By county (member's union)</span>
              </h3>
              <BarChart
                label="by county"
                labels={s.byOrg.map((x) => n.org(x.orgId))}
                wholeNumbers
                series={[
                  { label: '人次 Person-times', data: s.byOrg.map((x) => x.personTimes), color: PALETTE.red },
                  { label: '会员数 Unique members', data: s.byOrg.map((x) => x.uniqueMembers), color: PALETTE.blue },
                ]}
              />
            </div>
            <div>
              <h3>
                按商户 <span class="en">By merchant</span>
              </h3>
              <BarChart
                label="by merchant"
                labels={s.byMerchant.map((x) => n.merchant(x.merchantId))}
                series={[
                  { label: '会员优惠 Discount (¥)', data: s.byMerchant.map((x) => x.discountFen / 100), color: PALETTE.red },
                  { label: '其中工会资金 Union money (¥)', data: s.byMerchant.map((x) => x.unionFen / 100), color: PALETTE.gold },
                ]}
              />
            </div>
          </div>
        )}
      </section>
      {s && (
        <section class="card">
          <h2>
            <Bi zh="工会活动预算执行" en="Union money against each campaign's budget" />
          </h2>
          <BarChart
            label="campaign budgets"
            labels={s.campaigns.map((c) => `${c.title} · ${n.merchant(c.merchantId)} · ${pct(c.spentFen, c.budgetFen)}`)}
            percentStacked
            series={[
              {
                label: '本期支出 This period (% of budget)',
                data: s.campaigns.map((c) => share(c.periodFen, c.budgetFen)),
                color: PALETTE.red,
                stack: 'b',
              },
              {
                label: '此前支出 Earlier (%)',
                data: s.campaigns.map((c) => share(c.spentFen - c.periodFen, c.budgetFen)),
                color: PALETTE.gold,
                stack: 'b',
              },
              {
                label: '剩余预算 Remaining (%)',
                data: s.campaigns.map((c) => share(c.budgetFen - c.spentFen, c.budgetFen)),
                color: '#e3e7eb',
                stack: 'b',
              },
            ]}
          />
          <FigureTable
            name="campaigns"
            rows={s.campaigns}
            columns={[
              {
                zh: '活动',
                en: 'Campaign',
                cell: (c) => (
                  <>
                    {c.title} <span class="muted small">{n.merchant(c.merchantId)}</span>
                  </>
                ),
              },
              { zh: '预算', en: 'Budget', num: true, cell: (c) => yuan(c.budgetFen) },
              { zh: '本期', en: 'This period', num: true, cell: (c) => yuan(c.periodFen) },
              { zh: '累计', en: 'Spent to date', num: true, cell: (c) => yuan(c.spentFen) },
              { zh: '执行率', en: 'Used', num: true, cell: (c) => pct(c.spentFen, c.budgetFen) },
            ]}
          />
          <h3>
            明细 <span class="en">By county and merchant</span>
          </h3>
          <div class="charts">
            {(
              [
                ['byOrg', '工会', 'Union'],
                ['byMerchant', '商户', 'Merchant'],
              ] as const
            ).map(([k, zh, en]) => (
              <FigureTable<{ name: string; personTimes: number; uniqueMembers: number; discountFen: number; unionFen: number }>
                name={k}
                rows={
                  k === 'byOrg'
                    ? s.byOrg.map((x) => ({ name: n.org(x.orgId), ...x }))
                    : s.byMerchant.map((x) => ({ name: n.merchant(x.merchantId), ...x }))
                }
                columns={[
                  { zh, en, cell: (x) => x.name },
                  { zh: '人次', en: 'Person-times', num: true, cell: (x) => x.personTimes },
                  { zh: '会员数', en: 'Members', num: true, cell: (x) => x.uniqueMembers },
                  { zh: '优惠', en: 'Discount', num: true, cell: (x) => yuan(x.discountFen) },
                  { zh: '工会资金', en: 'Union', num: true, cell: (x) => yuan(x.unionFen) },
                ]}
              />
            ))}
          </div>
        </section>
      )}
    </>
  );
}

function VerifyTab({ me }: { me: PortalMe }) {
  const [r, setR] = useState<{ ok: boolean; checked: number; brokenAt?: string; message?: string }>();
  const [at, setAt] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [head, setHead] = useState<HeadResult>();
  async function run() {
    try {
      setR(await api('/api/v1/audit/verify'));
      setAt(new Date().toISOString());
      setHead(await checkSignedHead());
    } catch (err) {
      setError(err);
    }
  }
  return (
    <section class="card">
      <div class="toolbar">
        <h2>
          <Bi zh="核销记录哈希链校验" en="Hash-chain verification of the redemption log" />
        </h2>
        <span class="spacer" />
        <button class="primary" data-action="verify" onClick={run}>
          开始校验 <span class="en">Verify now</span>
        </button>
      </div>
      <p class="small muted">
        每笔核销都包含前一笔的哈希；任何修改或删除都会使链条断开。· Each record carries the hash of the one before it; any edit or deletion
        breaks the chain.
      </p>
      <ErrorLine error={error} />
      {r?.ok && (
        <div class="ok-box" data-result="ok">
          ✓ 记录完整：已校验 {r.checked} 条，链条完好。 <span class="en">Intact: {r.checked} entries checked, every link holds.</span>
          <div class="small muted">{when(at, me.timeZone)}</div>
        </div>
      )}
      {r && !r.ok && (
        <div class="bad-box" data-result="broken">
          ✗ 校验失败：前 {r.checked} 条完好，第一个断开的链接在 <b class="mono">{r.brokenAt ?? `#${r.checked + 1}`}</b>
          <div class="en">
            Broken: {r.checked} entries hold; the first broken link is at {r.brokenAt ?? `entry ${r.checked + 1}`}. {r.message}
          </div>
        </div>
      )}
      {head && <SignedHeadView h={head} tz={me.timeZone} />}
    </section>
  );
}

/** The signed head this browser saw last (localStorage), and whether today's ledger extends it. */
type SignedHead = { seq: number; hash: string; at: string; signature: string };
type HeadResult = { now: SignedHead; before?: SignedHead; extends?: boolean; message?: string };
const HEAD_KEY = 'huika.union.ledgerHead';

/**
 * Certificate Transparency's idea for the ledger: keep the server's signed head from last time, ask
 * whether today's ledger still holds that hash at that entry. A rewrite or truncation since then shows
 * here even when today's chain checks out on its own. The saved head moves on only when it is extended,
 * so a warning stays until someone looks into it.
 */
async function checkSignedHead(): Promise<HeadResult> {
  let before: SignedHead | undefined;
  try {
    before = JSON.parse(localStorage.getItem(HEAD_KEY) ?? 'null') ?? undefined;
  } catch {
    before = undefined;
  }
  if (before && typeof before.seq === 'number' && /^[0-9a-f]{64}$/.test(before.hash)) {
    const c = await api<{ extends: boolean; message: string; head: SignedHead }>(
      `/api/v1/audit/head/check?seq=${before.seq}&hash=${before.hash}`,
    );
    if (c.extends) localStorage.setItem(HEAD_KEY, JSON.stringify(c.head));
    return { now: c.head, before, extends: c.extends, message: c.message };
  }
  const now = await api<SignedHead>('/api/v1/audit/head');
  localStorage.setItem(HEAD_KEY, JSON.stringify(now));
  return { now };
}

function SignedHeadView({ h, tz }: { h: HeadResult; tz: string }) {
  const short = (x: string) => `${x.slice(0, 12)}…`;
  return (
    <div class="signed-head" data-testid="signed-head">
      <h3>
        <Bi zh="签名账本头" en="Signed ledger head" />
      </h3>
      <p class="small">
        今日账本头：第 {h.now.seq} 条，哈希 <span class="mono">{short(h.now.hash)}</span>，服务器签名于 {when(h.now.at, tz)}。
        <span class="en">
          {' '}
          Today's head: entry {h.now.seq}, hash {short(h.now.hash)}, signed by the server {when(h.now.at, tz)}.
        </span>
      </p>
      {!h.before && (
        <div class="small muted" data-head="first">
          已保存此账本头；下次校验时将检查今日账本是否延续它。{' '}
          <span class="en">Saved in this browser: next time, the check proves today's ledger extends it.</span>
        </div>
      )}
      {h.before && h.extends && (
        <div class="ok-box" data-head="extends">
          ✓ 今日账本延续了您上次看到的账本头（第 {h.before.seq} 条，{when(h.before.at, tz)}）：其后没有改写或删除。
          <span class="en">
            {' '}
            Today's ledger extends the head you saw last (entry {h.before.seq}, {when(h.before.at, tz)}): nothing before it was rewritten or
            removed.
          </span>
        </div>
      )}
      {h.before && h.extends === false && (
        <div class="bad-box" data-head="diverged">
          ✗ 今日账本没有延续您上次看到的账本头（第 {h.before.seq} 条，哈希 <span class="mono">{short(h.before.hash)}</span>，
          {when(h.before.at, tz)}）。
          <div class="en">
            Today's ledger does not extend the head you saw last (entry {h.before.seq}). {h.message}
          </div>
        </div>
      )}
    </div>
  );
}

/** An auditor whose union (and the unions below it) signed nothing sees no records: say why, and what they would see. */
function NothingSigned({ me }: { me: PortalMe }) {
  const union = me.org?.name ?? '本工会';
  return (
    <div class="card" data-testid="nothing-signed" role="status">
      <h2>
        {union}及下级工会尚未签署任何商户协议或工会活动，所以这里没有核销记录。
        <span class="en">
          {' '}
          {me.org?.nameEn ?? 'Your union'} and the unions below it have signed no merchant agreement or union campaign, so there are no
          redemptions to show.
        </span>
      </h2>
      <p>
        您可以看到：本工会或下级工会签署的协议和活动所涉商户的核销记录、复算与异常提示、结算单和统计；一旦签署，记录会实时出现。
        <span class="en">
          {' '}
          You see redemptions, recomputation and anomaly flags, statements and statistics for the merchants whose agreements or campaigns
          your union or a union below it signed; they appear here live once one is signed.
        </span>
      </p>
    </div>
  );
}

function UnionPage() {
  const me = useMe();
  const [tab, setTab] = useState<Tab>('audit');
  return (
    <>
      <Header me={me} zh="工会审计与结算" en="Union audit and settlement" />
      <Tabs tabs={TABS} value={tab} onChange={setTab} />
      <main>
        {!me && <p class="loading">加载中… Loading…</p>}
        {me && me.merchants.length === 0 && <NothingSigned me={me} />}
        {me && tab === 'audit' && (
          <>
            <RedemptionLog me={me} mode="union" />
            <Checks me={me} />
          </>
        )}
        {me && tab === 'settlement' && <SettlementTab me={me} />}
        {me && tab === 'stats' && <StatsTab me={me} />}
        {me && tab === 'verify' && <VerifyTab me={me} />}
        {me && tab === 'feedback' && <FeedbackView me={me} mode="union" />}
      </main>
    </>
  );
}

mount(<UnionPage />);
