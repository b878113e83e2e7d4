/**
 * The member import template (issue 8, item 9) hands out no real or demo card number: its only card is
 * UnionPay's documented test PAN, its member numbers belong to nobody, and it still imports cleanly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPan } from '../../core/credentials.ts';
import { TEMPLATE_TEST_PAN } from '../../server/services/member-import.ts';
import { importCsv } from '../helpers/admin.ts';
import { DEMO, demoServer, login, type Api, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
let admin: Api & { token: string };

beforeAll(async () => {
  srv = await demoServer();
  admin = await login(srv.url, 'admin');
});
afterAll(() => srv.stop());

describe('GET /admin/members/import-template.csv', () => {
  it('carries no demo member or card, only the documented test PAN, and passes a dry-run import', async () => {
    const res = await admin('GET', '/api/v1/admin/members/import-template.csv');
    expect(res.status).toBe(200);
    const csv = res.text.replace(/^\ufeff/, '');
    for (const pan of [DEMO.activeCard, DEMO.notActivatedCard, DEMO.lostCard]) expect(csv).not.toContain(pan);
    expect(csv).not.toContain('62179966'); // the demo cards' BIN
    const rows = csv
      .trim()
      .split('\r\n')
      .map((l) => l.split(',').map((c) => c.replace(/^"|"$/g, '')));
    expect(rows[0]).toEqual(['member_no', 'name', 'union_id', 'status', 'card_pan', 'card_status', 'first_password']);
    const pans = rows
      .slice(1)
      .map((r) => r[4])
      .filter(Boolean);
    expect(pans).toEqual([TEMPLATE_TEST_PAN]);
    expect(TEMPLATE_TEST_PAN).toBe('6200000000000005'); // UnionPay's published test card number
    expect(isPan(TEMPLATE_TEST_PAN)).toBe(true);
    for (const r of rows.slice(1)) expect(await srv.ctx.store.memberByNo(r[0]!)).toBeUndefined();
    // Still a working example: a dry run of the file as downloaded finds nothing wrong.
    const job = await importCsv(srv.url, admin, res.text, { dryRun: true });
    expect(job.job).toMatchObject({ state: 'done', errors: [] });
  });
});
