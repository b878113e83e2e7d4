/**
 * The redemption log both portals show: filters, pages (newest first), new rows arriving live over
 * socket.io, a CSV of the same filters, and one redemption's detail with its lines and agreement versions.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { io } from 'socket.io-client';
import type { Offer } from '../../../core/domain.ts';
import { parseReceiptQuery, receiptNoText } from '../../../core/receipt-no.ts';
import type { Redemption } from '../../../core/wire.ts';
import type { PortalMe } from '../../../core/wire-portal.ts';
import { api, Bi, download, ErrorLine, Field, names, qs, session, StatusPill, when, yuan } from './lib.tsx';
import { ruleEn, ruleZh } from './rules-text.ts';

const PAGE = 20;
const CREDENTIAL: Record<string, string> = {
  card_number: '刷卡（卡号）· card number',
  card_track: '刷卡（磁条）· magnetic stripe',
  member_no: '会员号 · member number',
  qr: '会员二维码 · member QR',
};

export interface LogFilters {
  merchantId: string;
  storeId: string;
  terminalId: string;
  orgId: string;
  from: string;
  to: string;
  status: string;
  funding: string;
}

const union = (r: Redemption) => r.lines.reduce((s, l) => s + l.funding.unionFen, 0);

function subtree(me: PortalMe, root: string): Set<string> {
  const out = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const o of me.orgs)
      if (o.parentId && out.has(o.parentId) && !out.has(o.id)) {
        out.add(o.id);
        grew = true;
      }
  }
  return out;
}

/** Would the server list this redemption under these filters? (For rows pushed live.) */
function matches(me: PortalMe, f: LogFilters, r: Redemption): boolean {
  if (f.merchantId && r.merchantId !== f.merchantId) return false;
  if (f.storeId && r.storeId !== f.storeId) return false;
  if (f.terminalId && r.terminalId !== f.terminalId) return false;
  if (f.orgId && !subtree(me, f.orgId).has(r.memberOrgId)) return false;
  if (f.status && r.status !== f.status) return false;
  if (f.funding && f.funding !== (union(r) > 0 ? 'union' : 'merchant')) return false;
  const day = when(r.createdAt, me.timeZone).slice(0, 10);
  if (f.from && day < f.from) return false;
  if (f.to && day > f.to) return false;
  return true;
}

/** "2026-11-25 12:00:00 +08:00" as the date, then the time and offset on a second line. */
function dateOverTime(text: string) {
  const i = text.indexOf(' ');
  if (i < 0) return text;
  return (
    <>
      {text.slice(0, i)}
      <br />
      {text.slice(i + 1)}
    </>
  );
}

