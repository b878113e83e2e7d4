import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subAdmin } from '../helpers/admin.ts';
import { card, DEMO, demoServer, enroll, login, type Api, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
let admin: Api & { token: string };
let gzAdmin: Api & { token: string };
let till: Awaited<ReturnType<typeof enroll>>;

const NEW_PAN = '6217996600000000049';
const NEWER_PAN = '6217996600000000056';

beforeAll(async () => {
  srv = await demoServer();
  admin = await login(srv.url, 'admin');
  gzAdmin = await subAdmin(srv, 'org-gz');
  till = await enroll(srv.url, 't-xlk-1');
});
afterAll(() => srv.stop());

async function terminalSocket(): Promise<Socket> {
  const s = connect(srv.url, { auth: { token: till.token }, transports: ['websocket'] });
  await new Promise<void>((res, rej) => s.on('connect', () => res()).on('connect_error', rej));
  return s;
}
const quote = async (pan: string) => (await till('POST', '/api/v1/quotes', { credential: card(pan), amountFen: 10000 })).body;

describe('cards', () => {
  it('reports a card lost: terminals hear card:revoked at once, quotes say CARD_LOST, the trail has before/after', async () => {
    expect((await quote(DEMO.activeCard)).eligible).toBe(true);
    const socket = await terminalSocket();
    const revoked = new Promise<any>((res) => socket.on('card:revoked', res));
    const r = await gzAdmin('POST', '/api/v1/admin/cards/card-1/status', { status: 'lost' });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ id: 'card-1', memberId: 'mbr-1', last4: '0015', status: 'lost', updatedAt: srv.clock.now().toISOString() });
    expect(await revoked).toMatchObject({ cardId: 'card-1', last4: '0015', memberNoMasked: '5133****17', status: 'lost' });
    socket.close();
    expect((await quote(DEMO.activeCard)).reasons[0].code).toBe('CARD_LOST');
    const trail = await gzAdmin('GET', '/api/v1/admin/audit-trail?entity=card&id=card-1');
    expect(trail.body.items[0]).toMatchObject({
      action: 'card.report_lost',
      by: { username: 'admin-org-gz' },
      before: { status: 'activated', last4: '0015' },
      after: { status: 'lost' },
    });
    expect(trail.body.items[0].before.panHash).toBeUndefined();
    // Found again: reactivated, but only with a reason; without one the desk is told to give one or replace the card.
    const bare = await gzAdmin('POST', '/api/v1/admin/cards/card-1/status', { status: 'activated' });
    expect(bare.status).toBe(400);
    expect(bare.body.error.message).toMatch(/^挂失的卡要重新激活，须填写原因/);
    expect(bare.body.error.details).toEqual([{ path: 'reason', message: '必填 · required to reactivate a lost card' }]);
    expect((await quote(DEMO.activeCard)).reasons[0].code).toBe('CARD_LOST');
    expect(
      (await gzAdmin('POST', '/api/v1/admin/cards/card-1/status', { status: 'activated', reason: '会员找回原卡 member found it' })).body
        .status,
    ).toBe('activated');
    expect((await quote(DEMO.activeCard)).eligible).toBe(true);
  });

  it('issues a card, activates it, and replaces it: the old card is revoked and unknown at tills', async () => {
    const issued = await gzAdmin('POST', '/api/v1/admin/cards', { memberId: 'mbr-2', pan: NEW_PAN.replace(/(\d{4})/g, '$1 ').trim() });
    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({ memberId: 'mbr-2', last4: '0049', status: 'issued' });
    expect(issued.text).not.toContain(NEW_PAN);
    // Offline terminals recognise it too: the snapshot carries cards by their offline-key hash.
    expect((await srv.ctx.store.card(issued.body.id))!.offlineHash).toMatch(/^[0-9a-f]{64}$/);
    expect((await quote(NEW_PAN)).reasons[0].code).toBe('CARD_NOT_ACTIVATED');
    expect((await gzAdmin('POST', `/api/v1/admin/cards/${issued.body.id}/status`, { status: 'activated' })).body.status).toBe('activated');
    expect((await quote(NEW_PAN)).eligible).toBe(true);

    const socket = await terminalSocket();
    const revoked = new Promise<any>((res) => socket.on('card:revoked', res));
    const rep = await gzAdmin('POST', `/api/v1/admin/cards/${issued.body.id}/replace`, { pan: NEWER_PAN });
    expect(rep.status).toBe(201);
    expect(rep.body.old).toMatchObject({ id: issued.body.id, status: 'replaced' });
    expect(rep.body.card).toMatchObject({ memberId: 'mbr-2', last4: '0056', status: 'issued' });
    expect(await revoked).toMatchObject({ cardId: issued.body.id, status: 'replaced' });
    socket.close();
    expect((await quote(NEW_PAN)).reasons[0].code).toBe('CARD_UNKNOWN');
    expect((await gzAdmin('POST', `/api/v1/admin/cards/${issued.body.id}/status`, { status: 'activated' })).status).toBe(409);
    expect((await gzAdmin('POST', `/api/v1/admin/cards/${issued.body.id}/replace`, { pan: '6217996600000000064' })).status).toBe(409);
    const disk = readFileSync(join(srv.dir, 'state.json'), 'utf8') + readFileSync(join(srv.dir, 'audit.jsonl'), 'utf8');
    expect(disk).not.toContain(NEW_PAN);
    expect(disk).not.toContain(NEWER_PAN);
  });

  it('refuses a card number already registered, and a bad one', async () => {
    const dup = await gzAdmin('POST', '/api/v1/admin/cards', { memberId: 'mbr-1', pan: DEMO.lostCard });
    expect(dup.status).toBe(409);
    const bad = await gzAdmin('POST', '/api/v1/admin/cards', { memberId: 'mbr-1', pan: '6217996600000000016' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect(bad.text).not.toContain('6217996600000000016');
  });

  it('answers 404 for cards and members outside the union, and lists only its own', async () => {
    const sczz = await admin('POST', '/api/v1/admin/cards', { memberId: 'mbr-5', pan: '6217996600000000072' });
    expect(sczz.status).toBe(201);
    expect((await gzAdmin('POST', `/api/v1/admin/cards/${sczz.body.id}/status`, { status: 'lost' })).status).toBe(404);
    expect((await gzAdmin('POST', `/api/v1/admin/cards/${sczz.body.id}/replace`, { pan: '6217996600000000080' })).status).toBe(404);
    expect((await gzAdmin('POST', '/api/v1/admin/cards', { memberId: 'mbr-5', pan: '6217996600000000080' })).status).toBe(404);
    const kd = await login(srv.url, 'kd-auditor');
    const list = await kd('GET', '/api/v1/admin/cards');
    expect(list.body.items.map((c: any) => c.id)).toEqual(['card-1']);
    expect((await kd('GET', '/api/v1/admin/cards.csv')).text).not.toContain('0031');
    const all = await admin('GET', '/api/v1/admin/cards?status=lost');
    expect(all.body.items.map((c: any) => c.id)).toEqual(['card-3']);
    const csv = await admin('GET', '/api/v1/admin/cards.csv?status=lost');
    expect(csv.text).toContain('"card-3","0031","已挂失 lost","2026-11-25 12:00:00"');
    expect((await admin('GET', '/api/v1/admin/cards.csv?status=lost&format=raw')).text).toContain('"card-3","0031","lost"');
    expect(csv.text).not.toContain(DEMO.lostCard);
    // The old path terminals' integrators scripted against still works, in scope too.
    expect((await gzAdmin('POST', `/api/v1/cards/${sczz.body.id}/status`, { status: 'lost' })).status).toBe(404);
  });
});
