/**
 * Loss and tamper evidence with real `huika server` processes: ledger.head refuses a ledger cut short
 * (even at a line boundary, where the chain alone looks whole), a missing state.json or secrets.json
 * beside other data refuses the start, and so does a state journal gone beside a snapshot that says it
 * has one; --restore-from-backup starts anyway and records it, and a union
 * auditor's signed head finds a rewritten history.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { seal, unseal } from '../../server/store/hash-chain.ts';
import { verifyLedgerHead } from '../../server/security/ledger-head-signature.ts';
import { client, DEMO, enroll, login, newKey, type Api } from '../helpers/server.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'huika.js');
const dirs: string[] = [];
const procs = new Set<ChildProcess>();
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'huika-head-'));
  dirs.push(d);
  return d;
};
afterEach(async () => {
  for (const p of [...procs]) {
    p.kill('SIGKILL');
    await new Promise((r) => p.once('exit', r));
  }
});
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function launch(dir: string, extra: string[] = []) {
  const proc = spawn(process.execPath, [BIN, 'server', '--data', dir, '--demo', '--port', '0', '--log-level', 'warn', ...extra], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  procs.add(proc);
  let out = '';
  let err = '';
  proc.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  proc.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
  const exited = new Promise<number | null>((resolve) =>
    proc.once('exit', (code) => {
      procs.delete(proc);
      resolve(code);
    }),
  );
  return { proc, exited, out: () => out, err: () => err };
}

async function serve(dir: string, extra: string[] = []) {
  const p = launch(dir, extra);
  const url = await new Promise<string>((resolve, reject) => {
    p.proc.stdout!.on('data', () => {
      const m = /Huika server: (http:\/\/127\.0\.0\.1:\d+)/.exec(p.out());
      if (m) resolve(m[1]!);
    });
    void p.exited.then((code) => reject(new Error(`server exited (${code}) before listening:\n${p.out()}\n${p.err()}`)));
  });
  return {
    url,
    output: () => p.out() + p.err(),
    async stop() {
      // cli/server.ts prints its URL a moment before it installs its SIGTERM handler; a signal in
      // between takes the default action (exit by signal), so give it that moment.
      await new Promise((r) => setTimeout(r, 200));
      p.proc.kill('SIGTERM');
      const code = await p.exited;
      expect(code, p.out() + p.err()).toBe(0);
    },
  };
}

/** Runs `huika server` expecting a refusal: non-zero exit, one line on stderr, no listening. */
async function refusal(dir: string): Promise<string> {
  const p = launch(dir);
  const code = await p.exited;
  expect(code).not.toBe(0);
  expect(code).not.toBeNull();
  expect(p.out()).not.toMatch(/Huika server:/);
  const lines = p.err().trim().split('\n');
  expect(lines, p.err()).toHaveLength(1);
  return lines[0]!;
}

async function redeem(t: Api, amountFen: number) {
  const q = await t('POST', '/api/v1/quotes', { credential: { type: 'card_number', data: DEMO.activeCard }, amountFen });
  const r = await t('POST', '/api/v1/redemptions', { quoteId: q.body.quoteId, idempotencyKey: newKey() });
  expect(r.status).toBe(201);
  return r.body;
}

