/**
 * Storage guarantees with real files and real processes (shared/DESIGN.md "Invariants"):
 * acknowledged redemptions survive kill -9, one process per data directory, damaged files are refused
 * and left untouched, a torn ledger tail is recovered, edits to the ledger are found, and card data
 * never reaches disk or logs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { client, DEMO, enroll, login, newKey, type Api } from '../helpers/server.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'huika.js');

const dirs: string[] = [];
const procs = new Set<ChildProcess>();
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'huika-durability-'));
  dirs.push(d);
  return d;
}

interface Proc {
  proc: ChildProcess;
  pid: number;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}
interface Served extends Proc {
  url: string;
}

function launch(dir: string, logLevel = 'warn'): Proc {
  const proc = spawn(process.execPath, [BIN, 'server', '--data', dir, '--demo', '--port', '0', '--log-level', logLevel], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  procs.add(proc);
  let out = '';
  let err = '';
  proc.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  proc.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => {
      procs.delete(proc);
      resolve({ code, signal });
    }),
  );
  return { proc, pid: proc.pid!, stdout: () => out, stderr: () => err, exited };
}

/** Starts `huika server` and resolves once it prints its URL; rejects with its output if it exits first. */
async function serve(dir: string, logLevel = 'warn'): Promise<Served> {
  const p = launch(dir, logLevel);
  const url = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const m = /Huika server: (http:\/\/127\.0\.0\.1:\d+)/.exec(p.stdout());
      if (m) {
        p.proc.stdout!.off('data', check);
        resolve(m[1]!);
      }
    };
    p.proc.stdout!.on('data', check);
    void p.exited.then(({ code, signal }) =>
      reject(new Error(`server exited (${code ?? signal}) before listening:\n${p.stdout()}\n${p.stderr()}`)),
    );
  });
  return { ...p, url };
}

/** Runs `huika server` expecting it to refuse to start. */
async function refusal(dir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = launch(dir);
  const { code } = await p.exited;
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}

async function kill9(p: Proc): Promise<void> {
  p.proc.kill('SIGKILL');
  await p.exited; // reaped: its pid is really gone, not a zombie
}

async function stop(p: Proc): Promise<void> {
  p.proc.kill('SIGTERM');
  const { code } = await p.exited;
  expect(code).toBe(0);
}

afterEach(async () => {
  for (const p of [...procs]) {
    p.kill('SIGKILL');
    await new Promise((r) => p.once('exit', r));
  }
});
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Quotes the demo active card at the terminal's merchant and redeems it. */
async function quoteAndRedeem(
  t: Api,
  amountFen = 10000,
  credential: { type: string; data: string } = { type: 'card_number', data: DEMO.activeCard },
) {
  const q = await t('POST', '/api/v1/quotes', { credential, amountFen });
  if (q.status !== 200 || !q.body.eligible) throw new Error(`quote: ${q.status} ${q.text}`);
  const key = newKey();
  const r = await t('POST', '/api/v1/redemptions', { quoteId: q.body.quoteId, idempotencyKey: key });
  if (r.status !== 201) throw new Error(`redeem: ${r.status} ${r.text}`);
  return { quoteId: q.body.quoteId as string, key, body: r.body };
}

