/**
 * Uploaded offline redemptions are recomputed with the cited agreement version (issue 8, item 8): a
 * line that does not match is rejected with DISCOUNT_MISMATCH and its reason, and nothing is stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoServer, enroll, login, type Api, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
let hotel: Api;

beforeAll(async () => {
  srv = await demoServer();
  hotel = await enroll(srv.url, 't-hotel-1');
});
afterAll(() => srv.stop());

// A Wednesday, in the hotel agreement's Monday-to-Friday window: 1000 bps off gives 100 fen on 1,000.
const AT = '2026-11-25T11:00:00+08:00';
const line = (discountFen: number, o: Record<string, unknown> = {}) => ({
  agreementId: 'a-hotel',
  agreementVersion: 1,
  title: '会员9折',
  discountFen,
  funding: { merchantFen: discountFen, unionFen: 0 },
  ...o,
});
const sale = (key: string, o: Record<string, unknown> = {}) => ({
  idempotencyKey: `offline-recompute-${key}`,
  createdAt: AT,
  memberId: 'mbr-1',
  credentialType: 'member_no',
  amountFen: 1000,
  lines: [line(100)],
  discountFen: 100,
  payableFen: 900,
  snapshotIssuedAt: AT,
  ...o,
});
const upload = async (item: unknown) => (await hotel('POST', '/api/v1/redemptions/offline', { items: [item] })).body.results[0];

describe('offline uploads are recomputed with the cited version', () => {
  it.each([
    ['a 999,999-fen line on a 1,000-fen sale whose total looks right', sale('huge-line', { lines: [line(999_999)] })],
    ['a line and total below what the rules give', sale('too-little', { lines: [line(50)], discountFen: 50, payableFen: 950 })],
    ['a line whose funding does not add up', sale('funding', { lines: [line(100, { funding: { merchantFen: 0, unionFen: 0 } })] })],
    ['a total that is not the sum the rules give', sale('total', { discountFen: 0, payableFen: 1000 })],
    ['a sale outside the cited version’s window (a Saturday)', sale('saturday', { createdAt: '2026-11-28T11:00:00+08:00' })],
  ])('rejects %s, with the reason, and stores nothing', async (_what, item) => {
    const out = await upload(item);
    expect(out.outcome).toBe('rejected');
    expect(out.reasons).toEqual([expect.objectContaining({ code: 'DISCOUNT_MISMATCH', message: expect.any(String) })]);
    expect(out.redemption).toBeUndefined();
    const admin = await login(srv.url, 'admin');
    const listed = (await admin('GET', '/api/v1/redemptions?storeId=s-hotel-1')).body.items as any[];
    expect(listed.find((x) => x.idempotencyKey === item.idempotencyKey)).toBeUndefined();
  });

  it('names the figures in the reason', async () => {
    const out = await upload(sale('figures', { lines: [line(999_999)] }));
    expect(out.reasons[0].message).toContain('a-hotel@1: the rules give 100 fen');
    expect(out.reasons[0].message).toContain('999999');
  });

  it('accepts and stores the sale exactly as the rules give it', async () => {
    const out = await upload(sale('honest', { lines: [line(100, { title: 'anything the terminal wrote' })] }));
    expect(out.outcome).toBe('accepted');
    expect(out.redemption).toMatchObject({ offline: true, amountFen: 1000, discountFen: 100, payableFen: 900 });
    // The server's own line, with the offer's title, not the terminal's text.
    expect(out.redemption.lines).toEqual([
      {
        agreementId: 'a-hotel',
        agreementVersion: 1,
        title: '周一至周五住宿9折',
        discountFen: 100,
        funding: { merchantFen: 100, unionFen: 0 },
      },
    ]);
  });
});
