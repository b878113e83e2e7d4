/** /merchant: a merchant admin's log, totals, agreements as members see them, and terminals. */
import { useEffect, useState } from 'preact/hooks';
import type { Offer } from '../../../core/domain.ts';
import type { PairingResponse, PortalMe, TerminalStatus, Totals } from '../../../core/wire-portal.ts';
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
import { conditionsZh, ruleEn, ruleZh } from './rules-text.ts';

type Tab = 'log' | 'totals' | 'offers' | 'terminals' | 'feedback';
const TABS = [
  ['log', '核销记录', 'Redemptions'],
  ['totals', '汇总', 'Totals'],
  ['offers', '协议与活动', 'Agreements'],
  ['terminals', '终端', 'Terminals'],
  ['feedback', '会员评价', 'Feedback'],
] as const;

function TotalsTab({ me }: { me: PortalMe }) {
  const n = names(me);
  const [q, setQ] = useState({ granularity: 'day', from: monthStart(me), to: today(me), storeId: '' });
  const [t, setT] = useState<Totals>();
  const [error, setError] = useState<unknown>();
  const query = qs(q);
  useEffect(() => {
    api<Totals>(`/api/v1/merchant/totals${query}`).then(setT, setError);
  }, [query]);
  const periods = [...new Set((t?.rows ?? []).map((r) => r.period))];
  const sum = (p: string, k: 'salesFen' | 'discountFen' | 'unionFen') =>
    (t?.rows ?? []).filter((r) => r.period === p).reduce((s, r) => s + r[k], 0) / 100;
  const set = (k: keyof typeof q) => (e: Event) => setQ({ ...q, [k]: (e.currentTarget as HTMLInputElement).value });
  return (
    <>
      <section class="card">
        <div class="toolbar">
          <h2>
            <Bi zh="销售与优惠汇总" en="Sales and discounts" />
          </h2>
          <span class="spacer" />
          <button
            data-action="export-totals"
            onClick={() => download(`/api/v1/merchant/totals.csv${query}`, `totals-${q.granularity}.csv`).catch(setError)}
          >
            导出 CSV <span class="en">Export what is shown</span>
          </button>
        </div>
        <div class="filters">
          <Field zh="按" en="By">
            <select name="granularity" value={q.granularity} onChange={set('granularity')}>
              <option value="day">日 Day</option>
              <option value="month">月 Month</option>
            </select>
          </Field>
          <Field zh="门店" en="Store">
            <select name="storeId" value={q.storeId} onChange={set('storeId')}>
              <option value="">全部门店 All stores</option>
              {me.stores.map((s) => (
                <option value={s.id}>{s.name}</option>
              ))}
            </select>
          </Field>
          <Field zh="起" en="From">
            <input type="date" name="from" value={q.from} onChange={set('from')} />
          </Field>
          <Field zh="止" en="To">
            <input type="date" name="to" value={q.to} onChange={set('to')} />
          </Field>
        </div>
        <ErrorLine error={error} />
        {t && (
          <Kpis
            items={[
              ['核销笔数', 'Redemptions', t.total.count],
              ['销售额', 'Sales', yuan(t.total.salesFen)],
              ['会员优惠', 'Discount given', yuan(t.total.discountFen)],
              ['工会应付本店', 'Union owes you', yuan(t.total.unionFen)],
            ]}
          />
        )}
        <BarChart
          label="sales chart"
          labels={periods}
          series={[
            { label: '销售额 Sales (¥)', data: periods.map((p) => sum(p, 'salesFen')), color: PALETTE.grey },
            { label: '会员优惠 Discount (¥)', data: periods.map((p) => sum(p, 'discountFen')), color: PALETTE.red },
            { label: '工会应付 Union owes (¥)', data: periods.map((p) => sum(p, 'unionFen')), color: PALETTE.gold },
          ]}
        />
      </section>
      <section class="card">
        <FigureTable
          name="totals"
          rows={t?.rows ?? []}
          columns={[
            {
              zh: q.granularity === 'day' ? '日期' : '月份',
              en: q.granularity === 'day' ? 'Date' : 'Month',
              cell: (r) => <span class="mono">{r.period}</span>,
            },
            { zh: '门店', en: 'Store', cell: (r) => n.store(r.storeId) },
            { zh: '笔数', en: 'Count', num: true, cell: (r) => r.count, foot: t?.total.count },
            { zh: '销售额', en: 'Sales', num: true, cell: (r) => yuan(r.salesFen), foot: t && yuan(t.total.salesFen) },
            { zh: '会员优惠', en: 'Discount', num: true, cell: (r) => yuan(r.discountFen), foot: t && yuan(t.total.discountFen) },
            { zh: '商家让利', en: 'Merchant-funded', num: true, cell: (r) => yuan(r.merchantFen), foot: t && yuan(t.total.merchantFen) },
            { zh: '工会应付', en: 'Union owes', num: true, cell: (r) => yuan(r.unionFen), foot: t && yuan(t.total.unionFen) },
          ]}
        />
      </section>
    </>
  );
}

