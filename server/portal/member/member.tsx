/**
 * /m: the member's phone page. Sign in with member number and password; the phone makes a device key
 * (32 random bytes) at sign-in and registers it; from then on it draws a fresh member code every 30 s by
 * itself (core/member-code.ts), so the code keeps working without the phone's network. Also: the deals
 * that cover me, my redemptions with their receipt links, and feedback once per redemption.
 */
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import QRCode from 'qrcode';
import { isoInZone } from '../../../core/local-time.ts';
import { derivedKeys, makeMemberCode, STEP_SECONDS, stepOf, unbase32 } from '../../../core/member-code.ts';
import { formatYuan } from '../../../core/money.ts';
import type { FeedbackItem, MemberOffer, MemberRedemption, MemberRedemptionList } from '../../../core/wire-member.ts';
import { conditionsZh, ruleEn, ruleZh } from '../web/rules-text.ts';
import { hmacSha256 } from './hmac-sha256.ts';

const TZ = 'Asia/Shanghai';
const KEY = 'huika.member';

interface Saved {
  token: string;
  deviceId: string;
  /** base64url of the device key: it stays on this phone and is never sent again. */
  deviceKey: string;
  /** server time − phone time, ms, as of the last answer: codes follow the server's clock. */
  skewMs: number;
  member: { maskedName: string; memberNoMasked: string; orgId: string; orgName?: string };
  mustChange: boolean;
}

const load = (): Saved | undefined => {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? 'null') ?? undefined;
  } catch {
    return undefined;
  }
};
const save = (s: Saved | undefined) => (s ? localStorage.setItem(KEY, JSON.stringify(s)) : localStorage.removeItem(KEY));

const b64u = (b: Uint8Array) =>
  btoa(String.fromCharCode(...b))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
const unb64u = (s: string) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