export function RedemptionLog({ me, mode }: { me: PortalMe; mode: 'merchant' | 'union' }) {
  const n = names(me);
  const [f, setF] = useState<LogFilters>({
    merchantId: '',
    storeId: '',
    terminalId: '',
    orgId: '',
    from: '',
    to: '',
    status: '',
    funding: '',
  });
  const [items, setItems] = useState<Redemption[]>([]);
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [next, setNext] = useState<string | null>(null);
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const [live, setLive] = useState(false);
  const [error, setError] = useState<unknown>();
  const [selected, setSelected] = useState<Redemption>();
  const [receiptNo, setReceiptNo] = useState('');
  /** Receipt numbers as printed (00000042, leading zeros optional; anomaly cards cite them) or record ids (rd-0000000042). */
  async function findByNumber(e: Event) {
    e.preventDefault();
    const q = parseReceiptQuery(receiptNo);
    if (!q) return;
    const label = 'id' in q ? q.id : String(q.receiptNo).padStart(8, '0');
    try {
      const found =
        'id' in q
          ? await api<Redemption>(`/api/v1/redemptions/${encodeURIComponent(q.id)}`)
          : (await api<{ items: Redemption[] }>(`/api/v1/redemptions${qs({ receiptNo: String(q.receiptNo), limit: '1' })}`)).items[0];
      if (!found) throw new Error('none');
      setSelected(found);
      setError(undefined);
    } catch {
      setError(new Error(`没有编号为 ${label} 的核销记录（或不在您的查看范围内） · No redemption ${label} in your scope`));
    }
  }
  const page = cursors.length - 1;
  const query = (extra: Record<string, string | undefined> = {}) =>
    qs({
      merchantId: f.merchantId,
      storeId: f.storeId,
      terminalId: f.terminalId,
      orgId: f.orgId,
      from: f.from,
      to: f.to,
      status: f.status,
      funding: f.funding,
      ...extra,
    });

  async function load(cursor: string | undefined) {
    try {
      const res = await api<{ items: Redemption[]; nextCursor: string | null }>(
        `/api/v1/redemptions${query({ limit: String(PAGE), cursor })}`,
      );
      setItems(res.items);
      setNext(res.nextCursor);
      setError(undefined);
    } catch (err) {
      setError(err);
    }
  }
  useEffect(() => {
    setCursors([undefined]);
    setFresh(new Set());
    void load(undefined);
  }, [JSON.stringify(f)]);

  // Live rows: the server sends each portal only what its scope may see.
  const fRef = useRef(f);
  fRef.current = f;
  const pageRef = useRef(page);
  pageRef.current = page;
  useEffect(() => {
    const socket = io({ auth: { token: session.get() }, transports: ['websocket'] });
    socket.on('connect', () => setLive(true));
    socket.on('disconnect', () => setLive(false));
    socket.on('redemption:committed', (r: Redemption) => {
      if (pageRef.current !== 0 || !matches(me, fRef.current, r)) return;
      setItems((xs) => (xs.some((x) => x.id === r.id) ? xs : [r, ...xs]));
      setFresh((s) => new Set(s).add(r.id));
    });
    socket.on('redemption:voided', (r: Redemption) => {
      setItems((xs) => xs.map((x) => (x.id === r.id ? r : x)));
      setSelected((s) => (s?.id === r.id ? r : s));
    });
    return () => socket.close();
  }, []);

  const stores = me.stores.filter((s) => !f.merchantId || s.merchantId === f.merchantId);
  const terminals = me.terminals.filter((t) => (!f.storeId || t.storeId === f.storeId) && stores.some((s) => s.id === t.storeId));
  const set = (k: keyof LogFilters) => (e: Event) => setF({ ...f, [k]: (e.currentTarget as HTMLInputElement).value });

  return (
    <div class="grid2">
      <section class="card">
        <div class="toolbar">
          <h2>
            <Bi zh="核销记录" en="Redemption log" />
          </h2>
          <span class="spacer" />
          <form class="find-receipt" onSubmit={findByNumber}>
            <input
              name="receiptNo"
              placeholder="编号查找 Find receipt no."
              value={receiptNo}
              onInput={(e) => setReceiptNo(e.currentTarget.value)}
              size={18}
            />
          </form>
          <span class={live ? 'live on' : 'live'} data-live={live ? 'on' : 'off'}>
            <span class="dot" /> {live ? '实时更新中 Live' : '未连接 Offline'}
          </span>
          <button data-action="export-log" onClick={() => download(`/api/v1/redemptions.csv${query()}`, 'redemptions.csv').catch(setError)}>
            导出 CSV <span class="en">Export</span>
          </button>
        </div>
        <div class="filters">
          {mode === 'union' && (
            <Field zh="商户" en="Merchant">
              <select
                name="merchantId"
                value={f.merchantId}
                onChange={(e) => setF({ ...f, merchantId: e.currentTarget.value, storeId: '', terminalId: '' })}
              >
                <option value="">全部 All</option>
                {me.merchants.map((m) => (
                  <option value={m.id}>{m.name}</option>
                ))}
              </select>
            </Field>
          )}
          <Field zh="门店" en="Store">
            <select name="storeId" value={f.storeId} onChange={(e) => setF({ ...f, storeId: e.currentTarget.value, terminalId: '' })}>
              <option value="">全部 All</option>
              {stores.map((s) => (
                <option value={s.id}>{s.name}</option>
              ))}
            </select>
          </Field>
          {mode === 'merchant' && (
            <Field zh="终端" en="Terminal">
              <select name="terminalId" value={f.terminalId} onChange={set('terminalId')}>
                <option value="">全部 All</option>
                {terminals.map((t) => (
                  <option value={t.id}>{t.id}</option>
                ))}
              </select>
            </Field>
          )}
          {mode === 'union' && (
            <Field zh="会员所属工会" en="Member's union">
              <select name="orgId" value={f.orgId} onChange={set('orgId')}>
                <option value="">全部 All</option>
                {me.orgs.map((o) => (
                  <option value={o.id}>{o.name}</option>
                ))}
              </select>
            </Field>
          )}
          <Field zh="起" en="From">
            <input type="date" name="from" value={f.from} onChange={set('from')} />
          </Field>
          <Field zh="止" en="To">
            <input type="date" name="to" value={f.to} onChange={set('to')} />
          </Field>
          <Field zh="状态" en="Status">
            <select name="status" value={f.status} onChange={set('status')}>
              <option value="">全部 All</option>
              <option value="committed">已核销 Committed</option>
              <option value="voided">已撤销 Voided</option>
            </select>
          </Field>
          <Field zh="资金来源" en="Funding">
            <select name="funding" value={f.funding} onChange={set('funding')}>
              <option value="">全部 All</option>
              <option value="merchant">商家让利 Merchant</option>
              <option value="union">含工会资金 Union</option>
            </select>
          </Field>
        </div>
        <ErrorLine error={error} />
        {/* the log is wider than its card on a laptop: it scrolls inside the card instead of spilling over */}
        <div class="table-scroll">
          <table class="data" data-table="redemptions">
            <thead>
              <tr>
                <th>
                  编号<span class="en">No.</span>
                </th>
                <th>
                  时间<span class="en">Time ({me.timeZone})</span>
                </th>
                <th>
                  {mode === 'union' ? '商户 / 门店' : '门店'}
                  <span class="en">{mode === 'union' ? 'Merchant / store' : 'Store'}</span>
                </th>
                <th>
                  会员<span class="en">Member</span>
                </th>
                <th class="num">
                  消费<span class="en">Sale</span>
                </th>
                <th class="num">
                  优惠<span class="en">Discount</span>
                </th>
                <th class="num">
                  工会<span class="en">Union</span>
                </th>
                <th>
                  状态<span class="en">Status</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <tr
                  key={r.id}
                  data-id={r.id}
                  class={['clickable', fresh.has(r.id) ? 'fresh' : '', selected?.id === r.id ? 'selected' : ''].join(' ')}
                  onClick={() => setSelected(r)}
                >
                  <td class="mono nowrap" data-receipt-no={r.receiptNo ?? ''}>
                    {receiptNoText(r)}
                    {r.receiptNo !== undefined && <div class="muted small">{r.id}</div>}
                  </td>
                  <td class="mono nowrap">
                    {/* date over time: the log then fits its card on a laptop screen */}
                    {dateOverTime(when(r.createdAt, me.timeZone))}
                  </td>
                  <td class="nowrap">
                    {mode === 'union' && <div>{n.merchant(r.merchantId)}</div>}
                    <div class={mode === 'union' ? 'muted small' : ''}>{n.store(r.storeId)}</div>
                    <div class="muted small mono">{r.terminalId}</div>
                  </td>
                  <td class="mono">
                    {r.memberNoMasked}
                    {mode === 'union' && <div class="muted small">{n.org(r.memberOrgId)}</div>}
                  </td>
                  <td class="num">{yuan(r.amountFen)}</td>
                  <td class="num">{yuan(r.discountFen)}</td>
                  <td class="num">{union(r) ? yuan(union(r)) : '—'}</td>
                  <td>
                    <StatusPill status={r.status} />
                    {r.offline && <span class="pill muted">离线 offline</span>}
                  </td>
                </tr>
              ))}
              {items.length === 0 && (
                <tr>
                  <td colSpan={8} class="muted">
                    没有符合条件的记录 · No redemptions match these filters
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
        <div class="pager">
          <span>
            第 {page + 1} 页 · Page {page + 1}
          </span>
          <button
            data-action="prev"
            disabled={page === 0}
            onClick={() => {
              const c = cursors.slice(0, -1);
              setCursors(c);
              void load(c[c.length - 1]);
            }}
          >
            上一页 <span class="en">Prev</span>
          </button>
          <button
            data-action="next"
            disabled={!next}
            onClick={() => {
              setCursors([...cursors, next!]);
              void load(next!);
            }}
          >
            下一页 <span class="en">Next</span>
          </button>
        </div>
      </section>
      <RedemptionDetail
        me={me}
        r={selected}
        canVoid={mode === 'merchant'}
        onVoided={(r) => setItems((xs) => xs.map((x) => (x.id === r.id ? r : x)))}
      />
    </div>
  );
}

