import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, DEMO, demoServer, login, tempDir, type TestServer } from '../helpers/server.ts';
import { TcpProxy } from '../helpers/tcp-proxy.ts';
import { simTerminal, until } from '../helpers/terminal.ts';

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

describe('terminal offline', () => {
  it('serves merchant discounts from the snapshot during an outage, never union money, and uploads with the same keys', async () => {
    const term = await simTerminal(proxy.url, 't-minmao-2');
    const pos = client(term.url);
    try {
      expect(term.snapshot.payload?.members.length).toBeGreaterThan(0);
      await proxy.cut();

      const a = await checkout(pos, 35000, { type: 'card_number', data: DEMO.activeCard });
      expect(a.quote.status).toBe(200);
      expect(a.quote.body).toMatchObject({ offline: true, eligible: true, discountFen: 1750, payableFen: 33250 });
      expect(a.quote.body.lines.map((l: any) => l.agreementId)).toEqual(['a-minmao']);
      expect(a.quote.body.skipped).toContainEqual(expect.objectContaining({ agreementId: 'c-wuyi', code: 'OFFLINE_UNION_FUNDED' }));
      const ra = await pos('POST', `/api/v1/checkouts/${a.id}/confirm`, {});
      expect(ra.body).toMatchObject({ status: 'queued', offline: true, discountFen: 1750 });

      const b = await checkout(pos, 2000, { type: 'member_no', data: DEMO.activeMember });
      const rb = await pos('POST', `/api/v1/checkouts/${b.id}/confirm`, {});
      expect(rb.body.status).toBe('queued');
      // Third offline use of the same member today: the terminal's own offline limit (2 a day).
      const c = await checkout(pos, 2000, { type: 'member_no', data: DEMO.activeMember });
      expect(c.quote.body).toMatchObject({ offline: true, eligible: false, reasons: [expect.objectContaining({ code: 'LIMIT_REACHED' })] });
      // Lost, not activated, suspended and QR are all refused offline, with reasons, not HTTP errors.
      expect((await checkout(pos, 2000, { type: 'card_number', data: DEMO.lostCard })).quote.body.reasons[0].code).toBe('CARD_LOST');
      expect((await checkout(pos, 2000, { type: 'member_no', data: DEMO.suspendedMember })).quote.body.reasons[0].code).toBe(
        'MEMBER_SUSPENDED',
      );
      const qr = await checkout(pos, 2000, { type: 'qr', data: 'HK1.k1.5133000017.x.AAAAAAAA.BBBBBBBBBBBBBBBB' });
      expect(qr.quote.body).toMatchObject({ eligible: false, reasons: [expect.objectContaining({ code: 'OFFLINE_UNAVAILABLE' })] });
      expect((await pos('GET', '/api/v1/status')).body).toMatchObject({ online: false, queued: 2 });

      await proxy.restore();
      await term.sync();
      expect(term.outbox.entries().map((e) => e.state)).toEqual(['accepted', 'accepted']);
      const admin = await login(srv.url, 'minmao-admin');
      const list = (await admin('GET', '/api/v1/redemptions?storeId=s-minmao-2')).body.items;
      const uploaded = list.filter((x: any) => x.offline);
      expect(uploaded.map((x: any) => x.idempotencyKey).sort()).toEqual([ra.body.idempotencyKey, rb.body.idempotencyKey].sort());
      expect(uploaded.find((x: any) => x.idempotencyKey === ra.body.idempotencyKey)).toMatchObject({
        offline: true,
        discountFen: 1750,
        cardLast4: '0015',
        lines: [expect.objectContaining({ funding: { merchantFen: 1750, unionFen: 0 } })],
      });
      // Uploading again changes nothing: same keys, same records.
      await term.sync();
      expect((await admin('GET', '/api/v1/redemptions?storeId=s-minmao-2')).body.items.filter((x: any) => x.offline)).toHaveLength(2);
    } finally {
      await proxy.restore();
      await term.close();
    }
  });

  it('flags an offline sale on a card that was reported lost while the terminal could not hear it', async () => {
    const term = await simTerminal(proxy.url, 't-xlk-1');
    const pos = client(term.url);
    const admin = await login(srv.url, 'admin');
    try {
      await proxy.cut();
      // Said, not assumed: the whole test rests on the card being lost before the sale.
      expect((await admin('POST', '/api/v1/cards/card-1/status', { status: 'lost' })).body.status).toBe('lost');
      const a = await checkout(pos, 10000, { type: 'card_number', data: DEMO.activeCard });
      expect(a.quote.body).toMatchObject({ offline: true, eligible: true, discountFen: 1000 });
      expect((await pos('POST', `/api/v1/checkouts/${a.id}/confirm`, {})).body.status).toBe('queued');
      await proxy.restore();
      // Wait for the upload, not for one sync: a sync the socket's reconnect started may be the one term.sync()
      // joins, and on a crowded machine any one attempt may find the server slow (the terminal retries; so do we).
      const entry = await until(async () => {
        await term.sync();
        const [e] = term.outbox.entries();
        return e && e.state !== 'pending' ? e : undefined;
      }, 'the offline sale uploaded');
      expect(entry).toMatchObject({ state: 'flagged', reasons: [expect.objectContaining({ code: 'CARD_LOST' })] });
      const red = await admin('GET', `/api/v1/redemptions/${entry.serverId}`);
      expect(red.body.flags).toEqual([expect.objectContaining({ code: 'CARD_LOST' })]);
      // Now online again, the card is refused at once.
      expect((await checkout(pos, 10000, { type: 'card_number', data: DEMO.activeCard })).quote.body.reasons[0].code).toBe('CARD_LOST');
    } finally {
      // Put back for the tests after this one, and say so if that fails rather than leave a lost card behind.
      const back = await admin('POST', '/api/v1/cards/card-1/status', { status: 'activated', reason: 'found again' });
      await proxy.restore();
      await term.close();
      expect(back.body.status).toBe('activated');
    }
  });

  it('keeps a queued redemption through a kill -9 of the terminal and uploads it after restart', async () => {
    const dir = tempDir('huika-term-kill-');
    const startProc = async () => {
      const proc = spawn(
        'node',
        [
          'bin/huika.js',
          'terminal',
          '--server',
          proxy.url,
          '--pairing-code',
          'PAIR-T-DICOS-1',
          '--simulate',
          '--port',
          '0',
          '--data',
          dir,
          '--log-level',
          'warn',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const url = await new Promise<string>((res, rej) => {
        createInterface({ input: proc.stdout! }).on('line', (l) => {
          const m = /cashier page (http:\/\/\S+?)\/ /.exec(l);
          if (m) res(m[1]!);
        });
        proc.once('exit', (code) => rej(new Error(`terminal exited ${code}`)));
      });
      return { proc, pos: client(url) };
    };
    let t = await startProc();
    try {
      await proxy.cut();
      const a = await checkout(t.pos, 50000, { type: 'member_no', data: DEMO.activeMember });
      expect(a.quote.body).toMatchObject({ offline: true, eligible: true, discountFen: 10000 });
      const r = await t.pos('POST', `/api/v1/checkouts/${a.id}/confirm`, {});
      expect(r.body.status).toBe('queued');
      t.proc.kill('SIGKILL');
      await new Promise((res) => t.proc.once('exit', res));

      await proxy.restore();
      t = await startProc();
      const admin = await login(srv.url, 'admin');
      const found = await until(async () => {
        const items = (await admin('GET', '/api/v1/redemptions?storeId=s-dicos-1')).body.items as any[];
        return items.find((x) => x.idempotencyKey === r.body.idempotencyKey);
      }, 'the queued redemption to be uploaded');
      expect(found).toMatchObject({ offline: true, discountFen: 10000, terminalId: 't-dicos-1' });
      expect((await t.pos('GET', '/api/v1/status')).body.queued).toBe(0);
    } finally {
      t.proc.kill('SIGKILL');
      await proxy.restore();
    }
  });

  it('refuses a second terminal process on the same data directory', async () => {
    const term = await simTerminal(proxy.url, 't-cinema-1');
    try {
      await expect(simTerminal(proxy.url, 't-cinema-1', { dataDir: term.dir })).rejects.toMatchObject({ code: 'DATA_DIR_LOCKED' });
    } finally {
      await term.close();
    }
  });
});

describe('server side of offline uploads', () => {
  it("rejects what cannot be true: union money, another merchant's offer, an inflated discount, an unknown member", async () => {
    const t = await (await import('../helpers/server.ts')).enroll(srv.url, 't-hotel-1');
    const base = {
      idempotencyKey: 'offline-test-0001',
      createdAt: new Date().toISOString(),
      memberId: 'mbr-1',
      credentialType: 'member_no',
      amountFen: 10000,
      lines: [{ agreementId: 'a-hotel', agreementVersion: 1, title: 'x', discountFen: 1000, funding: { merchantFen: 1000, unionFen: 0 } }],
      discountFen: 1000,
      payableFen: 9000,
      snapshotIssuedAt: new Date().toISOString(),
    };
    const send = async (over: Record<string, unknown>) =>
      (await t('POST', '/api/v1/redemptions/offline', { items: [{ ...base, ...over }] })).body.results[0];
    expect(
      await send({
        idempotencyKey: 'offline-test-u',
        lines: [
          {
            agreementId: 'c-wuyi',
            agreementVersion: 1,
            title: 'x',
            discountFen: 1000,
            funding: { merchantFen: 0, unionFen: 1000, campaignId: 'c-wuyi' },
          },
        ],
      }),
    ).toMatchObject({ outcome: 'rejected', reasons: [expect.objectContaining({ code: 'NO_AGREEMENT' })] });
    expect(await send({ idempotencyKey: 'offline-test-x', lines: [{ ...base.lines[0], agreementId: 'a-xlk' }] })).toMatchObject({
      outcome: 'rejected',
    });
    expect(
      await send({
        idempotencyKey: 'offline-test-d',
        discountFen: 5000,
        payableFen: 5000,
        lines: [{ ...base.lines[0], discountFen: 5000, funding: { merchantFen: 5000, unionFen: 0 } }],
      }),
    ).toMatchObject({ outcome: 'rejected', reasons: [expect.objectContaining({ code: 'DISCOUNT_MISMATCH' })] });
    expect(await send({ idempotencyKey: 'offline-test-m', memberId: 'mbr-nope' })).toMatchObject({
      outcome: 'rejected',
      reasons: [expect.objectContaining({ code: 'CARD_UNKNOWN' })],
    });
    const bad = await t('POST', '/api/v1/redemptions/offline', { items: [{ ...base, amountFen: 'lots' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
  });
});
