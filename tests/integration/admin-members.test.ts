import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finish, importCsv, subAdmin, upload, withCheckDigit } from '../helpers/admin.ts';
import { DEMO, demoServer, enroll, login, memberNo, type Api, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
let admin: Api & { token: string };
let gzAdmin: Api & { token: string };

beforeAll(async () => {
  srv = await demoServer();
  admin = await login(srv.url, 'admin');
  gzAdmin = await subAdmin(srv, 'org-gz');
});
afterAll(() => srv.stop());

const HEADER = 'member_no,name,union_id,status,card_pan,card_status';
const stateText = () => readFileSync(join(srv.dir, 'state.json'), 'utf8');
const memberCount = async (api: Api = admin) => (await api('GET', '/api/v1/admin/members?limit=1')).body.total as number;

describe('member CSV import', () => {
  it('dry run reports what would change and writes nothing', async () => {
    const before = stateText();
    const csv = [HEADER, '5133000058,赵敏,org-ld,active,,', '5133000017,张伟,org-kd,suspended,,'].join('\n');
    const { job } = await importCsv(srv.url, gzAdmin, csv, { dryRun: true });
    expect(job).toMatchObject({ state: 'done', dryRun: true, written: false, errorCount: 0, processed: 2, total: 2 });
    expect(job.summary).toMatchObject({ membersCreated: 1, membersUpdated: 1 });
    expect(stateText()).toBe(before);
    expect((await admin('GET', '/api/v1/admin/members?q=5133000058')).body.total).toBe(0);
  });

  it('refuses a whole file when any row is bad, and reports each bad row by line and field', async () => {
    const before = stateText();
    const total = await memberCount();
    const csv = [
      HEADER,
      '5133000058,赵敏,org-ld,active,,', // good, but must not be written
      '5133000059,钱多,org-ld,active,,', // check digit wrong
      '5133000066,孙丽,org-nowhere,active,,', // union unknown (not in scope)
      '5133000074,,org-kd,maybe,6217996600000000099,', // empty name, bad status, PAN fails Luhn
      '5133000058,赵敏,org-ld,active,,', // duplicate of line 2
      '"5133000082","周, 杰","org-kd","active","",""', // good, quoted with a comma
    ].join('\r\n');
    const { job } = await importCsv(srv.url, gzAdmin, csv);
    expect(job).toMatchObject({ state: 'done', written: false, processed: 6 });
    expect(job.summary).toBeUndefined();
    const byLine = (l: number) =>
      job.errors
        .filter((e: any) => e.line === l)
        .map((e: any) => e.field)
        .sort();
    expect(byLine(3)).toEqual(['member_no']);
    expect(byLine(4)).toEqual(['union_id']);
    expect(byLine(5)).toEqual(['card_pan', 'name', 'status']);
    expect(byLine(6)).toEqual(['member_no']);
    expect(byLine(2)).toEqual([]);
    expect(byLine(7)).toEqual([]);
    expect(job.errorCount).toBe(6);
    expect(JSON.stringify(job)).not.toContain('6217996600000000099');
    expect(stateText()).toBe(before);
    expect(await memberCount()).toBe(total);
  });

  it('refuses a card number that belongs to another member, found only against the stored data', async () => {
    const before = stateText();
    const csv = [HEADER, `5133000058,赵敏,org-ld,active,${DEMO.activeCard},activated`].join('\n');
    const { job } = await importCsv(srv.url, gzAdmin, csv);
    expect(job.errors).toEqual([expect.objectContaining({ line: 2, field: 'card_pan' })]);
    expect(stateText()).toBe(before);
  });

  it('refuses a file without the required columns before reading its rows', async () => {
    const { job } = await importCsv(srv.url, gzAdmin, 'member_no,name\n5133000058,赵敏\n');
    expect(job.errors.map((e: any) => e.field).sort()).toEqual(['status', 'union_id']);
    expect(job.written).toBe(false);
  });

  it('imports 5,000 rows in one write with progress, hashing card numbers and keeping none', async () => {
    const rows = [HEADER];
    const pans: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const no = withCheckDigit(`52${String(i).padStart(7, '0')}`);
      const pan = i % 2 === 0 ? withCheckDigit(`62179970${String(i).padStart(10, '0')}`) : '';
      if (pan) pans.push(pan);
      rows.push(`${no},会员${i},${['org-kd', 'org-ld', 'org-db'][i % 3]},active,${pan},${pan ? 'activated' : ''}`);
    }
    const total = await memberCount();
    const { job, seen } = await importCsv(srv.url, gzAdmin, rows.join('\n'));
    expect(job).toMatchObject({ state: 'done', written: true, errorCount: 0, processed: 5000, total: 5000 });
    expect(job.summary).toEqual({ membersCreated: 5000, membersUpdated: 0, membersUnchanged: 0, cardsIssued: 2500, cardsUpdated: 0 });
    for (const s of seen) expect(s.processed).toBeLessThanOrEqual(s.total);
    expect(await memberCount()).toBe(total + 5000);
    // An imported card works at a till at once.
    const t = await enroll(srv.url, 't-xlk-1');
    const q = await t('POST', '/api/v1/quotes', { credential: { type: 'card_number', data: pans[7]! }, amountFen: 10000 });
    expect(q.body).toMatchObject({ eligible: true, discountFen: 1000 });
    const imported = (
      await srv.ctx.store.admin.members({ orgIds: new Set(['org-kd', 'org-ld', 'org-db']), q: pans[7]!.slice(-4), offset: 0, limit: 10 })
    ).items;
    const cards = (await Promise.all(imported.map((m) => srv.ctx.store.admin.cardsOf(m.id)))).flat();
    expect(cards.length).toBeGreaterThan(0);
    for (const c of cards) expect(c.offlineHash).toMatch(/^[0-9a-f]{64}$/);
    // PANs reach neither the state, the audit trail, nor any answer.
    const disk = stateText() + readFileSync(join(srv.dir, 'audit.jsonl'), 'utf8');
    for (const p of [pans[0]!, pans[1249]!, pans[2499]!]) expect(disk).not.toContain(p);
    const trail = await gzAdmin('GET', '/api/v1/admin/audit-trail?entity=import&limit=1');
    expect(trail.body.items[0]).toMatchObject({
      action: 'members.import',
      by: { username: 'admin-org-gz' },
      after: { summary: { membersCreated: 5000 } },
    });
    expect(trail.body.items[0].after.createdMemberNos).toHaveLength(5000);
  });

  it('reads a GB18030 (Excel zh-CN) file with Chinese column names', async () => {
    const text = '会员号,姓名,工会编号,状态\r\n5133000090,欧阳娜娜,org-db,正常\r\n';
    const asGb = encodeGb18030(text);
    expect(asGb.toString('utf8')).not.toBe(text); // really not UTF-8
    const { job } = await importCsv(srv.url, gzAdmin, asGb);
    expect(job).toMatchObject({ written: true, errorCount: 0 });
    const found = await gzAdmin('GET', '/api/v1/admin/members?q=5133000090');
    expect(found.body.items[0]).toMatchObject({ name: '欧阳娜娜', orgId: 'org-db', status: 'active' });
  });

  it('shows an import job only to the user who started it', async () => {
    const up = await upload(srv.url, gzAdmin.token, `${HEADER}\n5133000017,张伟,org-kd,active,,`, { dryRun: true });
    await finish(gzAdmin, up.body.id);
    expect((await admin('GET', `/api/v1/admin/imports/${up.body.id}`)).status).toBe(404);
  });
});

