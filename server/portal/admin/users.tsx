/** 用户 Users and roles: admins and auditors of unions in scope, merchant admins of its merchants. */
import { useEffect, useState } from 'preact/hooks';
import { api } from './api.ts';
import type { TabProps } from './types.ts';
import { Bi, ErrorBox, Field, Notice } from './ui.tsx';

interface UserRow {
  id: string;
  username: string;
  displayName: string;
  role: 'admin' | 'union_auditor' | 'merchant_admin';
  orgId: string | null;
  orgName: string | null;
  merchantId: string | null;
  disabled: boolean;
}
const ROLE: Record<UserRow['role'], string> = {
  admin: '管理员 Admin',
  union_auditor: '工会审计 Union auditor',
  merchant_admin: '商户管理员 Merchant admin',
};

export function UsersTab({ me, orgs }: TabProps) {
  const [users, setUsers] = useState<UserRow[]>([]);
  const [merchants, setMerchants] = useState<{ id: string; name: string }[]>([]);
  const [error, setError] = useState<unknown>();
  const [msg, setMsg] = useState('');
  const [tick, setTick] = useState(0);
  const [f, setF] = useState({
    username: '',
    displayName: '',
    role: 'union_auditor' as UserRow['role'],
    orgId: me.user.orgId ?? '',
    merchantId: '',
    password: '',
  });

  useEffect(() => {
    api<{ items: UserRow[] }>('GET', '/admin/users').then((r) => setUsers(r.items), setError);
    api<{ items: { id: string; name: string }[] }>('GET', '/admin/merchants').then((r) => setMerchants(r.items), setError);
  }, [tick]);

  async function create(e: Event) {
    e.preventDefault();
    setError(undefined);
    try {
      const body = {
        username: f.username,
        displayName: f.displayName,
        role: f.role,
        password: f.password,
        ...(f.role === 'merchant_admin' ? { merchantId: f.merchantId } : { orgId: f.orgId }),
      };
      const u = await api<UserRow>('POST', '/admin/users', body);
      setMsg(`已创建用户 ${u.username} · User created`);
      setF({ ...f, username: '', displayName: '', password: '' });
      setTick((t) => t + 1);
    } catch (err) {
      setError(err);
    }
  }
  async function resetPassword(u: UserRow) {
    const pw = prompt(`${u.username} 的新密码（至少8位）· New password (8+ characters)`);
    if (!pw) return;
    try {
      await api('PUT', `/admin/users/${u.id}`, { password: pw });
      setMsg(`已重设 ${u.username} 的密码 · Password reset`);
      setTick((t) => t + 1);
    } catch (err) {
      setError(err);
    }
  }
  async function change(u: UserRow, patch: { role?: UserRow['role']; disabled?: boolean }, done: string) {
    setError(undefined);
    try {
      await api('PUT', `/admin/users/${u.id}`, patch);
      setMsg(done);
    } catch (err) {
      setError(err);
    }
    setTick((t) => t + 1);
  }
  const merchantName = (id: string | null) => merchants.find((m) => m.id === id)?.name ?? id ?? '';

  return (
    <>
      <section class="card">
        <h2>
          <Bi zh="用户与角色" en="Users & roles" />
        </h2>
        <p class="hint">
          管理员可修改本工会及下级工会的数据；审计只读；商户管理员只看本商户。{' '}
          <span class="en">Admins change their union and those below; auditors read; merchant admins see their merchant.</span>
        </p>
        <table data-testid="users">
          <thead>
            <tr>
              <th>用户名 Username</th>
              <th>姓名 Name</th>
              <th>角色 Role</th>
              <th>所属 Belongs to</th>
              {me.canWrite && <th />}
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr data-user={u.username} class={u.disabled ? 'disabled' : ''}>
                <td>
                  <code>{u.username}</code>
                </td>
                <td>{u.displayName}</td>
                <td>
                  {me.canWrite && u.role !== 'merchant_admin' && u.id !== me.user.id ? (
                    // Between the union roles only: a merchant admin belongs to a merchant, not a union.
                    <select
                      data-testid="user-role-change"
                      value={u.role}
                      onChange={(e) =>
                        void change(
                          u,
                          { role: (e.target as HTMLSelectElement).value as UserRow['role'] },
                          `已修改 ${u.username} 的角色 · Role changed`,
                        )
                      }
                    >
                      <option value="admin">{ROLE.admin}</option>
                      <option value="union_auditor">{ROLE.union_auditor}</option>
                    </select>
                  ) : (
                    ROLE[u.role]
                  )}
                  {u.disabled && <span class="pill bad"> 已停用 Disabled</span>}
                </td>
                <td>{u.role === 'merchant_admin' ? merchantName(u.merchantId) : u.orgName}</td>
                {me.canWrite && (
                  <td class="actions">
                    <button class="small" onClick={() => resetPassword(u)}>
                      重设密码 Reset password
                    </button>
                    {u.id !== me.user.id && (
                      <button
                        class="small"
                        data-testid="user-disable"
                        onClick={() =>
                          void change(
                            u,
                            { disabled: !u.disabled },
                            u.disabled
                              ? `已启用 ${u.username} · Enabled`
                              : `已停用 ${u.username}，其登录已失效 · Disabled; their sessions ended`,
                          )
                        }
                      >
                        {u.disabled ? '启用 Enable' : '停用 Disable'}
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
        {msg && <Notice>{msg}</Notice>}
        <ErrorBox error={error} />
      </section>
      {me.canWrite && (
        <section class="card">
          <h2>
            <Bi zh="新增用户" en="Add a user" />
          </h2>
          <form class="row" onSubmit={create}>
            <Field zh="用户名" en="Username">
              <input
                value={f.username}
                required
                onInput={(e) => setF({ ...f, username: (e.target as HTMLInputElement).value })}
                data-testid="user-username"
              />
            </Field>
            <Field zh="姓名" en="Display name">
              <input
                value={f.displayName}
                required
                onInput={(e) => setF({ ...f, displayName: (e.target as HTMLInputElement).value })}
                data-testid="user-name"
              />
            </Field>
            <Field zh="角色" en="Role">
              <select
                value={f.role}
                onChange={(e) => setF({ ...f, role: (e.target as HTMLSelectElement).value as UserRow['role'] })}
                data-testid="user-role"
              >
                {Object.entries(ROLE).map(([k, v]) => (
                  <option value={k}>{v}</option>
                ))}
              </select>
            </Field>
            {f.role === 'merchant_admin' ? (
              <Field zh="商户" en="Merchant">
                <select value={f.merchantId} onChange={(e) => setF({ ...f, merchantId: (e.target as HTMLSelectElement).value })}>
                  <option value="">—</option>
                  {merchants.map((m) => (
                    <option value={m.id}>{m.name}</option>
                  ))}
                </select>
              </Field>
            ) : (
              <Field zh="工会" en="Union">
                <select
                  value={f.orgId}
                  onChange={(e) => setF({ ...f, orgId: (e.target as HTMLSelectElement).value })}
                  data-testid="user-org"
                >
                  {orgs.map((o) => (
                    <option value={o.id}>{o.name}</option>
                  ))}
                </select>
              </Field>
            )}
            <Field zh="初始密码" en="Password (8+)">
              <input
                type="password"
                value={f.password}
                required
                minLength={8}
                autocomplete="new-password"
                onInput={(e) => setF({ ...f, password: (e.target as HTMLInputElement).value })}
                data-testid="user-password"
              />
            </Field>
            <button class="primary" data-testid="user-add">
              创建 Create
            </button>
          </form>
        </section>
      )}
    </>
  );
}