// biome-ignore lint/suspicious/noExplicitAny: the pages' fetch helper; each caller names the answer type it expects
async function api<T = any>(path: string, token: string | undefined, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const res = await fetch(`/api/v1${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const body = res.status === 204 ? undefined : await res.json().catch(() => undefined);
  if (!res.ok) throw new ApiError(res.status, body?.error?.code ?? 'HTTP', body?.error?.message ?? res.statusText);
  return body as T;
}

function Bi({ zh, en }: { zh: string; en: string }) {
  return (
    <>
      {zh} <span class="en">{en}</span>
    </>
  );
}

function SignIn({ onDone }: { onDone: (s: Saved) => void }) {
  const [memberNo, setMemberNo] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const key = crypto.getRandomValues(new Uint8Array(32)); // available without a secure context, unlike crypto.subtle
      const t0 = Date.now();
      const body = await api('/member/session', undefined, {
        method: 'POST',
        body: { memberNo: memberNo.trim(), password, deviceKey: b64u(key) },
      });
      const skewMs = Date.parse(body.device.serverTime) - (t0 + Date.now()) / 2;
      onDone({
        token: body.token,
        deviceId: body.device.id,
        deviceKey: b64u(key),
        skewMs,
        member: body.member,
        mustChange: body.passwordChangeRequired,
      });
    } catch (err) {
      const e2 = err as ApiError;
      setError(
        e2.status === 401
          ? '会员号或密码错误 Wrong member number or password'
          : e2.status === 429
            ? `尝试次数过多，请稍后再试 Too many attempts; try again later`
            : e2.code === 'MEMBER_SUSPENDED'
              ? '会员资格已暂停，请联系工会 Membership suspended; please contact your union'
              : e2.message,
      );
      setBusy(false);
    }
  }
  return (
    <section class="card">
      <h2>
        <Bi zh="会员登录" en="Member sign-in" />
      </h2>
      <form class="stack" onSubmit={submit} data-form="member-sign-in">
        <label>
          <span>
            会员号 <span class="en">Member number</span>
          </span>
          <input
            name="memberNo"
            inputMode="numeric"
            autocomplete="username"
            maxLength={10}
            value={memberNo}
            onInput={(e) => setMemberNo(e.currentTarget.value)}
            required
          />
        </label>
        <label>
          <span>
            密码或激活码 <span class="en">Password or activation code</span>
          </span>
          <input
            name="password"
            type="password"
            autocomplete="current-password"
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
            required
          />
        </label>
        {error && <p class="error">{error}</p>}
        <button class="primary big" type="submit" disabled={busy}>
          登录 Sign in
        </button>
      </form>
      <p class="muted small">首次登录请使用工会发放的激活码 · First time? Use the activation code your union gave you.</p>
    </section>
  );
}

function ChangePassword({ s, onDone, required }: { s: Saved; onDone: (token: string) => void; required: boolean }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [error, setError] = useState<string>();
  const [ok, setOk] = useState(false);
  async function submit(e: Event) {
    e.preventDefault();
    setError(undefined);
    try {
      const body = await api('/member/password', s.token, { method: 'POST', body: { current, next } });
      setOk(true);
      setCurrent('');
      setNext('');
      onDone(body.token);
    } catch (err) {
      setError((err as Error).message);
    }
  }
  return (
    <section class="card" data-panel="password">
      <h2>
        <Bi zh={required ? '请设置您自己的密码' : '修改密码'} en={required ? 'Choose your own password' : 'Change password'} />
      </h2>
      <form class="stack" onSubmit={submit}>
        <label>
          <span>
            {required ? '激活码' : '当前密码'} <span class="en">{required ? 'Activation code' : 'Current password'}</span>
          </span>
          <input name="current" type="password" value={current} onInput={(e) => setCurrent(e.currentTarget.value)} required />
        </label>
        <label>
          <span>
            新密码（至少 8 位） <span class="en">New password, 8 or more characters</span>
          </span>
          <input
            name="next"
            type="password"
            autocomplete="new-password"
            minLength={8}
            value={next}
            onInput={(e) => setNext(e.currentTarget.value)}
            required
          />
        </label>
        {error && <p class="error">{error}</p>}
        {ok && <p class="ok-line">已保存 Saved</p>}
        <button class="primary big" type="submit">
          保存 Save
        </button>
      </form>
    </section>
  );
}

/** The living code: redrawn every step from the device key, with no network needed. */
function LivingCode({ s }: { s: Saved }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [now, setNow] = useState(() => Date.now() + s.skewMs);
  const [online, setOnline] = useState(navigator.onLine);
  const step = stepOf(now);
  const code = makeMemberCode(hmacSha256, derivedKeys(hmacSha256, unb64u(s.deviceKey)), unbase32(s.deviceId)!, step);
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now() + s.skewMs), 1000);
    const on = () => setOnline(navigator.onLine);
    addEventListener('online', on);
    addEventListener('offline', on);
    return () => {
      clearInterval(t);
      removeEventListener('online', on);
      removeEventListener('offline', on);
    };
  }, [s.skewMs]);
  useEffect(() => {
    if (canvas.current)
      void QRCode.toCanvas(canvas.current, code, {
        errorCorrectionLevel: 'M',
        margin: 2,
        width: 264,
        color: { dark: '#1f2328', light: '#ffffff' },
      });
  }, [code]);
  const left = STEP_SECONDS - Math.floor((now / 1000) % STEP_SECONDS);
  return (
    <section class="card qr-card" data-panel="qr">
      <h2>
        <Bi zh="会员码" en="Member code" />
      </h2>
      <p class="who-line">
        {s.member.maskedName} · {s.member.memberNoMasked}
        {s.member.orgName ? ` · ${s.member.orgName}` : ''}
      </p>
      <canvas ref={canvas} data-testid="member-qr" data-step={String(step)} width={264} height={264} aria-label="会员码 Member code" />
      <p class="countdown" data-testid="qr-countdown">
        {left} 秒后刷新 <span class="en">refreshes in {left} s</span>
      </p>
      <p class="muted small">
        出示给收银员扫描；每个码只能使用一次，截图无效。{online ? '' : '当前离线，码仍可使用。'}
        <br />
        <span class="en">
          Show it to the cashier. Each code works once; a screenshot gets nothing.{online ? '' : ' You are offline; the code still works.'}
        </span>
      </p>
    </section>
  );
}

function Offers({ s }: { s: Saved }) {
  const [items, setItems] = useState<MemberOffer[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    api<{ items: MemberOffer[] }>('/member/offers', s.token).then(
      (b) => setItems(b.items),
      (e) => setError((e as Error).message),
    );
  }, []);
  const byMerchant = new Map<string, MemberOffer[]>();
  for (const o of items ?? []) byMerchant.set(o.merchantName, [...(byMerchant.get(o.merchantName) ?? []), o]);
  return (
    <section class="card" data-panel="offers">
      <h2>
        <Bi zh="我可享受的优惠" en="What applies to me" />
      </h2>
      {error && <p class="error">{error}</p>}
      {items && items.length === 0 && <p class="muted">暂无 None yet</p>}
      {[...byMerchant].map(([name, offers]) => (
        <div class="offer-group" data-merchant={offers[0]!.merchantId}>
          <h3>{name}</h3>
          {offers.map((o) => (
            <div class="offer" data-offer={o.id}>
              <div class="offer-title">
                <strong>{ruleZh(o.rule)}</strong> {o.title} <span class="en">{o.titleEn ?? ruleEn(o.rule)}</span>
                {o.kind === 'campaign' && <span class="pill info">工会补贴 Union-funded</span>}
              </div>
              <div class="muted small">
                {o.orgName} · {o.stores.map((x) => x.name).join('、')}
                {conditionsZh({ conditions: { ...o.conditions, storeIds: undefined } } as never).map((c) => ` · ${c}`)}
              </div>
              {o.remainingBudgetFen !== undefined && o.budgetFen !== undefined && (
                <div class="budget" data-testid="budget-left">
                  <div class="budget-bar">
                    <span
                      class="budget-fill"
                      style={{ width: `${Math.round((o.remainingBudgetFen / Math.max(1, o.budgetFen)) * 100)}%` }}
                    />
                  </div>
                  剩余预算 {formatYuan(o.remainingBudgetFen)} / {formatYuan(o.budgetFen)} <span class="en">budget left</span>
                </div>
              )}
            </div>
          ))}
        </div>
      ))}
    </section>
  );
}

const STARS = [1, 2, 3, 4, 5];

function FeedbackForm({ s, id, onSaved }: { s: Saved; id: string; onSaved: (feedback: FeedbackItem) => void }) {
  const [rating, setRating] = useState(0);
  const [honoured, setHonoured] = useState<boolean>();
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string>();
  async function send() {
    setError(undefined);
    if (!rating || honoured === undefined) return setError('请评分并选择是否享受了优惠 Rate it and say whether you got the discount');
    try {
      const saved = await api<FeedbackItem>(`/member/redemptions/${id}/feedback`, s.token, {
        method: 'POST',
        body: { rating, honoured, ...(comment.trim() ? { comment: comment.trim() } : {}) },
      });
      onSaved(saved);
    } catch (err) {
      setError((err as Error).message);
    }
  }
  return (
    <div class="feedback-form" data-feedback-form={id}>
      <div class="stars" role="radiogroup" aria-label="评分 Rating">
        {STARS.map((n) => (
          <button
            type="button"
            class={n <= rating ? 'star on' : 'star'}
            data-star={String(n)}
            aria-label={`${n} 星`}
            onClick={() => setRating(n)}
          >
            ★
          </button>
        ))}
      </div>
      <div class="row">
        <button type="button" class={honoured === true ? 'choice on' : 'choice'} data-honoured="yes" onClick={() => setHonoured(true)}>
          已享受优惠 <span class="en">Got the discount</span>
        </button>
        <button type="button" class={honoured === false ? 'choice on bad' : 'choice'} data-honoured="no" onClick={() => setHonoured(false)}>
          未享受优惠 <span class="en">Not honoured</span>
        </button>
      </div>
      <textarea
        name="comment"
        maxLength={280}
        rows={2}
        placeholder="留言（选填）Comment (optional)"
        value={comment}
        onInput={(e) => setComment(e.currentTarget.value)}
      />
      {error && <p class="error">{error}</p>}
      <button class="primary" type="button" data-action="send-feedback" onClick={send}>
        提交 <span class="en">Send</span>
      </button>
    </div>
  );
}

function History({ s }: { s: Saved }) {
  const [items, setItems] = useState<MemberRedemption[]>();
  const [error, setError] = useState<string>();
  const [open, setOpen] = useState<string>();
  const [tick, setTick] = useState(0);
  /** The older page's cursor, or null once the oldest redemption is shown. */
  const [cursor, setCursor] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const page = (after?: string) => api<MemberRedemptionList>(`/member/redemptions${after ? `?cursor=${after}` : ''}`, s.token);
  useEffect(() => {
    page().then(
      (b) => {
        setItems(b.items);
        setCursor(b.nextCursor);
        setError(undefined);
      },
      (e) => setError((e as Error).message),
    );
  }, [tick]);
  async function more() {
    if (!cursor || loadingMore) return;
    setLoadingMore(true);
    try {
      const b = await page(cursor);
      // The cursor is a ledger position, not an offset: a sale made since the first page shifts nothing.
      setItems((prev) => [...(prev ?? []), ...b.items]);
      setCursor(b.nextCursor);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setLoadingMore(false);
    }
  }
  return (
    <section class="card" data-panel="history">
      <div class="toolbar">
        <h2>
          <Bi zh="我的优惠记录" en="My redemptions" />
        </h2>
        <span class="spacer" />
        <button class="small" data-action="refresh-history" onClick={() => setTick((t) => t + 1)}>
          刷新 <span class="en">Refresh</span>
        </button>
      </div>
      {error && <p class="error">{error}</p>}
      {items && items.length === 0 && <p class="muted">还没有记录 Nothing yet</p>}
      <ul class="history">
        {(items ?? []).map((r) => (
          <li data-redemption={r.id} class={r.status === 'voided' ? 'voided' : ''}>
            <div class="h-top">
              <strong>{r.merchantName}</strong> <span class="muted small">{r.storeName}</span>
              <span class="spacer" />
              <span class="discount">−{formatYuan(r.discountFen)}</span>
            </div>
            <div class="muted small">
              {isoInZone(new Date(r.createdAt), TZ).slice(0, 16).replace('T', ' ')} · 消费 {formatYuan(r.amountFen)} · 实付{' '}
              {formatYuan(r.payableFen)}
              {r.status === 'voided' ? ' · 已撤销 voided' : ''}
              {r.offline ? ' · 离线 offline' : ''}
            </div>
            <div class="h-actions">
              <a href={r.receiptUrl} target="_blank" rel="noopener" data-link="receipt">
                核验凭证 <span class="en">Check receipt</span>
              </a>
              {r.feedback ? (
                <span class="given" data-given={String(r.feedback.rating)}>
                  {'★'.repeat(r.feedback.rating)}
                  {r.feedback.honoured ? '' : ' · 已投诉 complaint filed'}
                  {r.feedback.complaint?.status === 'answered' || r.feedback.complaint?.status === 'closed'
                    ? ` · 工会答复 Union's answer: ${r.feedback.complaint.answer ?? ''}`
                    : ''}
                </span>
              ) : (
                <button class="small" data-action="feedback" onClick={() => setOpen(open === r.id ? undefined : r.id)}>
                  评价 <span class="en">Rate</span>
                </button>
              )}
            </div>
            {open === r.id && !r.feedback && (
              <FeedbackForm
                s={s}
                id={r.id}
                onSaved={(feedback) => {
                  setOpen(undefined);
                  // Only this row changes: the pages loaded so far stay as they are.
                  setItems((prev) => (prev ?? []).map((x) => (x.id === r.id ? { ...x, feedback } : x)));
                }}
              />
            )}
          </li>
        ))}
      </ul>
      {cursor && (
        <button class="small more" type="button" data-action="more-history" disabled={loadingMore} onClick={more}>
          {loadingMore ? (
            '加载中… Loading…'
          ) : (
            <>
              更早的记录 <span class="en">Older redemptions</span>
            </>
          )}
        </button>
      )}
    </section>
  );
}

