/** Helpers for the administration tests: CSV uploads, import jobs, and admins of a sub-union. */
import { expect } from 'vitest';
import type { User } from '../../core/domain.ts';
import { hashPassword } from '../../server/security/hashing.ts';
import { login, type Api, type TestServer } from './server.ts';

export async function upload(base: string, token: string, csv: string | Buffer, opts: { dryRun?: boolean; fileName?: string } = {}) {
  const qs = new URLSearchParams({ dryRun: opts.dryRun ? '1' : '0', fileName: opts.fileName ?? 'members.csv' });
  const res = await fetch(`${base}/api/v1/admin/members/import?${qs}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
    body: typeof csv === 'string' ? csv : new Uint8Array(csv),
  });
  return { status: res.status, body: (await res.json()) as any };
}

/** Polls the import job until it finishes; returns it and every progress snapshot seen. */
export async function finish(api: Api, jobId: string) {
  const seen: { processed: number; total: number; phase: string }[] = [];
  for (;;) {
    const r = await api('GET', `/api/v1/admin/imports/${jobId}`);
    expect(r.status).toBe(200);
    seen.push({ processed: r.body.processed, total: r.body.total, phase: r.body.phase });
    if (r.body.state !== 'running') return { job: r.body, seen };
    await new Promise((res) => setTimeout(res, 20));
  }
}

export async function importCsv(base: string, api: Api & { token: string }, csv: string | Buffer, opts: { dryRun?: boolean } = {}) {
  const up = await upload(base, api.token, csv, opts);
  expect(up.status).toBe(202);
  return finish(api, up.body.id);
}

/** An admin user of a union below the root, created straight in the store (the users API is tested separately). */
export async function subAdmin(srv: TestServer, orgId: string, role: User['role'] = 'admin'): Promise<Api & { token: string }> {
  const username = `${role}-${orgId}`;
  if (!(await srv.ctx.store.userByUsername(username))) {
    const r = await srv.ctx.store.admin.saveUser(
      {
        id: `u-${username}`,
        username,
        displayName: username,
        role,
        orgId,
        merchantId: null,
        passwordHash: await hashPassword('demo-pass'),
        demoOnly: true,
      },
      { userId: 'u-test', username: 'test', at: srv.clock.now() },
      'create',
    );
    expect(r.kind).toBe('ok');
  }
  return login(srv.url, username);
}

/** A Luhn check digit for a digit string (member numbers and PANs in generated files). */
export function withCheckDigit(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) d *= 2;
    if (d > 9) d -= 9;
    sum += d;
  }
  return body + ((10 - (sum % 10)) % 10);
}
