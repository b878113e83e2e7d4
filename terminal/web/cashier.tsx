/**
 * The cashier page: amount → card, code or QR → discount → confirm. Works by touch and by keyboard
 * alone (Enter moves forward, Esc cancels), and always shows the server and device state.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import QRCode from 'qrcode';
import { io } from 'socket.io-client';
import { formatYuan, parseYuan } from '../../core/money.ts';
import type { Offer } from '../../core/domain.ts';
import type { Checkout, Connectivity } from '../../core/wire-checkout.ts';
import type { Credential, Item, Redemption } from '../../core/wire.ts';
import { classifyScan } from '../../drivers/classify.ts';
import { KeystrokeBurstDetector } from '../../drivers/keystroke-burst.ts';
import type { DeviceStatus } from '../../drivers/device-manager.ts';
import type { QrWorkerReply } from '../../drivers/camera-qr-worker.ts';
import { reasonText } from './reason-text.ts';
import { mount } from '../../web/mount.tsx';

type Notice = { level: 'info' | 'warn'; code: string; message: string; zh?: string; at: number };
type OutboxView = {
  item: { idempotencyKey: string; amountFen: number; discountFen: number; createdAt: string };
  state: string;
  reasons: Array<{ code: string; message: string }>;
  memberNoMasked: string;
  serverId?: string;
};
type ReceiptView = NonNullable<Checkout['receipt']>;
type Today = { items: Array<Redemption & { receipt?: ReceiptView }>; outbox: OutboxView[] };

declare global {
  interface Window {
    /** Wall-clock ms at which the page last drew a quote: the bench's scan-to-discount end mark. */
    __huikaQuotedAt?: number;
  }
}