type Tab = 'qr' | 'offers' | 'history' | 'me';
const TABS: [Tab, string, string][] = [
  ['qr', '会员码', 'Code'],
  ['offers', '优惠', 'Deals'],
  ['history', '记录', 'History'],
  ['me', '我的', 'Me'],
];

function App() {
  const [s, setS] = useState<Saved | undefined>(load);
  const [tab, setTab] = useState<Tab>('qr');
  const update = (next: Saved | undefined) => {
    save(next);
    setS(next);
  };
  // While online, ask who we are: a revoked device or a reset password ends the session here too.
  useEffect(() => {
    if (!s || s.mustChange) return;
    const t0 = Date.now();
    api('/member/me', s.token).then(
      (b) => update({ ...s, member: b.member, skewMs: Date.parse(b.device.serverTime) - (t0 + Date.now()) / 2 }),
      (e) => {
        if ((e as ApiError).status === 401 || (e as ApiError).code === 'MEMBER_SUSPENDED') update(undefined);
      },
    );
  }, [s?.token]);
  async function signOut() {
    if (s) await api('/member/session', s.token, { method: 'DELETE' }).catch(() => undefined);
    update(undefined);
  }
  return (
    <>
      <header class="bar member-bar">
        <span class="logo">惠卡</span>
        <h1>
          会员服务 <span class="en">Member</span>
        </h1>
      </header>
      <main class="member-main">
        {!s && <SignIn onDone={update} />}
        {s?.mustChange && <ChangePassword s={s} required onDone={(token) => update({ ...s, token, mustChange: false })} />}
        {s && !s.mustChange && (
          <>
            {tab === 'qr' && <LivingCode s={s} />}
            {tab === 'offers' && <Offers s={s} />}
            {tab === 'history' && <History s={s} />}
            {tab === 'me' && (
              <>
                <ChangePassword s={s} required={false} onDone={(token) => update({ ...s, token })} />
                <section class="card">
                  <button class="big" data-action="sign-out" onClick={signOut}>
                    退出登录 <span class="en">Sign out</span>
                  </button>
                  <p class="muted small">退出后本机的会员码立即失效 · Signing out ends this phone's codes at once.</p>
                </section>
              </>
            )}
          </>
        )}
      </main>
      {s && !s.mustChange && (
        <nav class="member-tabs" role="tablist">
          {TABS.map(([id, zh, en]) => (
            <button role="tab" aria-selected={tab === id} class={tab === id ? 'active' : ''} data-tab={id} onClick={() => setTab(id)}>
              {zh}
              <span class="en">{en}</span>
            </button>
          ))}
        </nav>
      )}
    </>
  );
}

// The stylesheet is a file (the CSP allows no inline style elements).
const link = document.createElement('link');
link.rel = 'stylesheet';
link.href = '/assets/member.css';
document.head.append(link);
const root = document.getElementById('app')!;
root.textContent = '';
render(<App />, root);
