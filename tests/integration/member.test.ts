/** The member side over real HTTP: sign-in, living codes at terminals (replays, expiry, forgeries), my redemptions, feedback, complaints, resets. */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { derivedKeys, makeMemberCode, parseMemberCode, stepOf, unbase32 } from '../../core/member-code.ts';
import { snapshotPayloadSchema } from '../../core/wire-terminal.ts';
import { hmacSha256 } from '../../server/portal/member/hmac-sha256.ts';
import { nodeHmac } from '../../server/security/member-code.ts';
import { issueMemberQr, verifyMemberQr } from '../../server/security/member-qr.ts';
import { offlineQuote } from '../../terminal/offline-quote.ts';
import { offlineHash } from '../../core/offline-hash.ts';
import { Writable } from 'node:stream';
import { createLogger } from '../../server/logger.ts';
import { client, DEMO, demoServer, enroll, login, newKey, type Api, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
/** Every log line the server writes, at debug level: checked for passwords, codes and device keys. */
let logText = '';
let minmao1: Api;
let minmao2: Api;
let xlk: Api;

beforeAll(async () => {
  const sink = new Writable({ write: (chunk, _enc, done) => ((logText += String(chunk)), done()) });
  srv = await demoServer({ log: createLogger('debug', sink) });
  [minmao1, minmao2, xlk] = await Promise.all([enroll(srv.url, 't-minmao-1'), enroll(srv.url, 't-minmao-2'), enroll(srv.url, 't-xlk-1')]);
});
afterAll(async () => {
  await srv?.stop();
});

async function signIn(memberNo: string, password = 'demo-pass', deviceKey?: Buffer) {
  const res = await client(srv.url)('POST', '/api/v1/member/session', {
    memberNo,
    password,
    ...(deviceKey ? { deviceKey: deviceKey.toString('base64url') } : {}),
  });
  if (res.status !== 200) throw new Error(`member sign-in ${memberNo}: ${res.status} ${res.text}`);
  return Object.assign(client(srv.url, res.body.token), { body: res.body });
}

const qr = (data: string) => ({ type: 'qr', data });
async function quote(t: Api, data: string, amountFen = 20000) {
  return (await t('POST', '/api/v1/quotes', { credential: qr(data), amountFen })).body;
}
async function redeemCode(t: Api, data: string, amountFen = 20000) {
  const q = await quote(t, data, amountFen);
  return { q, r: await t('POST', '/api/v1/redemptions', { quoteId: q.quoteId, idempotencyKey: newKey() }) };
}

describe('member sign-in', () => {
  it('signs a demo member in with demo-pass, refuses a wrong password and a suspended member, and masks who it is', async () => {
    const m = await signIn(DEMO.activeMember);
    expect(m.body).toMatchObject({
      member: { maskedName: '张*', memberNoMasked: expect.not.stringContaining('5133000017'), orgId: 'org-kd' },
      passwordChangeRequired: false,
    });
    expect(m.body.token).toMatch(/^mt_/);
    const bad = await client(srv.url)('POST', '/api/v1/member/session', { memberNo: DEMO.activeMember, password: 'nope' });
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe('BAD_CREDENTIALS');
    const susp = await client(srv.url)('POST', '/api/v1/member/session', { memberNo: DEMO.suspendedMember, password: 'demo-pass' });
    expect(susp.status).toBe(403);
    expect(susp.body.error.code).toBe('MEMBER_SUSPENDED');
    // A member token is no portal token, and the reverse.
    expect((await m('GET', '/api/v1/redemptions')).status).toBe(401);
    const auditor = await login(srv.url, 'gz-auditor');
    expect((await auditor('GET', '/api/v1/member/redemptions')).status).toBe(401);
  });

  it('after 10 failures for one number from one address, refuses even the right password with 429 and Retry-After', async () => {
    const anon = client(srv.url);
    for (let i = 0; i < 10; i++)
      expect((await anon('POST', '/api/v1/member/session', { memberNo: DEMO.sczzMember, password: `wrong-${i}` })).status).toBe(401);
    const blocked = await anon('POST', '/api/v1/member/session', { memberNo: DEMO.sczzMember, password: 'demo-pass' });
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('RATE_LIMITED');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another member is not blocked by it.
    expect((await anon('POST', '/api/v1/member/session', { memberNo: '5133000025', password: 'demo-pass' })).status).toBe(200);
  });
});

describe('living member code at the till', () => {
  it('is accepted once, online, and names the member without carrying the number', async () => {
    const m = await signIn(DEMO.activeMember);
    const code = (await m('GET', '/api/v1/member/qr')).body;
    expect(code.qr).toMatch(/^HK2[A-Z2-7]{37}$/);
    expect(code.qr).not.toContain('5133000017');
    expect(Date.parse(code.expiresAt) - srv.clock.ms).toBeLessThanOrEqual(60_000);
    const { q, r } = await redeemCode(minmao1, code.qr);
    expect(q).toMatchObject({ eligible: true, member: { maskedName: '张*' } });
    expect(r.status).toBe(201);
    expect(r.body.credentialType).toBe('qr');
    // The same code again: at the same store, at another store of the merchant, at another merchant.
    for (const t of [minmao1, minmao2, xlk]) expect((await quote(t, code.qr)).reasons[0].code).toBe('QR_REPLAYED');
  });

  it('refuses, at commit, a code quoted at two stores before either redeemed', async () => {
    const m = await signIn(DEMO.activeMember);
    srv.clock.advance(30); // a new step: a new code
    const code = (await m('GET', '/api/v1/member/qr')).body.qr;
    const q1 = await quote(minmao1, code);
    const q2 = await quote(xlk, code);
    expect(q1.eligible && q2.eligible).toBe(true);
    expect((await minmao1('POST', '/api/v1/redemptions', { quoteId: q1.quoteId, idempotencyKey: newKey() })).status).toBe(201);
    const second = await xlk('POST', '/api/v1/redemptions', { quoteId: q2.quoteId, idempotencyKey: newKey() });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('QR_REPLAYED');
  });

  it('refuses a screenshot shown a minute later as expired', async () => {
    const m = await signIn(DEMO.activeMember);
    srv.clock.advance(30);
    const code = (await m('GET', '/api/v1/member/qr')).body.qr;
    srv.clock.advance(61);
    expect((await quote(minmao1, code)).reasons[0]).toMatchObject({ code: 'QR_EXPIRED' });
  });

  it('refuses forgeries: a changed character, a code under a guessed key, and one made with only the offline key a snapshot holds', async () => {
    const phoneKey = randomBytes(32);
    const m = await signIn(DEMO.activeMember, 'demo-pass', phoneKey);
    srv.clock.advance(30);
    const deviceId = unbase32(m.body.device.id)!;
    const step = stepOf(srv.clock.ms);
    const good = makeMemberCode(hmacSha256, derivedKeys(hmacSha256, phoneKey), deviceId, step);
    const flipped = good.slice(0, 15) + (good[15] === 'A' ? 'B' : 'A') + good.slice(16);
    expect((await quote(minmao1, flipped)).reasons[0].code).toBe('QR_INVALID');
    const guessed = makeMemberCode(nodeHmac, derivedKeys(nodeHmac, randomBytes(32)), deviceId, step);
    expect((await quote(minmao1, guessed)).reasons[0].code).toBe('QR_INVALID');
    // A stolen terminal's snapshot: the offline key makes a code offline terminals would take; the server does not.
    const snap = snapshotPayloadSchema.parse(JSON.parse((await minmao1('GET', '/api/v1/terminal/snapshot')).body.payload));
    const entry = snap.memberCodes.find((d) => d.d === m.body.device.id)!;
    expect(entry).toBeDefined();
    const offlineKey = Buffer.from(entry.k, 'hex');
    const forged = makeMemberCode(nodeHmac, { online: offlineKey, offline: offlineKey }, deviceId, step);
    expect((await quote(minmao1, forged)).reasons[0].code).toBe('QR_INVALID');
    // The code the phone itself made is accepted.
    const { q, r } = await redeemCode(minmao1, good);
    expect(q.eligible).toBe(true);
    expect(r.status).toBe(201);
  });

  it('is verified offline from the snapshot, accepted once there, and refused when forged or stale', async () => {
    const phoneKey = randomBytes(32);
    const m = await signIn('5133000025', 'demo-pass', phoneKey);
    const snapText = (await minmao1('GET', '/api/v1/terminal/snapshot')).body.payload as string;
    expect(snapText).not.toContain(phoneKey.toString('hex'));
    expect(snapText).not.toContain(phoneKey.toString('base64url'));
    const snap = snapshotPayloadSchema.parse(JSON.parse(snapText));
    const now = srv.clock.now();
    const code = makeMemberCode(hmacSha256, derivedKeys(hmacSha256, phoneKey), unbase32(m.body.device.id)!, stepOf(now.getTime()));
    const base = {
      snapshot: snap,
      hash: (kind: 'pan' | 'member', v: string) => offlineHash(snap.offlineKey, kind, v),
      amountFen: 20000,
      revokedCardIds: new Set<string>(),
      limits: { perCardPerDay: 5, maxQueued: 100, maxDiscountFen: 100_000 },
    };
    const parsed = { kind: 'qr' as const, token: code };
    const ok = offlineQuote({ ...base, now, credential: parsed, queued: [] });
    expect(ok).toMatchObject({ eligible: true, discountFen: 1000, member: { orgId: 'org-ld' } });
    // Queued once: the same code again at this terminal is a replay.
    const again = offlineQuote({
      ...base,
      now,
      credential: parsed,
      queued: [{ memberId: ok.member!.id, createdAt: now.toISOString(), offerIds: ['a-minmao'] }],
    });
    expect(again.reasons[0]!.code).toBe('QR_REPLAYED');
    const later = new Date(now.getTime() + 61_000);
    expect(offlineQuote({ ...base, now: later, credential: parsed, queued: [] }).reasons[0]!.code).toBe('QR_EXPIRED');
    const p = parseMemberCode(code)!;
    const forged = makeMemberCode(nodeHmac, derivedKeys(nodeHmac, randomBytes(32)), unbase32(p.deviceId)!, p.step);
    expect(offlineQuote({ ...base, now, credential: { kind: 'qr', token: forged }, queued: [] }).reasons[0]!.code).toBe('QR_INVALID');
  });

  it("the console's HK1 token carries the member number only enciphered, and is still accepted once", async () => {
    const a = issueMemberQr(srv.ctx.secrets, DEMO.activeMember, srv.clock.ms);
    const b = issueMemberQr(srv.ctx.secrets, DEMO.activeMember, srv.clock.ms);
    for (const t of [a, b]) expect(t).not.toContain(DEMO.activeMember);
    expect(a.split('.')[2]).not.toBe(b.split('.')[2]);
    expect(verifyMemberQr(srv.ctx.secrets, a, srv.clock.ms)).toMatchObject({ ok: true, memberNo: DEMO.activeMember });
    const { q, r } = await redeemCode(minmao1, a);
    expect(q.eligible).toBe(true);
    expect(r.status).toBe(201);
    expect((await quote(minmao2, a)).reasons[0].code).toBe('QR_REPLAYED');
  });

  it('stops working everywhere once the phone signs out', async () => {
    const m = await signIn(DEMO.activeMember);
    srv.clock.advance(30);
    const code = (await m('GET', '/api/v1/member/qr')).body.qr;
    expect((await m('DELETE', '/api/v1/member/session')).status).toBe(204);
    expect((await m('GET', '/api/v1/member/qr')).status).toBe(401);
    expect((await quote(minmao1, code)).reasons[0].code).toBe('QR_INVALID');
  });

  it('a signed-out phone: online refusal at once; an offline terminal refuses it from its next snapshot on', async () => {
    const phoneKey = randomBytes(32);
    const m = await signIn('5133000025', 'demo-pass', phoneKey);
    srv.clock.advance(30);
    const deviceId = m.body.device.id as string;
    const snapshot = async () => snapshotPayloadSchema.parse(JSON.parse((await minmao1('GET', '/api/v1/terminal/snapshot')).body.payload));
    const before = await snapshot();
    expect(before.memberCodes.some((d) => d.d === deviceId)).toBe(true);
    const now = srv.clock.now();
    // A code the phone makes on its own, e.g. with no network: what a screenshot of it would carry.
    const code = makeMemberCode(hmacSha256, derivedKeys(hmacSha256, phoneKey), unbase32(deviceId)!, stepOf(now.getTime()));
    const offline = (snap: typeof before) =>
      offlineQuote({
        snapshot: snap,
        hash: (kind: 'pan' | 'member', v: string) => offlineHash(snap.offlineKey, kind, v),
        amountFen: 20000,
        revokedCardIds: new Set<string>(),
        limits: { perCardPerDay: 5, maxQueued: 100, maxDiscountFen: 100_000 },
        now,
        credential: { kind: 'qr', token: code },
        queued: [],
      });
    expect(offline(before).eligible).toBe(true);
    expect((await m('DELETE', '/api/v1/member/session')).status).toBe(204);
    // The server refuses it at the very next quote.
    expect((await quote(minmao1, code)).reasons[0].code).toBe('QR_INVALID');
    expect((await quote(xlk, code)).reasons[0].code).toBe('QR_INVALID');
    // A terminal still on the old snapshot would take it (the window is the snapshot interval); the next one has no such device.
    const after = await snapshot();
    expect(after.memberCodes.some((d) => d.d === deviceId)).toBe(false);
    expect(offline(after).reasons[0]!.code).toBe('QR_INVALID');
  });

  it('an admin reset or a new password cuts the other phones codes off at once', async () => {
    const keyA = randomBytes(32);
    const keyB = randomBytes(32);
    const a = await signIn('5133000033', 'demo-pass', keyA);
    const b = await signIn('5133000033', 'demo-pass', keyB);
    srv.clock.advance(30);
    const step = stepOf(srv.clock.ms);
    const codeOf = (key: Buffer, d: string) => makeMemberCode(hmacSha256, derivedKeys(hmacSha256, key), unbase32(d)!, step);
    const admin = await login(srv.url, 'admin');
    const reset = (await admin('POST', '/api/v1/admin/members/mbr-3/activation-code', {})).body.activationCode as string;
    for (const c of [codeOf(keyA, a.body.device.id), codeOf(keyB, b.body.device.id)])
      expect((await quote(minmao1, c)).reasons[0].code).toBe('QR_INVALID');
    // The member sets a password on one phone, signs in on another; changing it again cuts the other one off.
    const act = await signIn('5133000033', reset);
    const set = await act('POST', '/api/v1/member/password', { current: reset, next: 'wang-fang-pass-1' });
    const keyC = randomBytes(32);
    const c = await signIn('5133000033', 'wang-fang-pass-1', keyC);
    const first = client(srv.url, set.body.token);
    expect((await first('POST', '/api/v1/member/password', { current: 'wang-fang-pass-1', next: 'wang-fang-pass-2' })).status).toBe(200);
    expect((await quote(minmao1, codeOf(keyC, c.body.device.id))).reasons[0].code).toBe('QR_INVALID');
    // The phone that changed it keeps working.
    expect((await first('GET', '/api/v1/member/qr')).status).toBe(200);
  });
});

describe('my redemptions and feedback', () => {
  it("lists only the member's own, takes feedback once, and refuses another member's redemption as not found", async () => {
    const zhang = await signIn(DEMO.activeMember);
    const li = await signIn('5133000025');
    srv.clock.advance(30);
    const { r } = await redeemCode(xlk, (await li('GET', '/api/v1/member/qr')).body.qr, 15000);
    expect(r.status).toBe(201);
    const mine = (await li('GET', '/api/v1/member/redemptions')).body.items;
    expect(mine.map((x: any) => x.id)).toContain(r.body.id);
    expect(mine.every((x: any) => x.memberNoMasked === mine[0].memberNoMasked)).toBe(true);
    expect(mine[0]).toMatchObject({ merchantName: '小龙坎老火锅', receiptUrl: expect.stringMatching(/^\/r\/rd-\d+\?h=[0-9a-f]{16}$/) });
    const zhangs = (await zhang('GET', '/api/v1/member/redemptions')).body.items;
    expect(zhangs.map((x: any) => x.id)).not.toContain(r.body.id);
    const receipt = await client(srv.url)('GET', mine[0].receiptUrl);
    expect(receipt.status).toBe(200);

    expect((await zhang('POST', `/api/v1/member/redemptions/${r.body.id}/feedback`, { rating: 1, honoured: false })).status).toBe(404);
    const fb = await li('POST', `/api/v1/member/redemptions/${r.body.id}/feedback`, {
      rating: 2,
      honoured: false,
      comment: '没打折 no discount given',
    });
    expect(fb.status).toBe(201);
    expect(fb.body).toMatchObject({ rating: 2, honoured: false, complaint: { status: 'open' } });
    expect(fb.body.memberId).toBeUndefined();
    const twice = await li('POST', `/api/v1/member/redemptions/${r.body.id}/feedback`, { rating: 5, honoured: true });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('FEEDBACK_EXISTS');
    expect((await li('POST', `/api/v1/member/redemptions/${r.body.id}/feedback`, { rating: 6, honoured: true })).status).toBe(400);
    expect((await li('GET', '/api/v1/member/redemptions')).body.items.find((x: any) => x.id === r.body.id).feedback).toMatchObject({
      rating: 2,
    });

    // The merchant sees it without who gave it; another merchant does not; the union answers and closes it.
    const xlkAdmin = await login(srv.url, 'xlk-admin');
    const seen = (await xlkAdmin('GET', '/api/v1/feedback')).body;
    expect(seen.items.map((x: any) => x.redemptionId)).toContain(r.body.id);
    expect(JSON.stringify(seen)).not.toMatch(/memberId|mbr-2|5133000025|李/);
    expect(seen.summary).toMatchObject({ count: 1, averageRating: 2, notHonoured: 1 });
    // Paged (limit, cursor = the last id shown): the one item, no next page; nothing older than it; a bad limit refused.
    const paged = (await xlkAdmin('GET', '/api/v1/feedback?limit=1')).body;
    expect(paged.items.map((x: any) => x.id)).toEqual([seen.items[0].id]);
    expect(paged.nextCursor).toBeUndefined();
    expect((await xlkAdmin('GET', `/api/v1/feedback?limit=5&cursor=${seen.items[0].id}`)).body).toMatchObject({
      items: [],
      summary: { count: 0 },
    });
    expect((await xlkAdmin('GET', '/api/v1/feedback?limit=0')).body.error.code).toBe('VALIDATION_FAILED');
    const minmaoAdmin = await login(srv.url, 'minmao-admin');
    expect((await minmaoAdmin('GET', '/api/v1/feedback')).body.items.map((x: any) => x.redemptionId)).not.toContain(r.body.id);
    expect((await minmaoAdmin('GET', '/api/v1/feedback?merchantId=m-xlk')).status).toBe(404);
    const id = seen.items[0].id;
    expect((await xlkAdmin('POST', `/api/v1/feedback/${id}/answer`, { answer: 'x' })).status).toBe(403);
    const auditor = await login(srv.url, 'gz-auditor');
    expect((await auditor('POST', `/api/v1/feedback/${id}/close`, {})).status).toBe(409); // open → answered first
    const answered = await auditor('POST', `/api/v1/feedback/${id}/answer`, {
      answer: '已联系商户补差价 Merchant refunded the difference',
    });
    expect(answered.body.complaint).toMatchObject({ status: 'answered', answeredBy: 'gz-auditor' });
    const closed = await auditor('POST', `/api/v1/feedback/${id}/close`, {});
    expect(closed.body.complaint).toMatchObject({ status: 'closed', closedBy: 'gz-auditor', closedAt: expect.any(String) });
    const grades = (await auditor('GET', '/api/v1/feedback/grades')).body;
    expect(grades.rule.zh).toContain('星级');
    expect(grades.monthly.find((x: any) => x.merchantId === 'm-xlk').months[0]).toMatchObject({ count: 1, averageRating: 2 });
  });
});

describe('a union resets a password', () => {
  it('issues a one-time activation code, signs every phone out, and lets the member choose a password with it', async () => {
    const before = await signIn(DEMO.activeMember);
    const admin = await login(srv.url, 'admin');
    const reset = await admin('POST', '/api/v1/admin/members/mbr-1/activation-code', {});
    expect(reset.status).toBe(200);
    const code = reset.body.activationCode as string;
    expect(code).toMatch(/^[A-Z2-9]{5}-[A-Z2-9]{5}$/);
    expect((await before('GET', '/api/v1/member/me')).status).toBe(401);
    // demo-pass no longer works: the member has a credential now.
    expect((await client(srv.url)('POST', '/api/v1/member/session', { memberNo: DEMO.activeMember, password: 'demo-pass' })).status).toBe(
      401,
    );
    const act = await signIn(DEMO.activeMember, code.toLowerCase().replace('-', ' '));
    expect(act.body.passwordChangeRequired).toBe(true);
    expect((await act('GET', '/api/v1/member/qr')).body.error.code).toBe('PASSWORD_CHANGE_REQUIRED');
    expect((await act('POST', '/api/v1/member/password', { current: code, next: 'short' })).status).toBe(400);
    const set = await act('POST', '/api/v1/member/password', { current: code, next: 'my-own-pass-1' });
    expect(set.status).toBe(200);
    expect((await client(srv.url, set.body.token)('GET', '/api/v1/member/qr')).status).toBe(200);
    // The code worked once: it is gone with the new password.
    expect((await client(srv.url)('POST', '/api/v1/member/session', { memberNo: DEMO.activeMember, password: code })).status).toBe(401);
    const phone2 = await signIn(DEMO.activeMember, 'my-own-pass-1');
    // Changing the password again from the first phone signs the second one out.
    const first = client(srv.url, set.body.token);
    expect((await first('POST', '/api/v1/member/password', { current: 'my-own-pass-1', next: 'my-own-pass-2' })).status).toBe(200);
    expect((await phone2('GET', '/api/v1/member/me')).status).toBe(401);
    expect((await first('GET', '/api/v1/member/me')).status).toBe(200);
    // Nothing of the password, the code or a device key is in the data directory in clear; the trail says who reset it.
    const disk = ['member-side.json', 'state.json', 'audit.jsonl'].map((f) => readFileSync(join(srv.dir, f), 'utf8')).join('\n');
    expect(disk).not.toContain('my-own-pass-1');
    expect(disk).not.toContain(code);
    expect(disk).toContain('member.password-reset');
    const csv = await admin('POST', '/api/v1/admin/members/activation-codes', { orgId: 'org-sczz' });
    expect(csv.status).toBe(200);
    expect(csv.text).toContain('5101000064');
    expect((await admin('POST', '/api/v1/admin/members/activation-codes', { orgId: 'org-sczz' })).text).not.toContain('5101000064');
  });
});

describe('logs', () => {
  it('hold no member password, activation code or device key', async () => {
    const key = randomBytes(32);
    const m = await signIn('5133000025', 'demo-pass', key);
    expect((await client(srv.url)('POST', '/api/v1/member/session', { memberNo: '5133000025', password: 'not-the-pass-xyz' })).status).toBe(
      401,
    );
    const admin = await login(srv.url, 'admin');
    const code = (await admin('POST', '/api/v1/admin/members/mbr-2/activation-code', {})).body.activationCode as string;
    const act = await signIn('5133000025', code);
    await act('POST', '/api/v1/member/password', { current: code, next: 'secret-of-li-na' });
    expect(m.body.token).toBeTruthy();
    expect(logText.length).toBeGreaterThan(0);
    for (const secret of ['demo-pass', 'not-the-pass-xyz', code, 'secret-of-li-na', key.toString('base64url'), key.toString('hex')])
      expect(logText).not.toContain(secret);
  });
});
