/**
 * The union's feedback view: complaints as a queue an auditor answers and closes (open → answered →
 * closed, who and when), merchant ratings by month as charts, and the yearly star grade with its rule.
 * Members are never named: feedback carries no member field.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { FeedbackItem, FeedbackList } from '../../../core/wire-member.ts';
import type { PortalMe } from '../../../core/wire-portal.ts';
import { api, Bi, ChartBox, ErrorLine, Field, Kpi, names, PALETTE, qs, when } from './lib.tsx';

interface Grades {
  year: string;
  timeZone: string;
  rule: { zh: string; en: string };
  grades: { merchantId: string; count: number; averageRating: number | null; notHonoured: number; stars: number }[];
  monthly: { merchantId: string; months: { month: string; count: number; averageRating: number | null; notHonoured: number }[] }[];
}

const STATUS: Record<string, [string, string, string]> = {
  open: ['bad', '待处理', 'open'],
  answered: ['info', '已答复', 'answered'],
  closed: ['muted', '已关闭', 'closed'],
};

/** One table of the feedback view: bilingual headers (Chinese, then English; `num` right-aligned), the rows as children. */
function FeedbackTable({
  name,
  columns,
  children,
}: {
  name: string;
  columns: [zh: string, en: string, num?: boolean][];
  children: ComponentChildren;
}) {
  return (
    <table class="data" data-table={name}>
      <thead>
        <tr>
          {columns.map(([zh, en, num]) => (
            <th class={num ? 'num' : undefined}>
              {zh && (
                <>
                  {zh} <span class="en">{en}</span>
                </>
              )}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

export function stars(n: number): string {
  return n ? '★'.repeat(n) + '☆'.repeat(5 - n) : '—';
}

function Complaint({ me, f, onChange }: { me: PortalMe; f: FeedbackItem; onChange: () => void }) {
  const n = names(me);
  const [answer, setAnswer] = useState('');
  const [error, setError] = useState<unknown>();
  const c = f.complaint!;
  const [cls, zh, en] = STATUS[c.status]!;
  async function act(path: string, body: unknown) {
    try {
      await api(`/api/v1/feedback/${f.id}/${path}`, { method: 'POST', body });
      onChange();
    } catch (err) {
      setError(err);
    }
  }
  const canAct = me.user.role !== 'merchant_admin';
  return (
    <tr data-complaint={f.id} data-status={c.status}>
      <td class="mono">{when(f.createdAt, me.timeZone)}</td>
      <td>
        {n.merchant(f.merchantId)}
        <div class="en">{n.store(f.storeId)}</div>
      </td>
      <td>
        <span class="stars-text">{stars(f.rating)}</span>
        <div>{f.comment ?? <span class="muted">—</span>}</div>
        <div class="en mono">{f.redemptionId}</div>
      </td>
      <td>
        <span class={`pill ${cls}`}>
          {zh} <span class="en">{en}</span>
        </span>
        {c.answeredAt && (
          <div class="small">
            {c.answeredBy} 答复于 {when(c.answeredAt, me.timeZone)}: {c.answer}
          </div>
        )}
        {c.closedAt && (
          <div class="small">
            {c.closedBy} 关闭于 {when(c.closedAt, me.timeZone)}
          </div>
        )}
      </td>
      <td>
        {canAct && c.status === 'open' && (
          <div class="answer">
            <input name="answer" placeholder="答复 Answer" value={answer} onInput={(e) => setAnswer(e.currentTarget.value)} />
            <button class="primary" data-action="answer" disabled={!answer.trim()} onClick={() => act('answer', { answer })}>
              答复 <span class="en">Answer</span>
            </button>
          </div>
        )}
        {canAct && c.status === 'answered' && (
          <button data-action="close" onClick={() => act('close', {})}>
            关闭 <span class="en">Close</span>
          </button>
        )}
        <ErrorLine error={error} />
      </td>
    </tr>
  );
}

/** The complaint queue and the ratings; `mode` merchant shows only its own, read-only. */
export function FeedbackView({ me, mode }: { me: PortalMe; mode: 'union' | 'merchant' }) {
  const n = names(me);
  const [status, setStatus] = useState<'' | 'open' | 'answered' | 'closed'>(mode === 'union' ? 'open' : '');
  const [list, setList] = useState<FeedbackList>();
  const [all, setAll] = useState<FeedbackList>();
  const [grades, setGrades] = useState<Grades>();
  const [error, setError] = useState<unknown>();
  const [tick, setTick] = useState(0);
  useEffect(() => {
    Promise.all([
      api<FeedbackList>(`/api/v1/feedback${qs({ complaint: status })}`),
      api<FeedbackList>('/api/v1/feedback'),
      api<Grades>('/api/v1/feedback/grades'),
    ]).then(([a, b, g]) => {
      setList(a);
      setAll(b);
      setGrades(g);
      setError(undefined);
    }, setError);
  }, [status, tick]);
  const complaints = (list?.items ?? []).filter((f) => f.complaint);
  const months = [...new Set((grades?.monthly ?? []).flatMap((m) => m.months.map((x) => x.month)))].sort();
  const colours = [PALETTE.red, PALETTE.blue, PALETTE.gold, PALETTE.green, PALETTE.grey];
  return (
    <>
      <section class="card" data-panel="feedback-summary">
        <h2>
          <Bi zh="会员评价" en="Members' feedback" />
        </h2>
        <ErrorLine error={error} />
        {all && (
          <div class="kpis">
            <Kpi zh="评价数" en="Ratings" value={all.summary.count} />
            <Kpi zh="平均评分" en="Average" value={all.summary.averageRating ?? '—'} />
            <Kpi zh="未享受优惠" en="Not honoured" value={all.summary.notHonoured} />
          </div>
        )}
        {grades && grades.monthly.length > 0 && (
          <ChartBox
            label="每月平均评分 Average rating by month"
            config={{
              type: 'line',
              data: {
                labels: months,
                datasets: grades.monthly.map((m, i) => ({
                  label: n.merchant(m.merchantId),
                  data: months.map((mo) => m.months.find((x) => x.month === mo)?.averageRating ?? null),
                  borderColor: colours[i % colours.length]!,
                  backgroundColor: colours[i % colours.length]!,
                  spanGaps: true,
                })),
              },
              options: { scales: { y: { min: 0, max: 5, title: { display: true, text: '评分 Rating' } } } },
            }}
          />
        )}
      </section>
      {grades && (
        <section class="card" data-panel="grades">
          <h2>
            <Bi zh={`${grades.year} 年度商户星级`} en={`Merchant grades, ${grades.year}`} />
          </h2>
          <p class="rule" data-testid="grade-rule">
            {grades.rule.zh}
            <br />
            <span class="en">{grades.rule.en}</span>
          </p>
          <FeedbackTable
            name="grades"
            columns={[
              ['商户', 'Merchant'],
              ['评价', 'Ratings', true],
              ['平均', 'Average', true],
              ['未享受优惠', 'Not honoured', true],
              ['星级', 'Grade'],
            ]}
          >
            {grades.grades.map((g) => (
              <tr data-merchant={g.merchantId}>
                <td>{n.merchant(g.merchantId)}</td>
                <td class="num">{g.count}</td>
                <td class="num">{g.averageRating ?? '—'}</td>
                <td class="num">{g.notHonoured}</td>
                <td class="stars-text" data-stars={String(g.stars)}>
                  {g.stars ? stars(g.stars) : '评价不足 Too few ratings'}
                </td>
              </tr>
            ))}
          </FeedbackTable>
        </section>
      )}
      <section class="card" data-panel="complaints">
        <div class="toolbar">
          <h2>
            <Bi zh={mode === 'union' ? '投诉处理' : '投诉'} en={mode === 'union' ? 'Complaint queue' : 'Complaints'} />
          </h2>
          <span class="spacer" />
          <Field zh="状态" en="Status">
            <select name="complaint" value={status} onChange={(e) => setStatus(e.currentTarget.value as typeof status)}>
              <option value="">全部 All</option>
              <option value="open">待处理 Open</option>
              <option value="answered">已答复 Answered</option>
              <option value="closed">已关闭 Closed</option>
            </select>
          </Field>
        </div>
        <FeedbackTable
          name="complaints"
          columns={[
            ['时间', 'When'],
            ['商户', 'Merchant'],
            ['评价', 'Feedback'],
            ['处理', 'Handling'],
            ['', ''],
          ]}
        >
          {complaints.map((f) => (
            <Complaint me={me} f={f} onChange={() => setTick((t) => t + 1)} />
          ))}
          {complaints.length === 0 && (
            <tr>
              <td colSpan={5} class="muted">
                没有 <span class="en">None</span>
              </td>
            </tr>
          )}
        </FeedbackTable>
      </section>
      {mode === 'merchant' && all && (
        <section class="card" data-panel="ratings">
          <h2>
            <Bi zh="全部评价" en="All ratings" />
          </h2>
          <FeedbackTable
            name="ratings"
            columns={[
              ['时间', 'When'],
              ['门店', 'Store'],
              ['评分', 'Rating'],
              ['留言', 'Comment'],
            ]}
          >
            {all.items.map((f) => (
              <tr data-feedback={f.id}>
                <td class="mono">{when(f.createdAt, me.timeZone)}</td>
                <td>{n.store(f.storeId)}</td>
                <td class="stars-text">{stars(f.rating)}</td>
                <td>
                  {f.comment ?? '—'}
                  {!f.honoured && <span class="pill bad">未享受优惠 Not honoured</span>}
                </td>
              </tr>
            ))}
          </FeedbackTable>
        </section>
      )}
    </>
  );
}
