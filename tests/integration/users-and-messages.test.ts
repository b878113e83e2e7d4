/** Users can be disabled (sessions end, no sign-in) and their role changed; messages people read are Chinese first. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, demoServer, enroll, login, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
beforeAll(async () => {
  srv = await demoServer();
});
afterAll(async () => {
  await srv?.stop();
});

describe('users', () => {
  it('disables a user: its open session stops at once, sign-in is refused, enabling lets it sign in again', async () => {
    const admin = await login(srv.url, 'admin');
    const kd = await login(srv.url, 'kd-auditor');
    expect((await kd('GET', '/api/v1/portal/me')).status).toBe(200);
    const id = (await admin('GET', '/api/v1/admin/users')).body.items.find((u: { username: string }) => u.username === 'kd-auditor').id;
    const off = await admin('PUT', `/api/v1/admin/users/${id}`, { disabled: true });
    expect(off.status).toBe(200);
    expect(off.body.disabled).toBe(true);
    expect((await kd('GET', '/api/v1/portal/me')).status).toBe(401);
    expect((await client(srv.url)('POST', '/api/v1/session', { username: 'kd-auditor', password: 'demo-pass' })).status).toBe(401);
    expect((await admin('PUT', `/api/v1/admin/users/${id}`, { disabled: false })).body.disabled).toBe(false);
    expect(await login(srv.url, 'kd-auditor')).toBeTruthy();
    // An admin cannot disable itself.
    const me = (await admin('GET', '/api/v1/admin/me')).body.user.id;
    const self = await admin('PUT', `/api/v1/admin/users/${me}`, { disabled: true });
    expect(self.status).toBe(409);
    expect(self.body.error.message).toBe('不能停用自己 · You cannot disable yourself');
  });

  it('changes a role, and says in Chinese first that a username is taken', async () => {
    const admin = await login(srv.url, 'admin');
    const id = (await admin('GET', '/api/v1/admin/users')).body.items.find((u: { username: string }) => u.username === 'gz-auditor').id;
    const changed = await admin('PUT', `/api/v1/admin/users/${id}`, { role: 'admin' });
    expect(changed.body.role).toBe('admin');
    const taken = await admin('POST', '/api/v1/admin/users', {
      username: 'gz-auditor',
      displayName: 'x',
      role: 'union_auditor',
      orgId: 'org-gz',
      password: 'long-enough',
    });
    expect(taken.status).toBe(409);
    expect(taken.body.error.message).toBe('用户名 gz-auditor 已存在 · The username gz-auditor is taken');
  });
});

describe('validation messages', () => {
  it("are zod's zh-CN sentence, then the English one, field by field", async () => {
    const t = await enroll(srv.url, 't-xlk-1');
    const res = await t('POST', '/api/v1/quotes', { credential: { type: 'card_number', data: '6217996600000000015' }, amountFen: 'lots' });
    expect(res.status).toBe(400);
    expect(res.body.error.message.startsWith('请求内容无效 · The request body is not valid')).toBe(true);
    const amount = res.body.error.details.find((d: { path: string }) => d.path === 'amountFen');
    expect(amount.message).toBe('无效输入：期望 数字，实际接收 string · Invalid input: expected number, received string');
  });
});
