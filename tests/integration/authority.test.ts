/**
 * The attack of issue 8, replayed: an admin of 康定 (org-kd) tries to take over 民贸 (brought in by
 * org-gz). And what an agreement's scope gives and keeps once it ends (server/authority.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { subAdmin } from '../helpers/admin.ts';
import { demoServer, enroll, login, memberNo, redeem, type Api, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
let gz: Api & { token: string };
let kd: Api & { token: string };
let minmao: Api & { token: string };
const sockets: Socket[] = [];

async function listen(token: string): Promise<{ socket: Socket; heard: string[] }> {
  const socket = connect(srv.url, { auth: { token }, transports: ['websocket'] });
  sockets.push(socket);
  await new Promise<void>((res, rej) => socket.on('connect', () => res()).on('connect_error', rej));
  const heard: string[] = [];
  socket.on('redemption:committed', (r: { id: string }) => heard.push(r.id));
  return { socket, heard };
}

const kdAgreement = {
  id: 'a-kd-100',
  kind: 'agreement',
  merchantId: 'm-minmao',
  orgId: 'org-kd',
  title: '康定会员全免',
  rule: { kind: 'percent_off', bps: 10000 },
  unionShareBps: 0,
  status: 'active',
};

beforeAll(async () => {
  srv = await demoServer();
  gz = await subAdmin(srv, 'org-gz');
  kd = await subAdmin(srv, 'org-kd');
  minmao = await enroll(srv.url, 't-minmao-1');
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await srv.stop();
});

describe("one union's admin never acts on another's merchant", () => {
  it('refuses an org-kd admin every step of the seen attack on 民贸 (brought in by org-gz)', async () => {
    const before = await redeem(minmao, 10_000, memberNo());
    // Signing a 100% agreement at a merchant it did not bring in.
    expect((await kd('POST', '/api/v1/agreements', kdAgreement)).status).toBe(404);
    expect((await srv.ctx.store.offers()).some((o) => o.id === 'a-kd-100')).toBe(false);
    // Changing the merchant's existing terms.
    expect((await kd('PUT', '/api/v1/agreements/a-minmao', { rule: { kind: 'percent_off', bps: 10000 } })).status).toBe(404);
    // Seeing its redemptions, issuing a pairing code for its store, resetting its admin's password.
    expect((await kd('GET', '/api/v1/redemptions?merchantId=m-minmao')).status).toBe(404);
    expect((await kd('GET', `/api/v1/redemptions/${before.id}`)).status).toBe(404);
    expect((await kd('POST', '/api/v1/admin/terminals', { storeId: 's-minmao-1' })).status).toBe(404);
    expect((await kd('PUT', '/api/v1/admin/users/u-minmao-admin', { password: 'taken-over-1' })).status).toBe(404);
    expect((await kd('POST', '/api/v1/admin/stores', { id: 's-minmao-9', merchantId: 'm-minmao', name: '假店' })).status).toBe(404);
    expect((await login(srv.url, 'minmao-admin')).token).toBeTruthy(); // its password still works
  });

  it('records who brought a merchant in, and lets only that union (and those above) manage it', async () => {
    const m = await kd('POST', '/api/v1/admin/merchants', { id: 'm-kd-tea', name: '康定茶馆' });
    expect(m.body).toMatchObject({ id: 'm-kd-tea', orgId: 'org-kd' });
    expect((await kd('POST', '/api/v1/admin/stores', { id: 's-kd-tea-1', merchantId: 'm-kd-tea', name: '老街店' })).status).toBe(201);
    expect((await gz('PUT', '/api/v1/admin/stores/s-kd-tea-1', { name: '州里改名' })).status).toBe(200); // org-gz is above org-kd
    const ld = await subAdmin(srv, 'org-ld');
    expect((await ld('PUT', '/api/v1/admin/stores/s-kd-tea-1', { name: '泸定改名' })).status).toBe(404); // a sibling is not
    expect(
      (await ld('POST', '/api/v1/agreements', { ...kdAgreement, id: 'a-ld-tea', merchantId: 'm-kd-tea', orgId: 'org-ld' })).status,
    ).toBe(404);
  });
});

describe('what an agreement signed for a union gives, and what its end takes away', () => {
  it('gives read access and live events only; once ended, past redemptions stay readable and nothing more', async () => {
    // org-gz, which brought 民贸 in, signs an agreement there in org-kd's name: org-kd's users may now read 民贸's redemptions.
    expect(
      (
        await gz('POST', '/api/v1/agreements', {
          ...kdAgreement,
          id: 'a-kd',
          title: '康定会员97折',
          rule: { kind: 'percent_off', bps: 300 },
        })
      ).status,
    ).toBe(201);
    const auditor = await login(srv.url, 'kd-auditor');
    const kdEars = await listen(auditor.token);
    const gzEars = await listen((await login(srv.url, 'gz-auditor')).token);
    srv.clock.advance(60);
    const during = await redeem(minmao, 10_000, memberNo());
    await expect.poll(() => kdEars.heard).toContain(during.id);
    expect((await auditor('GET', `/api/v1/redemptions/${during.id}`)).status).toBe(200);
    // Reading is not managing: the agreement signed in its name gives org-kd's admin no say over 民贸.
    expect((await kd('PUT', '/api/v1/agreements/a-kd', { rule: { kind: 'percent_off', bps: 10000 } })).status).toBe(404);
    expect((await kd('POST', '/api/v1/admin/terminals', { storeId: 's-minmao-1' })).status).toBe(404);
    expect((await kd('PUT', '/api/v1/admin/users/u-minmao-admin', { password: 'taken-over-2' })).status).toBe(404);
    expect((await kd('GET', '/api/v1/merchant/terminals')).body.items).toEqual([]);
    expect((await kd('GET', '/api/v1/admin/merchants')).body.items.map((m: { id: string }) => m.id)).not.toContain('m-minmao');

    srv.clock.advance(60);
    expect((await gz('PUT', '/api/v1/agreements/a-kd', { status: 'ended' })).status).toBe(200);
    srv.clock.advance(60);
    const after = await redeem(minmao, 10_000, memberNo());
    await expect.poll(() => gzEars.heard).toContain(after.id);
    await kdEars.socket.emitWithAck('ping');
    expect(kdEars.heard).not.toContain(after.id); // no live events from an ended scope
    expect((await auditor('GET', `/api/v1/redemptions/${after.id}`)).status).toBe(404);
    expect((await auditor('GET', `/api/v1/redemptions/${during.id}`)).status).toBe(200);
    const list = await auditor('GET', '/api/v1/redemptions?merchantId=m-minmao&limit=1');
    expect(list.body.items.map((r: { id: string }) => r.id)).toEqual([during.id]);
    const next = await auditor('GET', `/api/v1/redemptions?merchantId=m-minmao&limit=1&cursor=${list.body.nextCursor}`);
    expect(next.status).toBe(200);
    expect(next.body.items.map((r: { id: string }) => r.id)).not.toContain(after.id);
    const csv = await auditor('GET', '/api/v1/redemptions.csv');
    expect(csv.text).toContain(during.id);
    expect(csv.text).not.toContain(after.id);
    // A socket opened after the end does not join 民贸's room either.
    const late = await listen(auditor.token);
    const third = await redeem(minmao, 10_000, memberNo());
    await expect.poll(() => gzEars.heard).toContain(third.id);
    await late.socket.emitWithAck('ping');
    expect(late.heard).toEqual([]);
  });
});