const ledgerLines = (dir: string) =>
  readFileSync(join(dir, 'ledger.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l !== '');

describe('durability with real processes', () => {
  it('keeps every acknowledged redemption through kill -9 in the middle of a load', async () => {
    const dir = tempDir();
    const srv = await serve(dir);
    const t = await enroll(srv.url, 't-xlk-1');

    const acked = new Map<string, { quoteId: string; body: any }>();
    const unknown = new Map<string, string>(); // key → quoteId of requests cut off by the kill
    let inFlight = 0;
    let inFlightAtKill = -1;
    let killed = false;
    const kill = () => {
      if (killed) return;
      killed = true;
      inFlightAtKill = inFlight;
      srv.proc.kill('SIGKILL');
    };
    const deadline = setTimeout(kill, 3000); // bounds the load, asserts nothing about speed
    const worker = async (w: number) => {
      for (let i = 0; !killed; i++) {
        const key = `load-${w}-${i}`;
        let quoteId: string | undefined;
        inFlight++;
        try {
          const q = await t('POST', '/api/v1/quotes', {
            credential: { type: 'card_number', data: DEMO.activeCard },
            amountFen: 10000 + w * 100 + (i % 100),
          });
          if (q.status !== 200) throw new Error(`quote ${q.status} ${q.text}`);
          quoteId = q.body.quoteId as string;
          const r = await t('POST', '/api/v1/redemptions', { quoteId, idempotencyKey: key });
          if (r.status !== 201) throw new Error(`redeem ${r.status} ${r.text}`);
          acked.set(key, { quoteId, body: r.body });
        } catch (err) {
          if (!killed) throw err;
          if (quoteId) unknown.set(key, quoteId);
          return;
        } finally {
          inFlight--;
        }
        if (acked.size >= 200) kill();
      }
    };
    await Promise.all(Array.from({ length: 16 }, (_, w) => worker(w)));
    clearTimeout(deadline);
    const { signal } = await srv.exited;
    expect(signal).toBe('SIGKILL');
    expect(inFlightAtKill).toBeGreaterThan(0); // the kill really cut requests off
    expect(acked.size).toBeGreaterThanOrEqual(16);

    const again = await serve(dir);
    const t2 = client(again.url, t.token); // the terminal's token survived too
    const admin = await login(again.url, 'xlk-admin');
    for (const [key, { quoteId, body }] of acked) {
      expect(body.status).toBe('committed');
      const got = await t2('GET', `/api/v1/redemptions/${body.id}`);
      expect(got.status).toBe(200);
      expect(got.body).toEqual(body);
      const retry = await t2('POST', '/api/v1/redemptions', { quoteId, idempotencyKey: key });
      expect(retry.status).toBe(200);
      expect(retry.body).toEqual(body);
    }
    // A request cut off by the kill either landed (and replays) or did not (its quote died with the process); never twice.
    for (const [key, quoteId] of unknown) {
      const retry = await t2('POST', '/api/v1/redemptions', { quoteId, idempotencyKey: key });
      expect([200, 404]).toContain(retry.status);
      if (retry.status === 404) expect(retry.body.error.code).toBe('QUOTE_NOT_FOUND');
    }
    // Every record once: no duplicate ids or keys, every acknowledged one listed.
    const listed: any[] = [];
    for (let cursor: string | null = null, guard = 0; guard < 100; guard++) {
      const page: { status: number; body: any } = await admin('GET', `/api/v1/redemptions?limit=500${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      listed.push(...page.body.items);
      cursor = page.body.nextCursor;
      if (!cursor) break;
    }
    expect(new Set(listed.map((r) => r.id)).size).toBe(listed.length);
    expect(new Set(listed.map((r) => r.idempotencyKey)).size).toBe(listed.length);
    const listedKeys = new Set(listed.map((r) => r.idempotencyKey));
    for (const key of acked.keys()) expect(listedKeys.has(key)).toBe(true);
    expect(listed.length).toBeLessThanOrEqual(acked.size + unknown.size);

    const auditor = await login(again.url, 'gz-auditor');
    const verify = await auditor('GET', '/api/v1/audit/verify');
    expect(verify.body).toMatchObject({ ok: true, checked: listed.length });
    // And it keeps taking redemptions on the recovered chain.
    const after = await quoteAndRedeem(t2);
    expect(after.body.seq).toBe(listed.length + 1);
    await stop(again);
  });

  it('keeps every acknowledged admin write and its audit entry through kill -9 while the state journal folds after every record', async () => {
    const dir = tempDir();
    // Every admin write starts a background fold of state.json (temp file, fsync, rename, journal cut),
    // so the kills land in the middle of folds as well as of appends.
    process.env.HUIKA_STATE_FOLD_AFTER = '1';
    const acked: string[] = [];
    try {
      for (let round = 0; round < 3; round++) {
        const srv = await serve(dir);
        const admin = await login(srv.url, 'admin');
        let killed = false;
        const deadline = setTimeout(
          () => {
            killed = true;
            srv.proc.kill('SIGKILL');
          },
          1500 + round * 500,
        );
        await Promise.all(
          [0, 1, 2].map(async (w) => {
            for (let i = 0; !killed; i++) {
              const id = `m-k${round}-${w}-${i}`;
              try {
                const r = await admin('POST', '/api/v1/admin/merchants', { id, name: `商户 ${id}` });
                if (r.status === 201) acked.push(id);
                else if (!killed) throw new Error(`${id}: ${r.status} ${r.text}`);
              } catch (err) {
                if (!killed) throw err; // cut off by the kill: landed or not, never acknowledged
              }
            }
          }),
        );
        clearTimeout(deadline);
        expect((await srv.exited).signal).toBe('SIGKILL');
      }
    } finally {
      delete process.env.HUIKA_STATE_FOLD_AFTER;
    }
    expect(acked.length).toBeGreaterThan(10);
    const srv = await serve(dir);
    const admin = await login(srv.url, 'admin');
    const ids = new Set(((await admin('GET', '/api/v1/admin/merchants')).body.items as Array<{ id: string }>).map((m) => m.id));
    expect(acked.filter((id) => !ids.has(id))).toEqual([]);
    // Each acknowledged merchant has its audit entry (it rode in the journal record; a kill between the
    // record and the audit.jsonl line is put back at the start), once, and the trail's chain verifies.
    const created: string[] = [];
    for (let cursor: number | null = null, guard = 0; guard < 50; guard++) {
      const page: { status: number; body: any } = await admin(
        'GET',
        `/api/v1/admin/audit-trail?entity=merchant&limit=500${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status).toBe(200);
      for (const e of page.body.items as Array<{ action: string; id: string }>) if (e.action === 'merchant.create') created.push(e.id);
      cursor = page.body.nextCursor;
      if (cursor === null) break;
    }
    expect(acked.filter((id) => !created.includes(id))).toEqual([]);
    expect(created.length).toBe(new Set(created).size);
    expect((await admin('GET', '/api/v1/admin/audit-trail/verify')).body).toMatchObject({ ok: true });
    await stop(srv);
    // The clean stop folded the journal away; the next start reads the snapshot alone.
    expect(statSync(join(dir, 'state.journal')).size).toBe(0);
  }, 60_000);

  it('keeps the audit entries of admin writes acknowledged while audit.jsonl took no line, through kill -9', async () => {
    const dir = tempDir();
    // The first server's audit.jsonl refuses every write (HUIKA_FAULTS, platform/durable-file.ts): each
    // write's entry is only in its state.journal record when the kill comes, as after a kill -9 between
    // the record's fdatasync and the audit line.
    const first = await serve(dir);
    const seeded = readFileSync(join(dir, 'audit.jsonl'), 'utf8');
    await stop(first);
    process.env.HUIKA_FAULTS = JSON.stringify({ op: 'write', at: 1, kind: 'EIO', persist: true, pathIncludes: 'audit.jsonl' });
    let srv: Served;
    try {
      srv = await serve(dir);
    } finally {
      delete process.env.HUIKA_FAULTS;
    }
    const admin = await login(srv.url, 'admin');
    for (const id of ['m-a1', 'm-a2', 'm-a3'])
      expect((await admin('POST', '/api/v1/admin/merchants', { id, name: `商户 ${id}` })).status).toBe(201);
    expect(readFileSync(join(dir, 'audit.jsonl'), 'utf8')).toBe(seeded);
    srv.proc.kill('SIGKILL');
    expect((await srv.exited).signal).toBe('SIGKILL');

    const again = await serve(dir);
    expect(again.stdout() + again.stderr()).toMatch(/audit\.jsonl lacked 3 entries/);
    const a2 = await login(again.url, 'admin');
    const trail = (await a2('GET', '/api/v1/admin/audit-trail?entity=merchant&limit=50')).body.items as Array<{
      action: string;
      id: string;
    }>;
    expect(trail.filter((e) => e.action === 'merchant.create').map((e) => e.id)).toEqual(['m-a3', 'm-a2', 'm-a1']);
    expect((await a2('GET', '/api/v1/admin/audit-trail/verify')).body).toMatchObject({ ok: true });
    await stop(again);
  }, 60_000);

  it('allows one server per data directory and takes over the lock of a killed one', async () => {
    const dir = tempDir();
    const first = await serve(dir);
    const t = await enroll(first.url, 't-minmao-1');
    const red = await quoteAndRedeem(t);

    const second = await refusal(dir);
    expect(second.code).not.toBe(0);
    expect(second.code).not.toBeNull();
    const lines = second.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(dir);
    expect(lines[0]).toMatch(/in use/);
    expect(second.stdout).not.toMatch(/Huika server:/);

    // The first one never noticed.
    expect((await client(first.url)('GET', '/api/v1/health')).status).toBe(200);
    expect((await t('GET', `/api/v1/redemptions/${red.body.id}`)).body).toEqual(red.body);
    await quoteAndRedeem(t);
    expect(readFileSync(join(dir, 'huika.lock'), 'utf8').trim()).toBe(String(first.pid));

    await kill9(first);
    expect(existsSync(join(dir, 'huika.lock'))).toBe(true); // left behind by the killed process
    const third = await serve(dir);
    expect(readFileSync(join(dir, 'huika.lock'), 'utf8').trim()).toBe(String(third.pid));
    expect((await client(third.url, t.token)('GET', `/api/v1/redemptions/${red.body.id}`)).body).toEqual(red.body);
    await stop(third);
    expect(existsSync(join(dir, 'huika.lock'))).toBe(false); // a clean stop releases it
  });

  it('refuses a damaged state.json in one line and leaves it byte for byte as it was', async () => {
    const garbageDir = tempDir();
    // Bytes that are neither UTF-8 nor JSON, with line breaks and a terminal escape inside (a zip header, say).
    const garbage = Buffer.concat([
      Buffer.from('PK\x03\x04\n\x1b[31m', 'latin1'),
      Buffer.from([0xff, 0xfe, 0x0d, 0x0a, 0x00, 0xc3, 0x28, 0x0a]),
    ]);
    writeFileSync(join(garbageDir, 'state.json'), garbage);
    const wrongDir = tempDir();
    const wrong = Buffer.from(JSON.stringify({ format: 'huika-state/1', orgs: 'not a list' }));
    writeFileSync(join(wrongDir, 'state.json'), wrong);

    const [a, b] = await Promise.all([refusal(garbageDir), refusal(wrongDir)]);
    for (const [res, dir, bytes] of [
      [a, garbageDir, garbage],
      [b, wrongDir, wrong],
    ] as const) {
      expect(res.code).not.toBe(0);
      expect(res.code).not.toBeNull();
      const lines = res.stderr.trim().split('\n');
      expect(lines, res.stderr).toHaveLength(1);
      expect(lines[0]).toContain(join(dir, 'state.json'));
      expect(res.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(res.stderr).not.toContain('\x1b'); // no raw bytes of the file echoed to the terminal
      expect(readFileSync(join(dir, 'state.json')).equals(bytes)).toBe(true);
      expect(existsSync(join(dir, 'huika.lock'))).toBe(false);
    }
    expect(b.stderr).toContain('orgs');
  });

  it('recovers a torn ledger tail: warns, keeps the bytes beside the ledger, serves every earlier redemption', async () => {
    const dir = tempDir();
    const srv = await serve(dir);
    const t = await enroll(srv.url, 't-minmao-1');
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await quoteAndRedeem(t, 20000 + i));
    await kill9(srv);

    const ledger = join(dir, 'ledger.jsonl');
    const whole = readFileSync(ledger);
    const torn = '{"seq":4,"type":"commit","data":{"id":"rd-0000000004","amountFen":2';
    appendFileSync(ledger, torn);

    const again = await serve(dir);
    expect(again.stdout() + again.stderr()).toMatch(/partial entry|torn/i);
    const saved = readdirSync(dir).filter((f) => f.startsWith('ledger.jsonl.torn-'));
    expect(saved).toHaveLength(1);
    expect(readFileSync(join(dir, saved[0]!), 'utf8')).toBe(torn);
    expect(readFileSync(ledger).equals(whole)).toBe(true);

    const t2 = client(again.url, t.token);
    for (const m of made) {
      expect((await t2('GET', `/api/v1/redemptions/${m.body.id}`)).body).toEqual(m.body);
      const retry = await t2('POST', '/api/v1/redemptions', { quoteId: m.quoteId, idempotencyKey: m.key });
      expect(retry.status).toBe(200);
      expect(retry.body).toEqual(m.body);
    }
    // The next redemption takes the place of the torn one and the chain stays whole.
    const next = await quoteAndRedeem(t2);
    expect(next.body.seq).toBe(4);
    expect(next.body.prevHash).toBe(made[2]!.body.hash);
    const auditor = await login(again.url, 'gz-auditor');
    expect((await auditor('GET', '/api/v1/audit/verify')).body).toMatchObject({ ok: true, checked: 4 });
    await stop(again);
    expect(ledgerLines(dir)).toHaveLength(4);
  });

  it('refuses to start on an edited ledger entry, naming the line, and leaves the file alone', async () => {
    const dir = tempDir();
    const srv = await serve(dir);
    const t = await enroll(srv.url, 't-minmao-1');
    for (let i = 0; i < 3; i++) await quoteAndRedeem(t, 10000 + i);
    await stop(srv);

    const ledger = join(dir, 'ledger.jsonl');
    const lines = ledgerLines(dir);
    expect(lines[1]).toContain('"amountFen":10001');
    const edited = `${[lines[0], lines[1]!.replace('"amountFen":10001', '"amountFen":10901'), lines[2]].join('\n')}\n`;
    writeFileSync(ledger, edited);
    const res = await refusal(dir);
    expect(res.code).not.toBe(0);
    expect(res.code).not.toBeNull();
    const out = res.stderr.trim().split('\n');
    expect(out, res.stderr).toHaveLength(1);
    expect(out[0]).toContain('LEDGER_CORRUPT');
    expect(out[0]).toContain(`${ledger} line 2`);
    expect(readFileSync(ledger, 'utf8')).toBe(edited);

    // Damage in the middle plus a torn tail: still refused, and still nothing touched.
    const both = `${edited}{"seq":4,"ty`;
    writeFileSync(ledger, both);
    const res2 = await refusal(dir);
    expect(res2.code).not.toBe(0);
    expect(res2.stderr).toContain(`${ledger} line 2`);
    expect(readFileSync(ledger, 'utf8')).toBe(both);
    expect(readdirSync(dir).filter((f) => f.includes('.torn-'))).toEqual([]);
  });

  it('audit/verify finds an entry edited or removed while the server runs', async () => {
    const dir = tempDir();
    const srv = await serve(dir);
    const t = await enroll(srv.url, 't-minmao-1');
    const made = [];
    for (let i = 0; i < 4; i++) made.push(await quoteAndRedeem(t, 10000 + i));
    const auditor = await login(srv.url, 'gz-auditor');
    const verify = async () => (await auditor('GET', '/api/v1/audit/verify')).body;
    expect(await verify()).toEqual({ ok: true, checked: 4 });

    const ledger = join(dir, 'ledger.jsonl');
    const original = readFileSync(ledger, 'utf8');
    const lines = ledgerLines(dir);
    expect(lines[2]).toContain('"amountFen":10002');
    writeFileSync(ledger, `${[lines[0], lines[1], lines[2]!.replace('"amountFen":10002', '"amountFen":10'), lines[3]].join('\n')}\n`);
    expect(await verify()).toMatchObject({ ok: false, brokenAt: made[2]!.body.id });

    writeFileSync(ledger, original);
    expect(await verify()).toEqual({ ok: true, checked: 4 });

    writeFileSync(ledger, `${lines.slice(0, 3).join('\n')}\n`);
    const removed = await verify();
    expect(removed.ok).toBe(false);
    expect(removed.checked).toBe(3);

    writeFileSync(ledger, original);
    expect(await verify()).toEqual({ ok: true, checked: 4 });
    await stop(srv);
  });

  it('never writes card data to disk, logs or answers', async () => {
    const dir = tempDir();
    const srv = await serve(dir, 'trace');
    const t = await enroll(srv.url, 't-minmao-1');
    const admin = await login(srv.url, 'minmao-admin');
    const answers: string[] = [];
    const track = ';6217996600000000015=2912101?';
    const byCard = await quoteAndRedeem(t, 12000);
    const byTrack = await quoteAndRedeem(t, 13000, { type: 'card_track', data: track });
    answers.push(JSON.stringify(byCard.body), JSON.stringify(byTrack.body));
    expect(byTrack.body.credentialType).toBe('card_track');
    expect(byTrack.body.cardLast4).toBe('0015');
    for (const [path, body] of [
      ['/api/v1/quotes', { credential: { type: 'card_track', data: '6217996600000000015=2912101' }, amountFen: 100 }], // no sentinels: 400
      ['/api/v1/quotes', { credential: { type: 'card_number', data: DEMO.activeCard }, amountFen: -1 }], // bad amount: 400
      ['/api/v1/quotes', `{"credential":{"type":"card_number","data":"${DEMO.activeCard}"`], // not JSON
      ['/api/v1/quotes', { credential: { type: 'card_track', data: track }, amountFen: 5000 }],
      [`/api/v1/redemptions/${byCard.body.id}/void`, { reason: 'returned' }],
    ] as const) {
      const r = await t('POST', path, body);
      answers.push(r.text);
    }
    answers.push((await admin('GET', '/api/v1/redemptions')).text, (await admin('GET', '/api/v1/redemptions.csv')).text);
    await stop(srv);

    const files: string[] = [];
    const walk = (d: string) => {
      for (const f of readdirSync(d)) {
        const p = join(d, f);
        if (statSync(p).isDirectory()) walk(p);
        else files.push(p);
      }
    };
    walk(dir);
    expect(files.some((f) => f.endsWith('ledger.jsonl'))).toBe(true);
    expect(ledgerLines(dir)).toHaveLength(3); // two commits and a void: the file was really written
    const secrets = ['6217996600000000015', '2912101'];
    for (const f of files) {
      const bytes = readFileSync(f);
      for (const s of secrets) expect(bytes.includes(s), `${s} in ${f}`).toBe(false);
    }
    const logs = srv.stdout() + srv.stderr();
    for (const s of secrets) {
      expect(logs.includes(s), `${s} in the server's output`).toBe(false);
      for (const a of answers) expect(a.includes(s), `${s} in an answer: ${a.slice(0, 200)}`).toBe(false);
    }
  });
});
