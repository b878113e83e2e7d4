/** 卡片 Cards: issue, activate, report lost (pushed to every till at once), freeze, replace. */
import { useEffect, useState } from 'preact/hooks';
import { api, download, qs } from './api.ts';
import type { MemberView, TabProps } from './types.ts';
import { Bi, CARD_STATUS, Empty, ErrorBox, Field, fmtTime, Notice, Pill } from './ui.tsx';

interface CardRow {
  id: string;
  last4: string;
  status: string;
  updatedAt: string;
  memberNo: string;
  memberName: string;
  orgName: string;
}

/** A page of the card list: `total` comes with the first page only; `nextCursor` while more follow. */
type CardPage = { items: CardRow[]; total?: number; totalIsLowerBound?: boolean; nextCursor?: string };
const PAGE = 50;

function IssueCard({ onDone }: { onDone: (msg: string) => void }) {
  const [memberNo, setMemberNo] = useState('');
  const [pan, setPan] = useState('');
  const [activate, setActivate] = useState(true);
  const [error, setError] = useState<unknown>();
  async function submit(e: Event) {
    e.preventDefault();
    setError(undefined);
    try {
      const found = await api<{ items: MemberView[] }>('GET', `/admin/members${qs({ q: memberNo.trim(), limit: 5 })}`);
      const m = found.items.find((x) => x.memberNo === memberNo.trim());
      if (!m) throw new Error('未找到该会员号 · No member with this number in your unions');
      const c = await api<{ last4: string }>('POST', '/admin/cards', { memberId: m.id, pan, status: activate ? 'activated' : 'issued' });
      setPan('');
      onDone(`已为 ${m.name} 发卡 ****${c.last4} · Card issued`);
    } catch (err) {
      setError(err);
    }
  }
  return (
    <section class="card">
      <h2>
        <Bi zh="发卡" en="Issue a card" />
      </h2>
      <form class="row" onSubmit={submit}>
        <Field zh="会员号" en="Member no.">
          <input
            value={memberNo}
            required
            pattern="\d{10}"
            onInput={(e) => setMemberNo((e.target as HTMLInputElement).value)}
            data-testid="issue-member"
          />
        </Field>
        <Field zh="卡号" en="Card number (PAN)" wide>
          <input
            value={pan}
            required
            inputMode="numeric"
            autocomplete="off"
            onInput={(e) => setPan((e.target as HTMLInputElement).value)}
            data-testid="issue-pan"
          />
        </Field>
        <label class="check">
          <input type="checkbox" checked={activate} onChange={(e) => setActivate((e.target as HTMLInputElement).checked)} />
          立即激活 <span class="en">Activate now</span>
        </label>
        <button class="primary" data-testid="issue-submit">
          发卡 Issue
        </button>
      </form>
      <p class="hint" style="margin:8px 0 0">
        卡号只保存加密摘要和后四位。 <span class="en">Only a keyed hash and the last 4 digits are kept.</span>
      </p>
      <ErrorBox error={error} />
    </section>
  );
}

