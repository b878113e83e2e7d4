/** /portal: sign in, then go to the page of the user's role. */
import { useState } from 'preact/hooks';
import { ErrorLine, mount, session } from './lib.tsx';

// An administrator's work is administration; the union page is one link away from there.
const home = (role: string) => (role === 'merchant_admin' ? '/merchant' : role === 'admin' ? '/admin' : '/union');

function Login() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const res = await fetch('/api/v1/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password }),
      });
      const body = await res.json();
      if (!res.ok)
        throw new Error(res.status === 401 ? '用户名或密码错误 Wrong username or password' : (body?.error?.message ?? res.statusText));
      session.set(body.token);
      location.href = home(body.user.role);
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  }

  return (
    <>
      <header class="bar">
        <span class="logo">惠卡</span>
        <h1>
          工会会员普惠服务 <span class="en">Union member services</span>
        </h1>
      </header>
      <main>
        <div class="card login">
          <h2>
            登录 <span class="en">Sign in</span>
          </h2>
          <p class="muted small">商户管理员、工会审计人员与系统管理员使用 · For merchant admins, union auditors and administrators</p>
          <form onSubmit={submit}>
            <label>
              <span>
                用户名 <span class="en">Username</span>
              </span>
              <input
                name="username"
                autocomplete="username"
                value={username}
                onInput={(e) => setUsername(e.currentTarget.value)}
                required
              />
            </label>
            <label>
              <span>
                密码 <span class="en">Password</span>
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
            <ErrorLine error={error} />
            <button class="primary" type="submit" disabled={busy}>
              登录 Sign in
            </button>
          </form>
        </div>
      </main>
    </>
  );
}

mount(<Login />);
