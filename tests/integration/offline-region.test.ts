/**
 * The offline snapshot is bounded by the store's region: a store in 泸定 (regionOrgId org-ld) carries 泸定's
 * members only, as compact rows with no names and no numbers. Offline, a 泸定 member is served; a 康定
 * member (a member of the same prefecture, covered by the same agreement online) is refused, never given a
 * discount the terminal cannot check, and nothing is queued for them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotPayloadSchema } from '../../core/wire-terminal.ts';
import { client, DEMO, demoServer, login, type TestServer } from '../helpers/server.ts';
import { TcpProxy } from '../helpers/tcp-proxy.ts';
import { simTerminal } from '../helpers/terminal.ts';

let srv: TestServer;
let proxy: TcpProxy;

beforeAll(async () => {
  srv = await demoServer({ now: () => new Date() });
  proxy = await new TcpProxy(srv.port).start();
});
afterAll(async () => {
  await proxy.cut();
  await srv.stop();
});

async function checkout(pos: ReturnType<typeof client>, amountFen: number, credential: unknown) {
  const id = (await pos('POST', '/api/v1/checkouts', { amountFen })).body.checkoutId as string;
  const quote = await pos('POST', `/api/v1/checkouts/${id}/credential`, credential);
  return { id, quote };
}

describe('offline snapshot by region', () => {
  it('without a region, a store carries the members of the union that registered its merchant (甘孜州), not the province', async () => {
    const term = await simTerminal(srv.url, 't-minmao-1');
    try {
      const raw = (await client(term.url)('GET', '/api/v1/status')).body;
      expect(raw.online).toBe(true);
      const p = term.snapshot.payload!;
      expect(p.format).toBe('huika-snapshot/2');
      expect(p.region).toEqual(['org-gz']);
      expect(new Set(p.members.map((m) => m.orgId))).toEqual(new Set(['org-kd', 'org-ld', 'org-db']));
      expect(p.members.map((m) => m.id)).not.toContain('mbr-5'); // 省直 (org-sczz): outside 甘孜州
    } finally {
      await term.close();
    }
  });

  it('a 泸定 store serves 泸定 members offline and refuses a 康定 member, with nothing queued for them', async () => {
    const admin = await login(srv.url, 'admin');
    const set = await admin('PUT', '/api/v1/admin/stores/s-minmao-2', { name: '民贸公司 泸定店', regionOrgId: 'org-ld' });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ id: 's-minmao-2', regionOrgId: 'org-ld' });
    // A union outside the caller's subtree, or an unknown one, is refused; a rename keeps the region.
    const gz = await login(srv.url, 'gz-auditor');
    expect((await gz('PUT', '/api/v1/admin/stores/s-minmao-2', { name: 'x', regionOrgId: 'org-ld' })).status).toBeGreaterThanOrEqual(400);
    expect((await admin('PUT', '/api/v1/admin/stores/s-minmao-2', { name: '民贸公司 泸定店', regionOrgId: 'org-nowhere' })).status).toBe(
      400,
    );
    expect((await admin('PUT', '/api/v1/admin/stores/s-minmao-2', { name: '民贸公司 泸定店' })).body.regionOrgId).toBe('org-ld');

    // What the server sends: compact rows, no names, no member or card numbers.
    const term = await simTerminal(proxy.url, 't-minmao-2');
    const pos = client(term.url);
    try {
      const p = term.snapshot.payload!;
      expect(p.region).toEqual(['org-ld']);
      expect(p.members.map((m) => [m.id, m.orgId])).toEqual([['mbr-2', 'org-ld']]);
      expect(p.cards.map((c) => c.memberId)).toEqual(['mbr-2']);
      // The file on the till's disk, as signed by the server.
      const text = readFileSync(join(term.dir, 'snapshot.json'), 'utf8');
      expect(snapshotPayloadSchema.parse(JSON.parse(JSON.parse(text).payload)).members).toHaveLength(1);
      for (const secret of ['李娜', '5133000025', DEMO.notActivatedCard, '张伟']) expect(text).not.toContain(secret);
      expect(p.members[0]!.h).toMatch(/^[A-Za-z0-9_-]{22}$/);

      await proxy.cut();
      const inRegion = await checkout(pos, 35000, { type: 'member_no', data: '5133000025' });
      expect(inRegion.quote.body).toMatchObject({
        offline: true,
        eligible: true,
        discountFen: 1750,
        member: { memberNoMasked: '5133****25' },
      });
      expect((await pos('POST', `/api/v1/checkouts/${inRegion.id}/confirm`, {})).body).toMatchObject({
        status: 'queued',
        discountFen: 1750,
      });

      // 康定's member, by number and by card: online the same agreement covers them; offline, no discount.
      for (const credential of [
        { type: 'member_no', data: DEMO.activeMember },
        { type: 'card_number', data: DEMO.activeCard },
      ]) {
        const out = await checkout(pos, 35000, credential);
        expect(out.quote.status).toBe(200);
        expect(out.quote.body).toMatchObject({ offline: true, eligible: false, discountFen: 0, payableFen: 35000, lines: [] });
        expect(out.quote.body.reasons[0]).toMatchObject({ code: 'OFFLINE_UNAVAILABLE' });
        expect(out.quote.body.reasons[0].message).toMatch(/不在本店离线名单.*online only/);
        const confirm = await pos('POST', `/api/v1/checkouts/${out.id}/confirm`, {});
        expect(confirm.body.status).not.toBe('queued');
      }
      expect((await pos('GET', '/api/v1/status')).body).toMatchObject({ online: false, queued: 1 });

      await proxy.restore();
      await term.sync();
      expect(term.outbox.entries().map((e) => e.state)).toEqual(['accepted']);
      // Back online, the 康定 member gets the agreement's discount from the server.
      const online = await checkout(pos, 35000, { type: 'member_no', data: DEMO.activeMember });
      expect(online.quote.body).toMatchObject({ offline: false, eligible: true });
      expect(online.quote.body.discountFen).toBeGreaterThanOrEqual(1750);
    } finally {
      await proxy.restore();
      await term.close();
      await admin('PUT', '/api/v1/admin/stores/s-minmao-2', { name: '民贸公司 泸定店', regionOrgId: null });
    }
  });
});