const ledgerLines = (dir: string) =>
  readFileSync(join(dir, 'ledger.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l !== '');

describe('loss evidence at start', () => {
  it('refuses a ledger cut at a line boundary, naming ledger.head; --restore-from-backup starts and records it', async () => {
    const dir = tempDir();
    const srv = await serve(dir);
    const t = await enroll(srv.url, 't-minmao-1');
    const made = [await redeem(t, 10000), await redeem(t, 10001), await redeem(t, 10002)];
    await srv.stop();

    // The last entry removed cleanly: every remaining line links, so the chain alone cannot tell.
    const lines = ledgerLines(dir);
    writeFileSync(join(dir, 'ledger.jsonl'), `${lines.slice(0, 2).join('\n')}\n`);
    const line = await refusal(dir);
    expect(line).toContain('LEDGER_TRUNCATED');
    expect(line).toContain(join(dir, 'ledger.head'));
    expect(line).toMatch(/entry 3 .*ends at entry 2/);
    expect(line).toContain('--restore-from-backup');

    const restored = await serve(dir, ['--restore-from-backup']);
    expect(restored.output()).toMatch(/restore-from-backup/);
    const log = readFileSync(join(dir, 'restores.jsonl'), 'utf8').trim().split('\n');
    expect(log).toHaveLength(1);
    expect(JSON.parse(log[0]!)).toMatchObject({
      flag: '--restore-from-backup',
      reason: 'LEDGER_TRUNCATED',
      ledger: { endsAt: 2, headSaid: 3 },
    });
    const t2 = client(restored.url, t.token);
    expect((await t2('GET', `/api/v1/redemptions/${made[1].id}`)).status).toBe(200);
    expect((await t2('GET', `/api/v1/redemptions/${made[2].id}`)).status).toBe(404);
    await restored.stop();
    // From now on the restored ledger is the one acknowledged: a plain start works again.
    const again = await serve(dir);
    await again.stop();
  }, 60_000);

  it('refuses to start when state.json or secrets.json is missing beside the other data', async () => {
    const a = tempDir();
    const srv = await serve(a);
    const t = await enroll(srv.url, 't-minmao-1');
    await redeem(t, 10000);
    await srv.stop();
    const b = tempDir();
    for (const f of ['state.json', 'secrets.json', 'ledger.jsonl', 'ledger.head', 'audit.jsonl'])
      if (existsSync(join(a, f))) writeFileSync(join(b, f), readFileSync(join(a, f)));
    unlinkSync(join(a, 'state.json'));
    unlinkSync(join(b, 'secrets.json'));

    const [noState, noSecrets] = await Promise.all([refusal(a), refusal(b)]);
    expect(noState).toContain('DATA_MISSING');
    expect(noState).toContain(`${join(a, 'state.json')} is missing`);
    expect(noSecrets).toContain('DATA_MISSING');
    expect(noSecrets).toContain(`${join(b, 'secrets.json')} is missing`);
    // Nothing was refilled: no new keys, no empty state.
    expect(existsSync(join(a, 'state.json'))).toBe(false);
    expect(existsSync(join(b, 'secrets.json'))).toBe(false);

    const restored = await serve(b, ['--restore-from-backup']);
    expect(JSON.parse(readFileSync(join(b, 'restores.jsonl'), 'utf8').trim()).missing[0]).toContain('secrets.json is missing');
    await restored.stop();
  }, 60_000);

  it('refuses to start when state.journal or member-side.journal is gone beside a snapshot that says it has one', async () => {
    const a = tempDir();
    const srv = await serve(a);
    await enroll(srv.url, 't-minmao-1'); // a reference-data write: a state.journal record, folded at the stop
    await srv.stop();
    const b = tempDir();
    for (const f of ['state.json', 'state.journal', 'member-side.json', 'secrets.json', 'ledger.jsonl', 'ledger.head', 'audit.jsonl'])
      if (existsSync(join(a, f))) writeFileSync(join(b, f), readFileSync(join(a, f)));
    unlinkSync(join(a, 'state.journal'));

    const [noJournal, noSideJournal] = await Promise.all([refusal(a), refusal(b)]);
    expect(noJournal).toContain('DATA_MISSING');
    expect(noJournal).toContain(`${join(a, 'state.journal')} is missing while state.json says it has one`);
    expect(noJournal).toContain('--restore-from-backup');
    expect(noSideJournal).toContain(`${join(b, 'member-side.journal')} is missing while member-side.json says it has one`);
    expect(noSideJournal).not.toContain('state.journal');
    // Nothing was made up in their place.
    expect(existsSync(join(a, 'state.journal'))).toBe(false);
    expect(existsSync(join(b, 'member-side.journal'))).toBe(false);

    const restored = await serve(a, ['--restore-from-backup']);
    expect(JSON.parse(readFileSync(join(a, 'restores.jsonl'), 'utf8').trim()).missing[0]).toContain('state.journal is missing');
    await restored.stop();
    // The journal is back (empty, beside the restored snapshot): a plain start works again.
    expect(existsSync(join(a, 'state.journal'))).toBe(true);
    const plain = await serve(a);
    await plain.stop();
  }, 60_000);
});

describe('signed ledger head for union auditors', () => {
  it('signs the head with the key terminals pin, confirms a ledger that grew, and finds a rewritten history', async () => {
    const dir = tempDir();
    const srv = await serve(dir);
    const t = await enroll(srv.url, 't-minmao-1');
    const pinned = (await client(srv.url)('POST', '/api/v1/terminals/enroll', { pairingCode: 'PAIR-T-MINMAO-2' })).body
      .serverPublicKey as string;
    for (let i = 0; i < 3; i++) await redeem(t, 10000 + i);
    const auditor = await login(srv.url, 'gz-auditor');
    const seen = (await auditor('GET', '/api/v1/audit/head')).body;
    expect(seen).toMatchObject({ seq: 3 });
    expect(verifyLedgerHead(seen, pinned)).toBe(true);
    expect(verifyLedgerHead({ ...seen, seq: 2, signed: seen.signed.replace('\n3\n', '\n2\n') }, pinned)).toBe(false);
    expect((await client(srv.url, t.token)('GET', '/api/v1/audit/head')).status).toBe(403); // terminals are not auditors

    await redeem(t, 20000);
    const grown = (await auditor('GET', `/api/v1/audit/head/check?seq=${seen.seq}&hash=${seen.hash}`)).body;
    expect(grown).toMatchObject({ extends: true, seq: 3, hashNow: seen.hash, chainOk: true, head: { seq: 4 } });
    expect(verifyLedgerHead(grown.head, pinned)).toBe(true);
    expect((await auditor('GET', '/api/v1/audit/head/check?seq=3&hash=nothex')).status).toBe(400);
    await srv.stop();

    // Someone with the disk rewrites history from entry 2 on, consistently (every hash recomputed),
    // and removes the head file and checkpoint: the server starts, its chain verifies...
    const lines = ledgerLines(dir).map((l) => {
      const u = unseal(l);
      if (!u.ok) throw new Error(u.why);
      return u.entry;
    });
    let prev = lines[0]!.hash;
    const forged = [ledgerLines(dir)[0]!];
    for (const e of lines.slice(1)) {
      const data = e.seq === 2 ? { ...(e.data as object), amountFen: 1 } : e.data;
      const s = seal(e.seq, e.type, data, prev);
      forged.push(s.line);
      prev = s.entry.hash;
    }
    writeFileSync(join(dir, 'ledger.jsonl'), `${forged.join('\n')}\n`);
    unlinkSync(join(dir, 'ledger.head'));
    if (existsSync(join(dir, 'ledger.index'))) unlinkSync(join(dir, 'ledger.index'));
    const again = await serve(dir);
    const auditor2 = await login(again.url, 'gz-auditor');
    expect((await auditor2('GET', '/api/v1/audit/verify')).body).toMatchObject({ ok: true, checked: 4 });
    // ...but the auditor's signed head from before does not match today's ledger.
    const check = (await auditor2('GET', `/api/v1/audit/head/check?seq=${seen.seq}&hash=${seen.hash}`)).body;
    expect(check).toMatchObject({ extends: false, seq: 3, chainOk: true });
    expect(check.hashNow).not.toBe(seen.hash);
    expect(check.message).toMatch(/rewritten/);
    await again.stop();
  }, 60_000);
});