function RedemptionDetail({
  me,
  r,
  canVoid,
  onVoided,
}: {
  me: PortalMe;
  r: Redemption | undefined;
  canVoid: boolean;
  onVoided: (r: Redemption) => void;
}) {
  const n = names(me);
  const [versions, setVersions] = useState<Record<string, Offer>>({});
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>();
  const [current, setCurrent] = useState(r);
  useEffect(() => {
    setCurrent(r);
    setError(undefined);
    setReason('');
    if (!r) return;
    for (const l of r.lines) {
      const k = `${l.agreementId}@${l.agreementVersion}`;
      api<Offer>(`/api/v1/agreements/${encodeURIComponent(l.agreementId)}/versions/${l.agreementVersion}`).then(
        (o) => setVersions((v) => ({ ...v, [k]: o })),
        () => undefined,
      );
    }
  }, [r]);
  const total = useMemo(() => (current ? union(current) : 0), [current]);
  if (!current)
    return (
      <aside class="card muted" data-panel="detail">
        <h2>
          <Bi zh="核销详情" en="Redemption detail" />
        </h2>
        <p>点击左侧一行查看明细 · Choose a row to see its lines and agreement versions.</p>
      </aside>
    );
  return (
    <aside class="card" data-panel="detail" data-id={current.id}>
      <h2>
        <Bi zh="核销详情" en="Redemption detail" /> <StatusPill status={current.status} />
      </h2>
      <dl class="kv">
        <dt>编号 Receipt no.</dt>
        <dd class="mono" data-receipt-no={current.receiptNo ?? ''}>
          {receiptNoText(current)}
        </dd>
        <dt>记录 Record</dt>
        <dd class="mono">{current.id}</dd>
        <dt>时间 Time</dt>
        <dd class="mono">{when(current.createdAt, me.timeZone)}</dd>
        <dt>门店 Store</dt>
        <dd>
          {n.merchant(current.merchantId)} · {n.store(current.storeId)} · <span class="mono">{current.terminalId}</span>
        </dd>
        <dt>会员 Member</dt>
        <dd>
          <span class="mono">{current.memberNoMasked}</span> · {n.org(current.memberOrgId)}
          {current.cardLast4 ? ` · 卡尾号 card …${current.cardLast4}` : ''}
          <div class="small muted">{CREDENTIAL[current.credentialType] ?? current.credentialType}</div>
        </dd>
        <dt>金额 Amounts</dt>
        <dd>
          消费 {yuan(current.amountFen)} − 优惠 {yuan(current.discountFen)} = 实付 <b>{yuan(current.payableFen)}</b>
          {total > 0 && <div class="small">其中工会出资 union-funded {yuan(total)}</div>}
        </dd>
        {current.status === 'voided' && (
          <>
            <dt>撤销 Voided</dt>
            <dd>
              {when(current.voidedAt, me.timeZone)} · {current.voidReason}
            </dd>
          </>
        )}
      </dl>
      <h3>
        <Bi zh="优惠明细" en="Lines" />
      </h3>
      <table class="data" data-table="lines">
        <thead>
          <tr>
            <th>
              协议 / 活动<span class="en">Agreement</span>
            </th>
            <th>
              版本<span class="en">Version</span>
            </th>
            <th class="num">
              优惠<span class="en">Discount</span>
            </th>
            <th class="num">
              工会<span class="en">Union</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {current.lines.map((l) => {
            const o = versions[`${l.agreementId}@${l.agreementVersion}`];
            return (
              <tr>
                <td>
                  {l.title}
                  <div class="muted small">{o ? `${ruleZh(o.rule)} · ${ruleEn(o.rule)}` : l.agreementId}</div>
                </td>
                <td class="mono">
                  {l.agreementId} v{l.agreementVersion}
                </td>
                <td class="num">{yuan(l.discountFen)}</td>
                <td class="num">{l.funding.unionFen ? yuan(l.funding.unionFen) : '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p class="muted small mono" title="hash chain">
        hash {current.hash.slice(0, 16)}… ← {current.prevHash.slice(0, 16)}…
      </p>
      {canVoid && current.status === 'committed' && (
        <form
          class="toolbar no-print"
          onSubmit={async (e) => {
            e.preventDefault();
            try {
              const v = await api<Redemption>(`/api/v1/redemptions/${current.id}/void`, { method: 'POST', body: { reason } });
              setCurrent(v);
              onVoided(v);
            } catch (err) {
              setError(err);
            }
          }}
        >
          <input
            name="reason"
            placeholder="撤销原因 Reason for the void"
            value={reason}
            onInput={(e) => setReason(e.currentTarget.value)}
            required
            style="flex:1"
          />
          <button type="submit" data-action="void">
            撤销 <span class="en">Void</span>
          </button>
        </form>
      )}
      <ErrorLine error={error} />
    </aside>
  );
}