async function api<T>(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ ok: boolean; status: number; body: T & { error?: { code: string; message: string } } }> {
  const res = await fetch(path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { ok: res.ok, status: res.status, body: await res.json() };
}

function Bilingual({ zh, en }: { zh: string; en: string }) {
  return (
    <span>
      {zh} <span class="en">{en}</span>
    </span>
  );
}

function StatusBar({ conn, devices }: { conn: Connectivity | undefined; devices: Record<string, DeviceStatus> }) {
  const online = conn?.online && conn.socket;
  return (
    <header class="bar">
      <h1>
        惠卡收银 <span class="en">Huika cashier</span>
      </h1>
      <span>{conn ? `${conn.storeName ?? conn.storeId} · ${conn.terminalId}` : ''}</span>
      <span class="spacer" />
      <span class="pill" data-testid="connectivity" style={{ background: '#fff', color: online ? 'var(--ok)' : 'var(--bad)' }}>
        {online ? '● 在线 Online' : '● 离线 Offline'}
        {conn && conn.queued > 0 ? ` · 待上传 ${conn.queued}` : ''}
      </span>
      {Object.values(devices).map((d) => (
        <span
          key={d.deviceId}
          class="pill"
          title={d.message}
          style={{ background: '#fff', color: d.state === 'connected' ? 'var(--ok)' : 'var(--warn)' }}
        >
          {d.kind} {d.state === 'connected' ? '✓' : '✕'}
        </span>
      ))}
    </header>
  );
}

function QuoteView({ c, offers }: { c: Checkout; offers: Offer[] }) {
  const q = c.quote;
  if (!q) return null;
  const r = q.reasons[0];
  const text = r ? reasonText(r.code, r.message) : undefined;
  return (
    <div data-testid="quote">
      <div class="row" style={{ justifyContent: 'space-between' }}>
        <div>
          <div style={{ fontSize: '20px', fontWeight: 600 }}>
            {q.member ? `${q.member.maskedName}  ${q.member.memberNoMasked}` : '未识别会员 Unknown member'}
          </div>
          {q.offline && <span class="pill warn">离线报价 Offline quote · 不含工会补贴 no union funds</span>}
        </div>
        <span class={`pill ${q.eligible ? 'ok' : 'bad'}`} data-testid="eligibility" style={{ fontSize: '16px', padding: '4px 12px' }}>
          {q.eligible ? '可享优惠 Eligible' : '不可享受 Not eligible'}
        </span>
      </div>
      {text && (
        <p class={q.eligible ? '' : 'error'} data-testid="reason">
          {text.zh} <span class="en">{text.en}</span>
        </p>
      )}
      {q.lines.length > 0 && (
        <table style={{ margin: '12px 0' }}>
          <thead>
            <tr>
              <th>优惠 Offer</th>
              <th>出资 Funded by</th>
              <th class="num">减免 Off</th>
            </tr>
          </thead>
          <tbody>
            {q.lines.map((l) => (
              <tr key={l.agreementId}>
                <td>
                  {l.title} <span class="en">v{l.agreementVersion}</span>
                </td>
                <td>
                  {l.funding.unionFen > 0 ? (l.funding.merchantFen > 0 ? '商户+工会 Merchant+union' : '工会 Union') : '商户 Merchant'}
                </td>
                <td class="num">-{formatYuan(l.discountFen)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {q.skipped
        .filter((x) => !['NOT_BEST', 'NOT_COVERED', 'STORE_NOT_COVERED'].includes(x.code))
        .map((x) => {
          const t = reasonText(x.code);
          return (
            <p key={x.agreementId} data-testid="skipped">
              {offers.find((o) => o.id === x.agreementId)?.title ?? x.agreementId}：{x.messageZh ?? t.zh}{' '}
              <span class="en">{x.message || t.en}</span>
            </p>
          );
        })}
      <div class="row" style={{ justifyContent: 'space-between', alignItems: 'baseline' }}>
        <span>
          消费 {formatYuan(q.amountFen)} · 优惠 <b data-testid="discount">{formatYuan(q.discountFen)}</b>
        </span>
        <span>
          应付 <span class="en">Pay</span>{' '}
          <span class="big" data-testid="payable">
            {formatYuan(q.payableFen)}
          </span>
        </span>
      </div>
    </div>
  );
}

function Receipt({ receipt, testId = 'receipt' }: { receipt: ReceiptView | undefined; testId?: string }) {
  const [svg, setSvg] = useState('');
  useEffect(() => {
    if (receipt?.qrText) void QRCode.toString(receipt.qrText, { type: 'svg', margin: 1, width: 120 }).then(setSvg);
  }, [receipt?.qrText]);
  if (!receipt) return null;
  return (
    <div
      class="row receipt"
      data-testid={testId}
      style={{ alignItems: 'flex-start', background: '#fafafa', border: '1px dashed var(--line)', padding: '10px', borderRadius: '6px' }}
    >
      <div class="receipt-lines" style={{ fontFamily: 'monospace', fontSize: '13px', width: '34ch', whiteSpace: 'pre' }}>
        {receipt.lines.map((line, i) => {
          // The printer's columns come from padding; on screen a Chinese glyph is not two columns wide in
          // every font, so a padded row is laid out as label and figure at the two edges instead.
          const m = /^(.*\S) {2,}(\S.*)$/.exec(line);
          return (
            <div key={i} data-line={line} style={m ? { display: 'flex', justifyContent: 'space-between', gap: '1ch' } : {}}>
              {m ? (
                <>
                  <span>{m[1]}</span>
                  <span>{m[2]}</span>
                </>
              ) : (
                line
              )}
            </div>
          );
        })}
      </div>
      <span style={{ flex: 1 }} />
      {svg && <div style={{ width: '120px' }} dangerouslySetInnerHTML={{ __html: svg }} title="扫码核验 Scan to check" />}
    </div>
  );
}

function Camera({ onCode, onClose }: { onCode: (text: Credential) => void; onClose: () => void }) {
  const video = useRef<HTMLVideoElement>(null);
  const [err, setErr] = useState('');
  useEffect(() => {
    let stream: MediaStream | undefined;
    let stop = false;
    const worker = new Worker('/assets/qr-worker.js', { type: 'module' });
    let busy = false;
    let id = 0;
    worker.onmessage = (ev: MessageEvent<QrWorkerReply>) => {
      busy = false;
      const o = ev.data.outcome;
      if (o?.ok) onCode(o.credential);
    };
    const canvas = document.createElement('canvas');
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    const tick = () => {
      if (stop) return;
      const v = video.current;
      if (v && v.readyState >= 2 && !busy) {
        // The worker area-averages for jsQR itself; zxing-wasm wants the camera's own pixels (up to 1280 a side).
        const scale = Math.min(1, 1280 / Math.max(v.videoWidth, v.videoHeight));
        canvas.width = Math.round(v.videoWidth * scale);
        canvas.height = Math.round(v.videoHeight * scale);
        ctx.drawImage(v, 0, 0, canvas.width, canvas.height);
        const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
        busy = true;
        worker.postMessage({ id: ++id, width: img.width, height: img.height, data: img.data, at: performance.now() }, [img.data.buffer]);
      }
      setTimeout(tick, 80);
    };
    navigator.mediaDevices
      .getUserMedia({ video: { width: 640, height: 480 } })
      .then((s) => {
        stream = s;
        if (video.current) {
          video.current.srcObject = s;
          void video.current.play();
        }
        tick();
      })
      .catch((e: Error) => setErr(`摄像头不可用 Camera unavailable: ${e.message}`));
    return () => {
      stop = true;
      worker.terminate();
      for (const t of stream?.getTracks() ?? []) t.stop();
    };
  }, []);
  return (
    <div class="card" data-testid="camera">
      <div class="row" style={{ justifyContent: 'space-between' }}>
        <b>
          扫描会员二维码 <span class="en">Show the member QR code to the camera</span>
        </b>
        <button onClick={onClose}>关闭 Close</button>
      </div>
      {err ? (
        <p class="error">{err}</p>
      ) : (
        <video ref={video} muted playsInline style={{ width: '320px', background: '#000', marginTop: '8px' }} />
      )}
    </div>
  );
}

function TodayList({ today, onVoid }: { today: Today | undefined; onVoid: (id: string, reason: string) => void }) {
  const [voiding, setVoiding] = useState<string>();
  const [reason, setReason] = useState('');
  const [reprint, setReprint] = useState<string>();
  if (!today) return null;
  const again = today.items.find((r) => r.id === reprint);
  const committed = today.items.filter((r) => r.status === 'committed');
  const total = committed.reduce((s, r) => s + r.discountFen, 0);
  const union = committed.reduce((s, r) => s + r.lines.reduce((a, l) => a + l.funding.unionFen, 0), 0);
  const pending = today.outbox;
  return (
    <div class="card" data-testid="today">
      <h2>
        今日优惠 <span class="en">Today at this store</span>
      </h2>
      <p>
        {committed.length} 笔 redemptions · 优惠合计 <b data-testid="today-total">{formatYuan(total)}</b> · 其中工会补贴 union{' '}
        {formatYuan(union)}
      </p>
      <table>
        <thead>
          <tr>
            <th>时间 Time</th>
            <th>会员 Member</th>
            <th class="num">消费 Amount</th>
            <th class="num">优惠 Off</th>
            <th>状态 Status</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {pending.map((e) => (
            <tr key={e.item.idempotencyKey} data-testid="today-row">
              <td>{new Date(e.item.createdAt).toLocaleTimeString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false })}</td>
              <td>{e.memberNoMasked}</td>
              <td class="num">{formatYuan(e.item.amountFen)}</td>
              <td class="num">{formatYuan(e.item.discountFen)}</td>
              <td>
                <span class={`pill ${e.state === 'rejected' ? 'bad' : 'warn'}`} title={e.reasons.map((r) => r.message).join('; ')}>
                  {e.state === 'pending' ? '离线待上传 queued' : '被拒 rejected'}
                </span>
                {/* The server refused to record this offline sale: say why at the till, not only in a tooltip. */}
                {e.state === 'rejected' &&
                  e.reasons.map((r) => (
                    <div class="small" data-testid="outbox-reason" data-code={r.code}>
                      {reasonText(r.code).zh} <span class="mono">{r.code}</span>
                    </div>
                  ))}
              </td>
              <td />
            </tr>
          ))}
          {today.items.map((r) => (
            <tr key={r.id} data-testid="today-row">
              <td>{new Date(r.createdAt).toLocaleTimeString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false })}</td>
              <td>{r.memberNoMasked}</td>
              <td class="num">{formatYuan(r.amountFen)}</td>
              <td class="num">{formatYuan(r.discountFen)}</td>
              <td>
                <span
                  class={`pill ${r.status !== 'committed' ? 'bad' : r.flags?.length ? 'warn' : 'ok'}`}
                  title={r.flags?.map((f) => f.message).join('; ')}
                >
                  {r.status !== 'committed'
                    ? '已撤销 voided'
                    : r.flags?.length
                      ? '离线已上传待核 flagged'
                      : r.offline
                        ? '离线已上传 uploaded'
                        : '已确认 done'}
                </span>
                {r.status === 'voided' && r.voidReason && (
                  <div class="en" data-testid="void-reason">
                    原因 Reason: {r.voidReason}
                  </div>
                )}
              </td>
              <td>
                {r.receipt && (
                  <button data-testid="reprint" onClick={() => setReprint(reprint === r.id ? undefined : r.id)}>
                    补打 Reprint
                  </button>
                )}
                {r.status === 'committed' &&
                  (voiding === r.id ? (
                    <span class="row">
                      <input
                        placeholder="撤销原因 reason"
                        value={reason}
                        onInput={(e) => setReason((e.target as HTMLInputElement).value)}
                      />
                      <button
                        disabled={!reason.trim()}
                        onClick={() => {
                          onVoid(r.id, reason);
                          setVoiding(undefined);
                          setReason('');
                        }}
                      >
                        确认撤销 Void
                      </button>
                    </span>
                  ) : (
                    <button onClick={() => setVoiding(r.id)}>撤销 Void</button>
                  ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {again?.receipt && (
        <div style={{ marginTop: '10px' }}>
          <Receipt receipt={again.receipt} testId="reprint-receipt" />
          <div class="row no-print" style={{ marginTop: '6px' }}>
            <button class="primary" onClick={() => window.print()}>
              打印 Print
            </button>
            <button onClick={() => setReprint(undefined)}>关闭 Close</button>
          </div>
        </div>
      )}
    </div>
  );
}

function App() {
  const [conn, setConn] = useState<Connectivity>();
  const [devices, setDevices] = useState<Record<string, DeviceStatus>>({});
  const [checkout, setCheckout] = useState<Checkout>();
  const [amount, setAmount] = useState('');
  const [items, setItems] = useState<Item[]>([]);
  const [memberNo, setMemberNo] = useState('');
  const [notices, setNotices] = useState<Notice[]>([]);
  const [today, setToday] = useState<Today>();
  const [offers, setOffers] = useState<Offer[]>([]);
  const [camera, setCamera] = useState(false);
  const [busy, setBusy] = useState(false);
  /** The amount the cashier confirmed above the store's maximum (the next Start goes through). */
  const [confirmedLarge, setConfirmedLarge] = useState<number>();
  const current = useRef<string>();
  const amountRef = useRef<HTMLInputElement>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);

  // One notice per kind, newest first: the same warning four times says nothing more than once.
  const notify = (n: Omit<Notice, 'at'>) =>
    setNotices((xs) => [{ ...n, at: Date.now() }, ...xs.filter((x) => x.code !== n.code)].slice(0, 3));
  const loadToday = () => void api<Today>('GET', '/api/v1/redemptions/today').then((r) => r.ok && setToday(r.body));

  useEffect(() => {
    const s = io({ transports: ['websocket'] });
    s.on('connectivity', setConn);
    s.on('device:status', (d: DeviceStatus) => setDevices((m) => ({ ...m, [d.deviceId]: d })));
    s.on('checkout:updated', (c: Checkout) => {
      if (c.checkoutId === current.current) setCheckout(c);
    });
    s.on('notice', (n: Omit<Notice, 'at'>) => notify(n));
    // A card reported lost is refused with CARD_LOST at the till where it is presented; a notice on every
    // till in the store for every lost card elsewhere only buried the notices that matter.
    s.on('redemptions:changed', loadToday);
    s.on('outbox:updated', loadToday);
    loadToday();
    void api<{ offers: Offer[] }>('GET', '/api/v1/offers').then((r) => r.ok && setOffers(r.body.offers));
    amountRef.current?.focus();
    return () => s.close();
  }, []);

  useEffect(() => {
    if (checkout?.state === 'quoted') {
      window.__huikaQuotedAt = performance.timeOrigin + performance.now();
      if (checkout.quote?.eligible) confirmRef.current?.focus();
    }
  }, [checkout]);

  const skus = useMemo(
    () => offers.flatMap((o) => (o.rule.kind === 'fixed_price' ? [{ sku: o.rule.sku, title: o.title, priceFen: o.rule.priceFen }] : [])),
    [offers],
  );
  const itemsTotal = items.reduce((s, i) => s + i.qty * i.unitPriceFen, 0);

  async function start() {
    const fen = items.length ? Math.max(itemsTotal, parseYuan(amount) ?? 0) : parseYuan(amount);
    if (!fen) return notify({ level: 'warn', code: 'AMOUNT', message: 'Enter an amount such as 350.00.' });
    const max = conn?.maxSaleFen;
    if (max && fen > max && confirmedLarge !== fen) {
      setConfirmedLarge(fen);
      return notify({
        level: 'warn',
        code: 'OVER_MAX_SALE',
        zh: `金额 ${formatYuan(fen)} 超过本店单笔上限 ${formatYuan(max)}，请核对；确认无误请再按“开始”`,
        message: `${formatYuan(fen)} is above this store's maximum of ${formatYuan(max)} for one sale: check the amount, or press Start again to go on.`,
      });
    }
    setBusy(true);
    const r = await api<{ checkoutId: string }>('POST', '/api/v1/checkouts', { amountFen: fen, ...(items.length ? { items } : {}) });
    setBusy(false);
    if (!r.ok) return notify({ level: 'warn', code: r.body.error?.code ?? 'ERROR', message: r.body.error?.message ?? '' });
    current.current = r.body.checkoutId;
    setNotices([]); // a new checkout starts clean: old warnings were about the last one
    setConfirmedLarge(undefined);
    setCheckout((await api<Checkout>('GET', `/api/v1/checkouts/${r.body.checkoutId}`)).body);
  }

  async function present(cred: Credential) {
    const id = current.current;
    if (!id) return notify({ level: 'info', code: 'NO_CHECKOUT', message: '先输入金额 / Enter the amount first.' });
    const r = await api<unknown>('POST', `/api/v1/checkouts/${id}/credential`, cred);
    if (!r.ok) notify({ level: 'warn', code: r.body.error?.code ?? 'ERROR', message: r.body.error?.message ?? '' });
  }

  async function confirm() {
    const id = current.current;
    if (!id) return;
    setBusy(true);
    const r = await api<unknown>('POST', `/api/v1/checkouts/${id}/confirm`, {});
    setBusy(false);
    if (!r.ok) notify({ level: 'warn', code: r.body.error?.code ?? 'ERROR', message: r.body.error?.message ?? '' });
    setCheckout((await api<Checkout>('GET', `/api/v1/checkouts/${id}`)).body);
    loadToday();
  }

  async function cancel() {
    const id = current.current;
    if (id && checkout && checkout.state !== 'redeemed') await api('POST', `/api/v1/checkouts/${id}/cancel`, {});
    reset();
  }

  function reset() {
    current.current = undefined;
    setCheckout(undefined);
    setAmount('');
    setItems([]);
    setMemberNo('');
    setCamera(false);
    setNotices([]);
    setTimeout(() => amountRef.current?.focus(), 0);
  }

  async function voidIt(id: string, reason: string) {
    const r = await api<unknown>('POST', `/api/v1/redemptions/${id}/void`, { reason });
    if (!r.ok) notify({ level: 'warn', code: r.body.error?.code ?? 'ERROR', message: r.body.error?.message ?? '' });
    loadToday();
  }

  // Keyboard-wedge scanners where the OS would not let the terminal open them exclusively: a fast burst
  // of keys ending in Enter is a scan, not typing.
  useEffect(() => {
    const det = new KeystrokeBurstDetector({ minLength: 10 });
    const onKey = (e: KeyboardEvent) => {
      const v = det.push({ key: e.key, timeStamp: e.timeStamp });
      if (v?.kind === 'scan') {
        e.preventDefault();
        const t = e.target as HTMLInputElement | null;
        if (t && 'value' in t && t.value.endsWith(v.text)) t.value = t.value.slice(0, -v.text.length);
        const out = classifyScan(v.text);
        if (out.ok) void present(out.credential);
        else notify({ level: 'warn', code: out.error.code, message: out.error.message });
        return;
      }
      if (e.key === 'Escape') void cancel();
    };
    document.addEventListener('keydown', onKey, true);
    return () => document.removeEventListener('keydown', onKey, true);
  });

  const state = checkout?.state;
  return (
    <div>
      <StatusBar conn={conn} devices={devices} />
      <main class="cashier-grid">
        <div>
          <div class="card">
            <h2>
              1. 消费金额 <span class="en">Sale amount</span>
            </h2>
            <div class="row">
              <label>
                金额（元） Amount (¥)
                <input
                  ref={amountRef}
                  data-testid="amount"
                  inputMode="decimal"
                  value={amount}
                  disabled={!!checkout}
                  style={{ fontSize: '28px', width: '200px' }}
                  onInput={(e) => setAmount((e.target as HTMLInputElement).value)}
                  onKeyDown={(e) => e.key === 'Enter' && !checkout && void start()}
                />
              </label>
              {!checkout && (
                <button class="primary" data-testid="start" disabled={busy} onClick={() => void start()} style={{ fontSize: '18px' }}>
                  开始 Start ⏎
                </button>
              )}
            </div>
            {skus.length > 0 && !checkout && (
              <div class="row" style={{ marginTop: '10px' }}>
                {skus.map((s) => (
                  <button
                    key={s.sku}
                    data-testid={`sku-${s.sku}`}
                    onClick={() => {
                      const unit = parseYuan(amount) ?? 0;
                      if (!unit) return notify({ level: 'warn', code: 'ITEM_PRICE', message: 'Enter the item price first.' });
                      setItems((xs) => [...xs, { sku: s.sku, qty: 1, unitPriceFen: unit }]);
                    }}
                  >
                    + {s.title} <span class="en">{s.sku}</span>
                  </button>
                ))}
              </div>
            )}
            {items.length > 0 && (
              <p>
                商品 Items: {items.map((i) => `${i.sku}×${i.qty} @${formatYuan(i.unitPriceFen)}`).join(', ')} = {formatYuan(itemsTotal)}
              </p>
            )}
          </div>
          <div class="card">
            <h2>
              2. 刷卡 / 扫码 <span class="en">Card, member number or QR</span>
            </h2>
            {state === 'waiting_for_card' && (
              <p data-testid="waiting" style={{ fontSize: '18px' }}>
                请会员刷卡或出示二维码… <span class="en">Waiting for a card swipe or scan…</span>
              </p>
            )}
            <div class="row">
              <label>
                会员号 Member number
                <input
                  data-testid="member-no"
                  value={memberNo}
                  inputMode="numeric"
                  maxLength={10}
                  disabled={!checkout || state === 'redeemed'}
                  onInput={(e) => setMemberNo((e.target as HTMLInputElement).value)}
                  onKeyDown={(e) => e.key === 'Enter' && memberNo.length === 10 && void present({ type: 'member_no', data: memberNo })}
                />
              </label>
              <button
                disabled={!checkout || memberNo.length !== 10 || state === 'redeemed'}
                onClick={() => void present({ type: 'member_no', data: memberNo })}
              >
                查询 Look up
              </button>
              <button data-testid="camera-button" disabled={!checkout || state === 'redeemed'} onClick={() => setCamera((x) => !x)}>
                摄像头扫码 Camera
              </button>
            </div>
          </div>
          {camera && checkout && (
            <Camera
              onClose={() => setCamera(false)}
              onCode={(cred) => {
                setCamera(false);
                void present(cred);
              }}
            />
          )}
          {notices.map((n) => {
            const t = { ...reasonText(n.code, n.message), ...(n.zh ? { zh: n.zh } : {}) };
            return (
              <div key={n.code} class={n.level === 'warn' ? 'error' : 'card'} data-testid="notice" role="alert">
                <b>{t.zh}</b>
                <div class="en">{t.en}</div>
              </div>
            );
          })}
        </div>
        <div>
          <div class="card" style={{ minHeight: '260px' }}>
            <h2>
              3. 优惠 <span class="en">Discount</span>
            </h2>
            {!checkout && (
              <p class="en">
                输入金额后按回车，再刷卡。 <br />
                Type the amount, press Enter, then swipe or scan.
              </p>
            )}
            {checkout && <QuoteView c={checkout} offers={offers} />}
            {checkout?.error && (
              <p class="error" data-testid="checkout-error">
                <Bilingual {...reasonText(checkout.error.code, checkout.error.message)} />
              </p>
            )}
            {checkout && state !== 'redeemed' && (
              <div class="row" style={{ marginTop: '14px' }}>
                <button
                  ref={confirmRef}
                  class="primary"
                  data-testid="confirm"
                  style={{ fontSize: '20px', padding: '12px 24px' }}
                  disabled={busy || state !== 'quoted' || !checkout.quote?.eligible}
                  onClick={() => void confirm()}
                >
                  确认优惠 Confirm ⏎
                </button>
                <button data-testid="cancel" onClick={() => void cancel()}>
                  取消 Cancel (Esc)
                </button>
              </div>
            )}
            {state === 'redeemed' && (
              <div>
                <p class="pill ok" data-testid="redeemed" style={{ fontSize: '16px' }}>
                  {checkout?.redemption && 'status' in checkout.redemption && checkout.redemption.status === 'queued'
                    ? '已离线记录 Recorded offline'
                    : '已确认 Recorded'}
                </p>
                <Receipt receipt={checkout!.receipt} />
                <button class="primary" data-testid="next" style={{ marginTop: '10px' }} onClick={reset} autoFocus>
                  下一位 Next customer ⏎
                </button>
              </div>
            )}
          </div>
          <TodayList today={today} onVoid={(id, reason) => void voidIt(id, reason)} />
        </div>
      </main>
    </div>
  );
}

mount(<App />);
