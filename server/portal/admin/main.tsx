/** /admin: sign in (or reuse the /portal token), then a tab per area. The tab is kept in the URL hash. */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, forgetToken, token, TOKEN_KEY } from './api.ts';
import { AgreementsTab } from './agreements.tsx';
import { AuditTab } from './audit.tsx';
import { CardsTab } from './cards.tsx';
import { MembersTab } from './members.tsx';
import { MerchantsTab } from './merchants.tsx';
import type { Me, Org } from './types.ts';
import { Bi, ErrorBox, injectStyles } from './ui.tsx';
import { UsersTab } from './users.tsx';

const TABS = [
  { id: 'members', zh: '会员', en: 'Members' },
  { id: 'cards', zh: '卡片', en: 'Cards' },
  { id: 'merchants', zh: '商户', en: 'Merchants' },
  { id: 'agreements', zh: '协议', en: 'Agreements' },
  { id: 'users', zh: '用户', en: 'Users' },
  { id: 'audit', zh: '操作记录', en: 'Audit trail' },
] as const;
type TabId = (typeof TABS)[number]['id'];

const tabFromHash = (): TabId => {
  const h = location.hash.slice(1);
  return (TABS.find((t) => t.id === h)?.id ?? 'members') as TabId;
};

function Login({ onDone }: { onDone: () => void }) {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  async function submit(e: Event) {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    setBusy(true);
    setError(undefined);
    try {
      const r = await api<{ token: string }>('POST', '/session', { username: f.get('username'), password: f.get('password') });
      localStorage.setItem(TOKEN_KEY, r.token);
      onDone();
    } catch (err) {
      setError(
        err instanceof ApiError && err.code === 'BAD_CREDENTIALS' ? new Error('用户名或密码错误 · Wrong username or password') : err,
      );
    } finally {
      setBusy(false);
    }
  }
  return (
    <div class="card login">
      <h2>
        <Bi zh="惠卡管理后台 登录" en="Huika administration · Sign in" />
      </h2>
      <form onSubmit={submit}>
        <label>
          <span>
            用户名 <span class="en">Username</span>
          </span>
          <input name="username" autocomplete="username" required />
        </label>
        <label>
          <span>
            密码 <span class="en">Password</span>
          </span>
          <input name="password" type="password" autocomplete="current-password" required />
        </label>
        <ErrorBox error={error} />
        <button class="primary" disabled={busy}>
          登录 Sign in
        </button>
      </form>
    </div>
  );
}

function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [orgs, setOrgs] = useState<Org[]>([]);
  const [tab, setTab] = useState<TabId>(tabFromHash());
  const [error, setError] = useState<unknown>();

  async function load() {
    setError(undefined);
    // The page signs in only with a saved token: the httpOnly cookie alone cannot be cleared on sign-out.
    if (!token()) return setMe(null);
    try {
      const m = await api<Me>('GET', '/admin/me');
      setOrgs((await api<{ items: Org[] }>('GET', '/admin/orgs')).items);
      setMe(m);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        forgetToken();
        setMe(null);
      } else {
        setError(err);
        setMe(null);
      }
    }
  }

  useEffect(() => {
    void load();
    const onHash = () => setTab(tabFromHash());
    const onOut = () => setMe(null);
    window.addEventListener('hashchange', onHash);
    window.addEventListener('huika:signed-out', onOut);
    return () => {
      window.removeEventListener('hashchange', onHash);
      window.removeEventListener('huika:signed-out', onOut);
    };
  }, []);

  function signOut() {
    forgetToken();
    // biome-ignore lint/suspicious/noDocumentCookie: clearing one cookie; the Cookie Store API is not in every till's browser
    document.cookie = 'huika_session=; Max-Age=0; path=/';
    setMe(null);
  }

  const header = (
    <header class="bar">
      <h1>
        惠卡 管理后台 <span class="en">Huika Administration</span>
      </h1>
      <span class="spacer" />
      {me && (
        <>
          <div class="who">
            {me.user.displayName} · {me.org?.name}
            <br />
            <span class="en">
              {me.user.username} · {me.canWrite ? 'admin 管理员' : 'auditor 审计（只读 read-only）'}
            </span>
          </div>
          <button onClick={signOut}>退出 Sign out</button>
        </>
      )}
    </header>
  );

  if (me === undefined) return header;
  if (me === null)
    return (
      <>
        {header}
        <main>
          <ErrorBox error={error} />
          <Login onDone={load} />
        </main>
      </>
    );
  const props = { me, orgs };
  return (
    <>
      {header}
      <nav class="tabs">
        {TABS.map((t) => (
          <a href={`#${t.id}`} class={t.id === tab ? 'active' : ''} data-tab={t.id}>
            {t.zh} <span class="en">{t.en}</span>
          </a>
        ))}
      </nav>
      <main>
        {tab === 'members' && <MembersTab {...props} />}
        {tab === 'cards' && <CardsTab {...props} />}
        {tab === 'merchants' && <MerchantsTab {...props} />}
        {tab === 'agreements' && <AgreementsTab {...props} />}
        {tab === 'users' && <UsersTab {...props} />}
        {tab === 'audit' && <AuditTab {...props} />}
      </main>
    </>
  );
}

injectStyles();
const root = document.getElementById('app')!;
root.textContent = ''; // the shell's "加载中… Loading…" line
render(<App />, root);
