/** /union/statement?id=…: a settlement statement laid out for printing and signing. */
import { useEffect, useState } from 'preact/hooks';
import type { StatementSummary } from '../../../core/wire-portal.ts';
import { api, ErrorLine, mount, names, StatusPill, useMe, when, yuan } from './lib.tsx';

function StatementPage() {
  const me = useMe();
  const id = new URLSearchParams(location.search).get('id') ?? '';
  const [s, setS] = useState<StatementSummary>();
  const [titles, setTitles] = useState(new Map<string, string>());
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    api<StatementSummary>(`/api/v1/statements/${encodeURIComponent(id)}`).then(setS, setError);
    api<{ items: { id: string; title: string }[] }>('/api/v1/agreements').then(
      (r) => setTitles(new Map(r.items.map((o) => [o.id, o.title]))),
      () => undefined,
    );
  }, [id]);
  if (!me || (!s && !error)) return <p class="loading">加载中… Loading…</p>;
  if (!s)
    return (
      <main>
        <ErrorLine error={error} />
      </main>
    );
  const n = names(me);
  const org = me.orgs.find((o) => o.id === s.orgId);
  return (
    <main class="statement">
      <div class="toolbar no-print" style="margin-bottom:12px">
        <a class="button" href="/union">
          ← 返回 Back
        </a>
        <span class="spacer" />
        <button class="primary" onClick={() => print()}>
          打印 <span class="en">Print</span>
        </button>
      </div>
      <section class="card">
        <h1 style="text-align:center;margin:4px 0">{org?.name ?? s.orgId} 工会资金结算单</h1>
        <p style="text-align:center" class="en">
          {org?.nameEn ?? ''} · Settlement statement of union money owed to merchants
        </p>
        <dl class="kv">
          <dt>编号 Statement</dt>
          <dd class="mono">{s.id}</dd>
          <dt>结算期间 Period</dt>
          <dd>
            {s.from} 至 {s.to}（{s.timeZone}）
          </dd>
          <dt>状态 Status</dt>
          <dd>
            <StatusPill status={s.status} />
          </dd>
        </dl>
        <table class="data" data-table="statement">
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
            {s.rows.map((r) => (
              <tr>
                <td>{n.merchant(r.merchantId)}</td>
                <td>{titles.get(r.campaignId) ?? r.campaignId}</td>
                <td class="num">{r.count}</td>
                <td class="num">{yuan(r.unionFen)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <td colSpan={2}>合计 Total</td>
              <td class="num">{s.rows.reduce((a, r) => a + r.count, 0)}</td>
              <td class="num">{yuan(s.totalUnionFen)}</td>
            </tr>
          </tfoot>
        </table>
        {(s.adjustments ?? []).length > 0 && (
          <table class="data" data-table="adjustments">
            <thead>
              <tr>
                <th>
                  扣回：已结算后作废的核销<span class="en">Deducted: voided after an approved or paid statement</span>
                </th>
                <th>
                  原结算单<span class="en">Counted in</span>
                </th>
                <th>
                  工会活动<span class="en">Campaign</span>
                </th>
                <th class="num">
                  工会资金<span class="en">Union money</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {s.adjustments.map((a) => (
                <tr>
                  <td class="mono">
                    {a.redemptionId} · {n.merchant(a.merchantId)}
                  </td>
                  <td class="mono">{a.statementId}</td>
                  <td>{titles.get(a.campaignId) ?? a.campaignId}</td>
                  <td class="num">−{yuan(a.unionFen)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <td colSpan={3}>应付 Net owed</td>
                <td class="num">{yuan(s.totalUnionFen - s.adjustmentFen)}</td>
              </tr>
            </tfoot>
          </table>
        )}
        <table class="data" style="margin-top:24px">
          <tbody>
            <tr>
              <td>制单 Drafted</td>
              <td>{s.createdBy}</td>
              <td class="mono">{when(s.createdAt, me.timeZone)}</td>
            </tr>
            <tr>
              <td>审批 Approved</td>
              <td>{s.approvedBy ?? '—'}</td>
              <td class="mono">{when(s.approvedAt, me.timeZone)}</td>
            </tr>
            <tr>
              <td>支付 Paid</td>
              <td>{s.paidBy ?? '—'}</td>
              <td class="mono">{when(s.paidAt, me.timeZone)}</td>
            </tr>
          </tbody>
        </table>
        <p style="margin-top:40px">经办人签字 Signature: ____________________ &nbsp;&nbsp; 日期 Date: ____________</p>
      </section>
    </main>
  );
}

mount(<StatementPage />);