function OffersTab({ me }: { me: PortalMe }) {
  const [offers, setOffers] = useState<Offer[]>([]);
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    api<{ items: Offer[] }>('/api/v1/agreements').then((r) => setOffers(r.items), setError);
  }, []);
  const org = (id: string) => me.orgs.find((o) => o.id === id)?.name ?? id;
  return (
    <section class="card">
      <h2>
        <Bi zh="会员看到的协议与工会活动" en="Agreements and campaigns as members see them" />
      </h2>
      <ErrorLine error={error} />
      <div class="offers">
        {offers.map((o) => (
          <div class="offer" data-offer={o.id}>
            <div style="display:flex;justify-content:space-between;gap:8px">
              <span class={`pill ${o.kind === 'campaign' ? 'warn' : 'info'}`}>
                {o.kind === 'campaign' ? '工会活动 Union campaign' : '会员协议 Agreement'}
              </span>
              <StatusPill status={o.status} />
            </div>
            <div class="rule">{ruleZh(o.rule)}</div>
            <div>
              <b>{o.title}</b> <span class="en">{o.titleEn ?? ruleEn(o.rule)}</span>
            </div>
            <div class="small muted">
              {ruleEn(o.rule)} · 签约 signed by {org(o.orgId)} · v{o.version}
            </div>
            {conditionsZh(o).length > 0 && <div class="small">{conditionsZh(o).join(' · ')}</div>}
            <div class="small">
              {o.unionShareBps > 0
                ? `工会出资 ${o.unionShareBps / 100}%，预算 ${yuan(o.budgetFen ?? 0)} · union-funded`
                : '商家让利 · merchant-funded'}
            </div>
          </div>
        ))}
      </div>
    </section>
  );
}

function TerminalsTab({ me }: { me: PortalMe }) {
  const n = names(me);
  const [items, setItems] = useState<TerminalStatus[]>([]);
  const [error, setError] = useState<unknown>();
  const [storeId, setStoreId] = useState(me.stores[0]?.id ?? '');
  const [issued, setIssued] = useState<PairingResponse>();
  const refresh = () => api<{ items: TerminalStatus[] }>('/api/v1/merchant/terminals').then((r) => setItems(r.items), setError);
  useEffect(() => void refresh(), []);
  async function pair() {
    try {
      setIssued(await api<PairingResponse>('/api/v1/merchant/terminals', { method: 'POST', body: { storeId } }));
      await refresh();
    } catch (err) {
      setError(err);
    }
  }
  return (
    <section class="card">
      <div class="toolbar">
        <h2>
          <Bi zh="收银终端" en="Terminals" />
        </h2>
        <span class="spacer" />
        <div class="filters" style="margin:0">
          <Field zh="门店" en="Store">
            <select name="pairStoreId" value={storeId} onChange={(e) => setStoreId(e.currentTarget.value)}>
              {me.stores.map((s) => (
                <option value={s.id}>{s.name}</option>
              ))}
            </select>
          </Field>
          <button class="primary" data-action="pair" onClick={pair}>
            新增终端配对码 <span class="en">Pairing code for a new terminal</span>
          </button>
        </div>
      </div>
      {issued && (
        <div class="flag" data-panel="pairing">
          终端 <b class="mono">{issued.terminalId}</b>（{n.store(issued.storeId)}）的配对码，仅显示这一次 · Pairing code, shown only once:
          <div style="margin:8px 0">
            <span class="code" data-pairing-code>
              {issued.pairingCode}
            </span>
          </div>
          <span class="small muted">
            在新终端上运行 huika terminal --pairing-code … 输入此码 · Enter it on the new till; it works once.
          </span>
        </div>
      )}
      <ErrorLine error={error} />
      <table class="data" data-table="terminals">
        <thead>
          <tr>
            <th>
              终端<span class="en">Terminal</span>
            </th>
            <th>
              门店<span class="en">Store</span>
            </th>
            <th>
              状态<span class="en">Status</span>
            </th>
            <th>
              最近联系<span class="en">Last seen</span>
            </th>
            <th>
              启用时间<span class="en">Enrolled</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((t) => (
            <tr data-id={t.id}>
              <td class="mono">{t.id}</td>
              <td>{n.store(t.storeId)}</td>
              <td>
                <StatusPill status={t.state} />
              </td>
              <td class="mono">{when(t.lastSeenAt, me.timeZone)}</td>
              <td class="mono">{when(t.enrolledAt, me.timeZone)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function MerchantPage() {
  const me = useMe();
  const [tab, setTab] = useState<Tab>('log');
  return (
    <>
      <Header me={me} zh="商户管理" en="Merchant portal" />
      <Tabs tabs={TABS} value={tab} onChange={setTab} />
      <main>
        {!me && <p class="loading">加载中… Loading…</p>}
        {me && tab === 'log' && <RedemptionLog me={me} mode="merchant" />}
        {me && tab === 'totals' && <TotalsTab me={me} />}
        {me && tab === 'offers' && <OffersTab me={me} />}
        {me && tab === 'terminals' && <TerminalsTab me={me} />}
        {me && tab === 'feedback' && <FeedbackView me={me} mode="merchant" />}
      </main>
    </>
  );
}

mount(<MerchantPage />);
