/** 商户 Merchants, their stores and terminals (with one-time pairing codes). */
import { useEffect, useState } from 'preact/hooks';
import { formatYuan, parseYuan } from '../../../core/money.ts';
import { api, download, qs } from './api.ts';
import type { TabProps } from './types.ts';
import { Bi, Empty, ErrorBox, Field, fmtTime, Notice } from './ui.tsx';

interface MerchantRow {
  id: string;
  name: string;
  nameEn?: string;
  orgName?: string;
  openingHours?: { from: string; to: string };
  maxSaleFen?: number;
  storeCount: number;
  terminalCount: number;
}
interface StoreRow {
  id: string;
  merchantId: string;
  name: string;
  nameEn?: string;
}
interface TerminalRow {
  id: string;
  storeId: string;
  paired: boolean;
  waitingForPairing: boolean;
  enrolledAt: string | null;
  lastSeenAt: string | null;
}

export function MerchantsTab({ me }: TabProps) {
  const [merchants, setMerchants] = useState<MerchantRow[]>([]);
  const [sel, setSel] = useState<string>('');
  const [stores, setStores] = useState<StoreRow[]>([]);
  const [terminals, setTerminals] = useState<TerminalRow[]>([]);
  const [error, setError] = useState<unknown>();
  const [code, setCode] = useState<{ terminalId: string; pairingCode: string } | null>(null);
  const [tick, setTick] = useState(0);
  const [m, setM] = useState({ id: '', name: '', nameEn: '' });
  const [s, setS] = useState({ id: '', name: '' });

  useEffect(() => {
    api<{ items: MerchantRow[] }>('GET', '/admin/merchants').then((r) => {
      setMerchants(r.items);
      if (!sel && r.items[0]) setSel(r.items[0].id);
    }, setError);
  }, [tick]);
  useEffect(() => {
    if (!sel) return;
    api<{ items: StoreRow[] }>('GET', `/admin/stores${qs({ merchantId: sel })}`).then((r) => setStores(r.items), setError);
    api<{ items: TerminalRow[] }>('GET', `/admin/terminals${qs({ merchantId: sel })}`).then((r) => setTerminals(r.items), setError);
  }, [sel, tick]);

  const run = async (f: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await f();
      setTick((t) => t + 1);
    } catch (err) {
      setError(err);
    }
  };
  const merchant = merchants.find((x) => x.id === sel);

  return (
    <div class="grid2" style="grid-template-columns: minmax(0,1fr) minmax(0,1fr)">
      <section class="card">
        <h2>
          <Bi zh="商户" en="Merchants" />
        </h2>
        {merchants.length === 0 && <Empty zh="您管辖范围内还没有商户" en="No merchants in your scope yet" />}
        {merchants.length > 0 && (
          <table data-testid="merchants">
            <thead>
              <tr>
                <th>商户 Merchant</th>
                <th class="num">门店 Stores</th>
                <th class="num">终端 Terminals</th>
                <th>营业时间 Hours</th>
                <th class="num">单笔上限 Sale max</th>
                <th>登记工会 Registered by</th>
              </tr>
            </thead>
            <tbody>
              {merchants.map((x) => (
                <tr class={x.id === sel ? 'sel' : ''}>
                  <td>
                    <button
                      class="link"
                      onClick={() => {
                        setSel(x.id);
                        setCode(null);
                      }}
                    >
                      {x.name}
                    </button>{' '}
                    <span class="en">{x.nameEn}</span> <code class="muted">{x.id}</code>
                  </td>
                  <td class="num">{x.storeCount}</td>
                  <td class="num">{x.terminalCount}</td>
                  <td data-hours={x.id}>{x.openingHours ? `${x.openingHours.from}–${x.openingHours.to}` : '—'}</td>
                  <td class="num" data-max={x.id}>
                    {x.maxSaleFen ? formatYuan(x.maxSaleFen) : '—'}
                  </td>
                  <td>{x.orgName ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <div class="row" style="margin-top:10px">
          <button onClick={() => download('/admin/merchants.csv', 'merchants.csv').catch(setError)}>
            导出 CSV <span class="en">Export</span>
          </button>
        </div>
        {me.canWrite && (
          <form
            class="row"
            style="margin-top:14px"
            onSubmit={(e) => {
              e.preventDefault();
              void run(async () => {
                await api('POST', '/admin/merchants', { id: m.id, name: m.name, ...(m.nameEn ? { nameEn: m.nameEn } : {}) });
                setSel(m.id);
                setM({ id: '', name: '', nameEn: '' });
              });
            }}
          >
            <Field zh="商户编号" en="Id">
              <input
                value={m.id}
                required
                placeholder="m-tea"
                size={10}
                onInput={(e) => setM({ ...m, id: (e.target as HTMLInputElement).value })}
                data-testid="merchant-id"
              />
            </Field>
            <Field zh="名称" en="Name">
              <input
                value={m.name}
                required
                onInput={(e) => setM({ ...m, name: (e.target as HTMLInputElement).value })}
                data-testid="merchant-name"
              />
            </Field>
            <Field zh="英文名" en="English name">
              <input value={m.nameEn} onInput={(e) => setM({ ...m, nameEn: (e.target as HTMLInputElement).value })} />
            </Field>
            <button class="primary" data-testid="merchant-add">
              新增商户 Add
            </button>
          </form>
        )}
        <ErrorBox error={error} />
      </section>
      <section class="card">
        <h2>
          {merchant ? <Bi zh={`${merchant.name} 的门店与终端`} en="Stores & terminals" /> : <Bi zh="门店与终端" en="Stores & terminals" />}
        </h2>
        {me.canWrite && merchant && <MerchantEdit key={merchant.id} merchant={merchant} run={run} />}
        {code && (
          <Notice tone="warn">
            终端 <code>{code.terminalId}</code> 的配对码（只显示这一次）· Pairing code, shown once:
            <br />
            <span class="secret" data-testid="pairing-code">
              {code.pairingCode}
            </span>
          </Notice>
        )}
        {stores.map((st) => (
          <div style="margin-bottom:12px" data-store={st.id}>
            <b>{st.name}</b> <span class="en">{st.nameEn}</span> <code class="muted">{st.id}</code>
            <table style="margin-top:4px">
              <tbody>
                {terminals
                  .filter((t) => t.storeId === st.id)
                  .map((t) => (
                    <tr>
                      <td>
                        <code>{t.id}</code>
                      </td>
                      <td>{t.paired ? <span class="pill ok">已配对 Paired</span> : <span class="pill warn">待配对 Waiting</span>}</td>
                      <td class="muted">
                        {t.lastSeenAt ? `最近在线 ${fmtTime(t.lastSeenAt)}` : t.enrolledAt ? `配对于 ${fmtTime(t.enrolledAt)}` : ''}
                      </td>
                      {me.canWrite && (
                        <td class="actions">
                          <button
                            class="small"
                            onClick={() =>
                              confirm(`重新配对 ${t.id}? 旧终端将立即失效 · The old till stops working at once`) &&
                              run(async () => {
                                const r = await api<{ pairingCode: string }>('POST', `/admin/terminals/${t.id}/re-pair`);
                                setCode({ terminalId: t.id, pairingCode: r.pairingCode });
                              })
                            }
                          >
                            重新配对 Re-pair
                          </button>
                        </td>
                      )}
                    </tr>
                  ))}
              </tbody>
            </table>
            {me.canWrite && (
              <button
                class="small"
                style="margin-top:4px"
                data-testid={`add-terminal-${st.id}`}
                onClick={() =>
                  run(async () => {
                    const r = await api<{ terminal: { id: string }; pairingCode: string }>('POST', '/admin/terminals', { storeId: st.id });
                    setCode({ terminalId: r.terminal.id, pairingCode: r.pairingCode });
                  })
                }
              >
                + 新增终端 Add terminal
              </button>
            )}
          </div>
        ))}
        {merchant && stores.length === 0 && <Empty zh="还没有门店" en="No stores yet" />}
        {me.canWrite && merchant && (
          <form
            class="row"
            onSubmit={(e) => {
              e.preventDefault();
              void run(async () => {
                await api('POST', '/admin/stores', { id: s.id, merchantId: sel, name: s.name });
                setS({ id: '', name: '' });
              });
            }}
          >
            <Field zh="门店编号" en="Store id">
              <input
                value={s.id}
                required
                size={10}
                placeholder="s-tea-1"
                onInput={(e) => setS({ ...s, id: (e.target as HTMLInputElement).value })}
                data-testid="store-id"
              />
            </Field>
            <Field zh="门店名称" en="Store name">
              <input
                value={s.name}
                required
                onInput={(e) => setS({ ...s, name: (e.target as HTMLInputElement).value })}
                data-testid="store-name"
              />
            </Field>
            <button class="primary" data-testid="store-add">
              新增门店 Add store
            </button>
          </form>
        )}
      </section>
    </div>
  );
}

/** A merchant's names, opening hours and sale maximum (PUT /admin/merchants/:id, audit-trailed by the server). */
function MerchantEdit({ merchant, run }: { merchant: MerchantRow; run: (f: () => Promise<unknown>) => Promise<void> }) {
  const [f, setF] = useState({
    from: merchant.openingHours?.from ?? '',
    to: merchant.openingHours?.to ?? '',
    max: merchant.maxSaleFen ? (merchant.maxSaleFen / 100).toFixed(2) : '',
  });
  const [local, setLocal] = useState('');
  const set = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: (e.target as HTMLInputElement).value });
  function submit(e: Event) {
    e.preventDefault();
    setLocal('');
    if (!!f.from !== !!f.to) return setLocal('营业时间需要开始和结束两个时间，或都留空 · give both opening and closing times, or neither');
    const max = f.max.trim() ? parseYuan(f.max) : null;
    if (max === undefined) return setLocal('单笔上限应为金额，如 5000.00 · the sale maximum is an amount such as 5000.00');
    void run(() =>
      api('PUT', `/admin/merchants/${merchant.id}`, {
        name: merchant.name,
        ...(merchant.nameEn ? { nameEn: merchant.nameEn } : {}),
        openingHours: f.from ? { from: f.from, to: f.to } : null,
        maxSaleFen: max,
      }),
    );
  }
  return (
    <form class="row" style="margin-bottom:12px" onSubmit={submit} data-testid="merchant-edit">
      <Field zh="营业开始" en="Opens">
        <input type="time" name="opens" value={f.from} onInput={set('from')} />
      </Field>
      <Field zh="营业结束" en="Closes">
        <input type="time" name="closes" value={f.to} onInput={set('to')} />
      </Field>
      <Field zh="单笔上限（元）" en="Sale maximum, ¥">
        <input name="maxSale" inputMode="decimal" size={10} placeholder="50000.00" value={f.max} onInput={set('max')} />
      </Field>
      <button class="primary" data-testid="merchant-save">
        保存 <span class="en">Save</span>
      </button>
      {local && <p class="error">{local}</p>}
      <p class="muted small" style="flex-basis:100%">
        营业时间外的核销会在工会审计中提示；超过单笔上限时收银员需再次确认。结束早于开始表示跨过午夜，相同表示全天营业。{' '}
        <span class="en">
          Sales outside the hours are flagged in the union's audit; above the maximum the cashier confirms once more. Closing before opening
          runs past midnight; equal means always open.
        </span>
      </p>
    </form>
  );
}