describe('member search, suspension and scope', () => {
  it('suspends a member so tills refuse them, recording before and after', async () => {
    const t = await enroll(srv.url, 't-dicos-1');
    const s = await gzAdmin('POST', '/api/v1/admin/members/mbr-1/status', { status: 'suspended' });
    expect(s.status).toBe(200);
    expect(s.body).toMatchObject({ id: 'mbr-1', status: 'suspended', cards: [{ id: 'card-1', last4: '0015' }] });
    expect((await t('POST', '/api/v1/quotes', { credential: memberNo(), amountFen: 1000 })).body.reasons[0].code).toBe('MEMBER_SUSPENDED');
    const trail = await admin('GET', '/api/v1/admin/audit-trail?entity=member&id=mbr-1');
    expect(trail.body.items[0]).toMatchObject({
      action: 'member.suspend',
      by: { username: 'admin-org-gz' },
      before: { status: 'active' },
      after: { status: 'suspended' },
    });
    expect((await gzAdmin('POST', '/api/v1/admin/members/mbr-1/status', { status: 'active' })).body.status).toBe('active');
    expect((await t('POST', '/api/v1/quotes', { credential: memberNo(), amountFen: 1000 })).body.eligible).toBe(true);
  });

  it('searches by member number, name and card last 4', async () => {
    expect((await admin('GET', '/api/v1/admin/members?q=5133000025')).body.items.map((m: any) => m.name)).toEqual(['李娜']);
    expect((await admin('GET', '/api/v1/admin/members?q=王芳')).body.items.map((m: any) => m.memberNo)).toEqual(['5133000033']);
    expect((await admin('GET', '/api/v1/admin/members?q=0031')).body.items.map((m: any) => m.id)).toEqual(['mbr-3']);
    expect((await admin('GET', '/api/v1/admin/members?status=suspended&orgId=org-kd')).body.items.map((m: any) => m.id)).toEqual(['mbr-4']);
  });

  it('lets a union see and export only its subtree; anything else is 404', async () => {
    const kd = await login(srv.url, 'kd-auditor');
    const list = await kd('GET', '/api/v1/admin/members?limit=500');
    expect(list.status).toBe(200);
    expect(new Set(list.body.items.map((m: any) => m.orgId))).toEqual(new Set(['org-kd']));
    expect((await kd('GET', '/api/v1/admin/members/mbr-2')).status).toBe(404); // org-ld
    expect((await kd('GET', '/api/v1/admin/members?orgId=org-ld')).status).toBe(404);
    expect((await gzAdmin('GET', '/api/v1/admin/members/mbr-5')).status).toBe(404); // org-sczz
    expect((await gzAdmin('POST', '/api/v1/admin/members/mbr-5/status', { status: 'suspended' })).status).toBe(404);
    expect((await gzAdmin('GET', '/api/v1/admin/members.csv?orgId=org-sczz')).status).toBe(404);
    const csv = await kd('GET', '/api/v1/admin/members.csv?format=raw');
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.text.startsWith('"member_no","name","union_id","union_name","status","cards"\r\n')).toBe(true);
    const raw = Buffer.from(
      await (await fetch(`${srv.url}/api/v1/admin/members.csv`, { headers: { authorization: `Bearer ${kd.token}` } })).arrayBuffer(),
    );
    expect([...raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // BOM: Excel in zh-CN reads UTF-8
    expect(csv.text).toContain('"5133000017","张伟","org-kd","康定市总工会","active","****0015 activated"');
    expect(csv.text).not.toContain('5133000025');
    expect(csv.text).not.toContain('5101000064');
    const orgs = await kd('GET', '/api/v1/admin/orgs');
    expect(orgs.body.items.map((o: any) => o.id)).toEqual(['org-kd']);
  });

  it('lets auditors read but not change, and keeps merchant admins out', async () => {
    const kd = await login(srv.url, 'kd-auditor');
    expect((await kd('POST', '/api/v1/admin/members/mbr-1/status', { status: 'suspended' })).status).toBe(403);
    expect((await upload(srv.url, kd.token, `${HEADER}\n`)).status).toBe(403);
    const mm = await login(srv.url, 'minmao-admin');
    expect((await mm('GET', '/api/v1/admin/members')).status).toBe(403);
  });

  it('neutralises spreadsheet formulas in exported names', async () => {
    const { job } = await importCsv(srv.url, gzAdmin, `${HEADER}\n5133000108,"=HYPERLINK(""http://x"")",org-kd,active,,`);
    expect(job.written).toBe(true);
    const csv = await gzAdmin('GET', '/api/v1/admin/members.csv?q=5133000108&format=raw');
    expect(csv.text).toContain(`"'=HYPERLINK(""http://x"")"`);
  });
});

function encodeGb18030(s: string): Buffer {
  // Node has a GB18030 decoder but no encoder: build the bytes of the few characters used here by search.
  const dec = new TextDecoder('gb18030');
  const out: number[] = [];
  for (const ch of s) {
    if (ch.charCodeAt(0) < 0x80) {
      out.push(ch.charCodeAt(0));
      continue;
    }
    let found: number[] | undefined;
    for (let a = 0x81; a <= 0xfe && !found; a++) {
      for (let b = 0x40; b <= 0xfe; b++) {
        if (dec.decode(new Uint8Array([a, b])) === ch) {
          found = [a, b];
          break;
        }
      }
    }
    if (!found) throw new Error(`no GB18030 code for ${ch}`);
    out.push(...found);
  }
  return Buffer.from(out);
}
