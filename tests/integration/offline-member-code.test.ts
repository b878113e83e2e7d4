/**
 * A living member code used at two offline stores (a screenshot sent to a friend): the discount was
 * given at both tills, so both uploads are kept, but the second is flagged QR_REPLAYED, and a code
 * already redeemed online is flagged when it comes back offline. The nonce travels with the upload.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberCodeNonce, parseMemberCode } from '../../core/member-code.ts';
import { client, demoServer, enroll, login, newKey, type Api, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
let hotel1: Api;
let admin: Api;

beforeAll(async () => {
  srv = await demoServer();
  hotel1 = await enroll(srv.url, 't-hotel-1');
  admin = await login(srv.url, 'admin');
});
afterAll(() => srv.stop());

const AT = '2026-11-25T11:00:00+08:00';
const sale = (key: string, qrNonce?: string) => ({
  idempotencyKey: `offline-code-${key}`,
  createdAt: AT,
  memberId: 'mbr-1',
  credentialType: 'qr',
  amountFen: 1000,
  lines: [{ agreementId: 'a-hotel', agreementVersion: 1, title: '会员9折', discountFen: 100, funding: { merchantFen: 100, unionFen: 0 } }],
  discountFen: 100,
  payableFen: 900,
  snapshotIssuedAt: AT,
  ...(qrNonce ? { qrNonce } : {}),
});
const upload = async (t: Api, item: unknown) => (await t('POST', '/api/v1/redemptions/offline', { items: [item] })).body.results[0];

describe('a living code uploaded from offline terminals', () => {
  it('is counted once: the same code from a second upload is kept but flagged QR_REPLAYED', async () => {
    const nonce = 'm2.ABCDEFGH.59000001';
    const first = await upload(hotel1, sale('first', nonce));
    expect(first.outcome).toBe('accepted');
    const second = await upload(hotel1, sale('second', nonce));
    expect(second.outcome).toBe('flagged');
    expect(second.reasons.map((r: { code: string }) => r.code)).toContain('QR_REPLAYED');
    // Replaying the first upload (same key) is still the first, unflagged.
    expect((await upload(hotel1, sale('first', nonce))).outcome).toBe('accepted');
    const listed = (await admin('GET', '/api/v1/redemptions?storeId=s-hotel-1')).body.items as Array<{
      idempotencyKey: string;
      flags?: Array<{ code: string }>;
    }>;
    expect(listed.find((x) => x.idempotencyKey === 'offline-code-second')?.flags?.map((f) => f.code)).toContain('QR_REPLAYED');
  });

  it('flags an offline sale whose code was already redeemed online', async () => {
    const signIn = await client(srv.url)('POST', '/api/v1/member/session', { memberNo: '5133000017', password: 'demo-pass' });
    expect(signIn.status).toBe(200);
    const member = client(srv.url, signIn.body.token);
    const code = (await member('GET', '/api/v1/member/qr')).body.qr as string;
    const q = (await hotel1('POST', '/api/v1/quotes', { amountFen: 1000, credential: { type: 'qr', data: code } })).body;
    expect(q.eligible).toBe(true);
    expect((await hotel1('POST', '/api/v1/redemptions', { quoteId: q.quoteId, idempotencyKey: newKey() })).status).toBe(201);
    const out = await upload(hotel1, sale('after-online', memberCodeNonce(parseMemberCode(code)!)));
    expect(out.outcome).toBe('flagged');
    expect(out.reasons.map((r: { code: string }) => r.code)).toContain('QR_REPLAYED');
  });

  it('refuses a malformed nonce as a validation error, not a 5xx', async () => {
    const res = await hotel1('POST', '/api/v1/redemptions/offline', { items: [sale('bad', '__proto__')] });
    expect(res.status).toBe(400);
  });
});
