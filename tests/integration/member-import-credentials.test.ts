/**
 * Members imported by CSV get a way in: a first password from the file's first_password column (changed at
 * the first sign-in), or else a one-time activation code the importer downloads once after the import.
 * Neither is kept, logged or written to the audit trail in clear.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../server/logger.ts';
import { importCsv, subAdmin, withCheckDigit } from '../helpers/admin.ts';
import { client, demoServer, login, type Api, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
let admin: Api & { token: string };
let logText = '';

const A = withCheckDigit('520000001');
const B = withCheckDigit('520000002');
const C = withCheckDigit('520000003');
const D = withCheckDigit('520000004');
const FIRST_A = 'Erste-Pass-A-7731';
const FIRST_SCZZ = 'Sczz-first-9902';

beforeAll(async () => {
  const sink = new Writable({ write: (chunk, _enc, done) => ((logText += String(chunk)), done()) });
  srv = await demoServer({ log: createLogger('debug', sink) });
  admin = await login(srv.url, 'admin');
});
afterAll(async () => {
  await srv?.stop();
});

const signIn = (memberNo: string, password: string) => client(srv.url)('POST', '/api/v1/member/session', { memberNo, password });
const disk = () => ['member-side.json', 'state.json', 'audit.jsonl'].map((f) => readFileSync(join(srv.dir, f), 'utf8')).join('\n');

describe('first passwords and activation codes for imported members', () => {
  let jobId: string;
  let codes: Map<string, string>;

  it('a dry run checks first passwords and sets none', async () => {
    const csv = ['会员号,姓名,工会编号,状态,初始密码', `${A},导入甲,org-kd,active,${FIRST_A}`].join('\n');
    const { job } = await importCsv(srv.url, admin, csv, { dryRun: true });
    expect(job).toMatchObject({ state: 'done', written: false, errorCount: 0 });
    expect(job.firstPasswords).toBeUndefined();
    expect(job.activationCodes).toBeUndefined();
    expect((await signIn(A, FIRST_A)).status).toBe(401);
  });

  it('refuses a first password that is too short without echoing it back', async () => {
    const csv = ['member_no,name,union_id,status,first_password', `${A},导入甲,org-kd,active,short7x`].join('\n');
    const { job } = await importCsv(srv.url, admin, csv);
    expect(job.written).toBe(false);
    expect(job.errors).toEqual([expect.objectContaining({ line: 2, field: 'first_password' })]);
    expect(job.errors[0].value).toBeUndefined();
    expect(JSON.stringify(job)).not.toContain('short7x');
  });

  it('sets the first password of a member who has none, and never over a password the member chose', async () => {
    // 5101000064 (demo, org-sczz) already chose a password: a re-import must not reset it.
    const admin2 = await login(srv.url, 'admin');
    const reset = (await admin2('POST', '/api/v1/admin/members/mbr-5/activation-code', {})).body;
    const act = client(srv.url, (await signIn('5101000064', reset.activationCode)).body.token);
    expect((await act('POST', '/api/v1/member/password', { current: reset.activationCode, next: 'chen-own-pass' })).status).toBe(200);

    const csv = [
      '会员号,姓名,工会编号,状态,初始密码',
      `${A},导入甲,org-kd,active,${FIRST_A}`,
      `${B},导入乙,org-kd,active,`,
      `${C},导入丙,org-ld,active,`,
      `${D},导入丁,org-ld,suspended,`,
      `5101000064,陈静,org-sczz,active,${FIRST_SCZZ}`,
    ].join('\n');
    const { job } = await importCsv(srv.url, admin, csv);
    expect(job).toMatchObject({ state: 'done', written: true, errorCount: 0 });
    expect(job.firstPasswords).toEqual({ set: 1, skipped: 1 });
    // B and C have no way in yet; D is suspended and gets no code.
    expect(job.activationCodes).toEqual({ pending: 2 });
    expect(JSON.stringify(job)).not.toContain(FIRST_A);
    jobId = job.id;

    expect((await signIn('5101000064', FIRST_SCZZ)).status).toBe(401);
    expect((await signIn('5101000064', 'chen-own-pass')).status).toBe(200);

    const first = await signIn(A, FIRST_A);
    expect(first.status).toBe(200);
    expect(first.body.passwordChangeRequired).toBe(true);
    const phone = client(srv.url, first.body.token);
    expect((await phone('GET', '/api/v1/member/qr')).body.error.code).toBe('PASSWORD_CHANGE_REQUIRED');
    const changed = await phone('POST', '/api/v1/member/password', { current: FIRST_A, next: 'a-chose-this-1' });
    expect(changed.status).toBe(200);
    expect((await client(srv.url, changed.body.token)('GET', '/api/v1/member/qr')).status).toBe(200);
    // The first password worked once: gone with the member's own.
    expect((await signIn(A, FIRST_A)).status).toBe(401);
    expect((await signIn(A, 'a-chose-this-1')).body.passwordChangeRequired).toBe(false);
  });

  it('hands the import its activation codes once, only to the importer', async () => {
    const other = await subAdmin(srv, 'org-gz');
    expect((await other('POST', `/api/v1/admin/imports/${jobId}/activation-codes`, {})).status).toBe(404);
    const res = await admin('POST', `/api/v1/admin/imports/${jobId}/activation-codes`, {});
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const lines = res.text
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toContain('member_no');
    codes = new Map(
      lines.slice(1).map((l) => {
        const cells = l.split(',');
        return [cells[0]!.replace(/"/g, ''), cells.at(-1)!.replace(/"/g, '')];
      }),
    );
    expect([...codes.keys()].sort()).toEqual([B, C].sort());
    for (const c of codes.values()) expect(c).toMatch(/^[A-Z2-9]{5}-[A-Z2-9]{5}$/);
    const again = await admin('POST', `/api/v1/admin/imports/${jobId}/activation-codes`, {});
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('CONFLICT');
    expect((await admin('GET', `/api/v1/admin/imports/${jobId}`)).body.activationCodes).toMatchObject({
      pending: 0,
      downloadedAt: expect.any(String),
    });
    // The union-wide sheet does not hand B's code out a second time.
    expect((await admin('POST', '/api/v1/admin/members/activation-codes', { orgId: 'org-kd' })).text).not.toContain(B);

    const b = await signIn(B, codes.get(B)!.toLowerCase());
    expect(b.status).toBe(200);
    expect(b.body.passwordChangeRequired).toBe(true);
    expect((await signIn(C, codes.get(B)!)).status).toBe(401); // B's code is no good for C
  });

  it('keeps no first password or activation code in clear on disk, in the audit trail or in the logs', async () => {
    const text = disk();
    for (const secret of [FIRST_A, FIRST_SCZZ, 'a-chose-this-1', ...codes.values()]) {
      expect(text).not.toContain(secret);
      expect(logText).not.toContain(secret);
    }
    const audit = readFileSync(join(srv.dir, 'audit.jsonl'), 'utf8');
    expect(audit).toContain('first_password on 2 rows');
  });

  it('answers 409 for an import that left nobody waiting for a code, and 404 for an unknown one', async () => {
    const csv = ['member_no,name,union_id,status,first_password', `${withCheckDigit('520000005')},导入戊,org-kd,active,${FIRST_A}`].join(
      '\n',
    );
    const { job } = await importCsv(srv.url, admin, csv);
    expect(job.activationCodes).toBeUndefined();
    expect((await admin('POST', `/api/v1/admin/imports/${job.id}/activation-codes`, {})).status).toBe(409);
    expect((await admin('POST', '/api/v1/admin/imports/imp-nope/activation-codes', {})).status).toBe(404);
  });
});