export function CardsTab({ me }: TabProps) {
  const [status, setStatus] = useState('');
  const [last4, setLast4] = useState('');
  const [rows, setRows] = useState<CardPage | null>(null);
  // Keyset paging: the cursor each page after the first starts from (the page before's nextCursor); Prev pops one.
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const offset = cursors.length * PAGE;
  const [total, setTotal] = useState<{ n: number; more: boolean } | null>(null);
  const [error, setError] = useState<unknown>();
  const [msg, setMsg] = useState('');
  const [tick, setTick] = useState(0);
  const [replacing, setReplacing] = useState<string | null>(null);
  const [newPan, setNewPan] = useState('');

  useEffect(() => {
    api<CardPage>('GET', `/admin/cards${qs({ status, last4, ...(cursor ? { cursor } : {}), limit: PAGE })}`)
      .then((d) => {
        setRows(d);
        if (d.total !== undefined) setTotal({ n: d.total, more: !!d.totalIsLowerBound });
        setError(undefined);
      })
      .catch(setError);
  }, [tick, cursors]);

  async function act(c: CardRow, next: string, zh: string) {
    // A lost card is not one click away from working again: the desk says why (the member found it).
    let reason: string | null = null;
    if (c.status === 'lost' && next === 'activated') {
      reason = prompt(`****${c.last4} 已挂失。重新激活的原因（如：会员找回原卡）· Why reactivate a lost card?`);
      if (!reason?.trim()) return;
    } else if (!confirm(`${zh}: ****${c.last4} (${c.memberName})?`)) return;
    try {
      await api('POST', `/admin/cards/${c.id}/status`, { status: next, ...(reason ? { reason } : {}) });
      setMsg(next === 'lost' ? `****${c.last4} 已挂失，已通知所有终端 · Reported lost; every terminal was told` : `****${c.last4}: ${zh}`);
      setTick((t) => t + 1);
    } catch (err) {
      setError(err);
    }
  }
  async function replace(c: CardRow) {
    try {
      const r = await api<{ card: { last4: string } }>('POST', `/admin/cards/${c.id}/replace`, { pan: newPan });
      setMsg(`****${c.last4} 已补换为 ****${r.card.last4}（待激活）· Replaced; the new card needs activating`);
      setReplacing(null);
      setNewPan('');
      setTick((t) => t + 1);
    } catch (err) {
      setError(err);
    }
  }

  return (
    <>
      {me.canWrite && (
        <IssueCard
          onDone={(m) => {
            setMsg(m);
            setTick((t) => t + 1);
          }}
        />
      )}
      <section class="card">
        <h2>
          <Bi zh="卡片管理" en="Cards" />
        </h2>
        <form
          class="row"
          onSubmit={(e) => {
            e.preventDefault();
            setCursors([]);
            setTick((t) => t + 1);
          }}
        >
          <Field zh="状态" en="Status">
            <select value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value)} data-testid="card-status-filter">
              <option value="">全部 All</option>
              {Object.entries(CARD_STATUS).map(([k, [zh, en]]) => (
                <option value={k}>
                  {zh} {en}
                </option>
              ))}
            </select>
          </Field>
          <Field zh="卡号后四位" en="Last 4">
            <input value={last4} maxLength={4} onInput={(e) => setLast4((e.target as HTMLInputElement).value)} data-testid="card-last4" />
          </Field>
          <button class="primary">查询 Search</button>
          <button type="button" onClick={() => download(`/admin/cards.csv${qs({ status, last4 })}`, 'cards.csv').catch(setError)}>
            导出 CSV <span class="en">Export</span>
          </button>
        </form>
        {msg && <Notice>{msg}</Notice>}
        <ErrorBox error={error} />
        {rows && rows.items.length === 0 && <Empty zh="没有符合条件的卡片" en="No cards match" />}
        {rows && rows.items.length > 0 && (
          <table style="margin-top:12px" data-testid="cards">
            <thead>
              <tr>
                <th>卡号 Card</th>
                <th>状态 Status</th>
                <th>会员 Member</th>
                <th>工会 Union</th>
                <th>更新时间 Updated</th>
                {me.canWrite && <th />}
              </tr>
            </thead>
            <tbody>
              {rows.items.map((c) => (
                <tr data-card={c.id}>
                  <td>
                    <code>****{c.last4}</code>
                  </td>
                  <td>
                    <Pill map={CARD_STATUS} value={c.status} />
                  </td>
                  <td>
                    {c.memberName} <code class="muted">{c.memberNo}</code>
                  </td>
                  <td>{c.orgName}</td>
                  <td>{fmtTime(c.updatedAt)}</td>
                  {me.canWrite && (
                    <td class="actions">
                      {replacing === c.id ? (
                        <span class="row" style="justify-content:flex-end">
                          <input
                            placeholder="新卡号 New card number"
                            value={newPan}
                            onInput={(e) => setNewPan((e.target as HTMLInputElement).value)}
                            data-testid="replace-pan"
                          />
                          <button class="primary small" onClick={() => replace(c)} data-testid="replace-submit">
                            确认补换 Replace
                          </button>
                          <button class="small" onClick={() => setReplacing(null)}>
                            取消
                          </button>
                        </span>
                      ) : (
                        <>
                          {(c.status === 'issued' || c.status === 'frozen') && (
                            <button onClick={() => act(c, 'activated', '激活 Activate')}>激活 Activate</button>
                          )}{' '}
                          {c.status === 'lost' && (
                            <button data-testid="reactivate-lost" onClick={() => act(c, 'activated', '找回后重新激活 Found: reactivate')}>
                              找回后重新激活 Found: reactivate…
                            </button>
                          )}{' '}
                          {c.status !== 'lost' && c.status !== 'replaced' && (
                            <button class="danger" onClick={() => act(c, 'lost', '挂失 Report lost')} data-testid="report-lost">
                              挂失 Report lost
                            </button>
                          )}{' '}
                          {c.status !== 'replaced' && (
                            <button class={c.status === 'lost' ? 'primary' : ''} onClick={() => setReplacing(c.id)}>
                              补换 Replace
                            </button>
                          )}
                        </>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {rows && rows.items.length > 0 && (
          <div class="pager">
            第 {offset + 1}–{offset + rows.items.length} 张{total ? `，共 ${total.n.toLocaleString()}${total.more ? '+' : ''} 张` : ''}{' '}
            <span class="en">{total ? `of ${total.n.toLocaleString()}${total.more ? '+' : ''}` : ''}</span>
            <button class="small" data-action="cards-prev" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
              上一页 Prev
            </button>
            <button
              class="small"
              data-action="cards-next"
              disabled={!rows.nextCursor}
              onClick={() => rows.nextCursor && setCursors([...cursors, rows.nextCursor])}
            >
              下一页 Next
            </button>
          </div>
        )}
      </section>
    </>
  );
}
