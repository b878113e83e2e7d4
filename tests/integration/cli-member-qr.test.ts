import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyMemberQr } from '../../server/security/member-qr.ts';
import { demoServer, enroll, newKey, type TestServer } from '../helpers/server.ts';

const run = promisify(execFile);
let srv: TestServer;
beforeAll(async () => {
  srv = await demoServer({ now: () => new Date() });
});
afterAll(() => srv.stop());

describe('huika member-qr', () => {
  it('prints a token the running server accepts once, and draws it', async () => {
    const { stdout, stderr } = await run('node', ['bin/huika.js', 'member-qr', '5133000017', '--data', srv.dir]);
    const token = stdout.trim();
    expect(verifyMemberQr(srv.ctx.secrets, token)).toMatchObject({ ok: true, memberNo: '5133000017' });
    expect(stderr).toContain('valid for 60 s');
    expect(stderr).toMatch(/[█▀▄]/);
    const t = await enroll(srv.url, 't-xlk-1');
    const q = await t('POST', '/api/v1/quotes', { credential: { type: 'qr', data: token }, amountFen: 5000 });
    expect(q.body).toMatchObject({ eligible: true, discountFen: 500 });
    expect((await t('POST', '/api/v1/redemptions', { quoteId: q.body.quoteId, idempotencyKey: newKey() })).status).toBe(201);
  });

  it('refuses a malformed or unknown member number with one clear line', async () => {
    await expect(run('node', ['bin/huika.js', 'member-qr', '5133000018', '--data', srv.dir])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('Luhn'),
    });
    await expect(run('node', ['bin/huika.js', 'member-qr', '5133000058', '--data', srv.dir])).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('no member 5133000058'),
    });
  });
});
