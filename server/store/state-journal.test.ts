import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { faultCounts, installFaults, type FaultPlan, type FileOp } from '../../platform/durable-file.ts';
import { diffTable, StateJournal } from './state-journal.ts';

const schema = z.object({
  format: z.literal('t/1'),
  rows: z.array(z.object({ id: z.string(), v: z.number().int() })),
  tags: z.array(z.string()).default([]),
  journal: z.object({ seq: z.number(), hash: z.string() }).optional(),
});
type T = z.infer<typeof schema>;
const empty = (): T => ({ format: 't/1', rows: [], tags: [] });

const dirs: string[] = [];
afterEach(() => {
  installFaults(undefined);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'huika-journal-'));
  dirs.push(d);
  return d;
};

function open(dir: string, notices: string[] = [], foldAfter = { records: 1_000_000 }) {
  return StateJournal.open<T>({ file: join(dir, 'state.json'), schema, empty, foldAfter, onNotice: (m) => notices.push(m) });
}

/** The way the stores write: a new array swapped in, then one record; undone when the record is refused. */
function setRow(j: StateJournal<T>, id: string, v: number) {
  const d = j.db.data;
  const old = d.rows;
  const i = old.findIndex((r) => r.id === id);
  const rows = old.slice();
  if (i >= 0) rows[i] = { id, v };
  else rows.push({ id, v });
  d.rows = rows;
  try {
    j.commit([{ table: 'rows', replaced: old }]);
  } catch (err) {
    d.rows = old;
    throw err;
  }
}
const view = (j: StateJournal<T>) => ({ rows: j.db.data.rows, tags: j.db.data.tags });

describe('StateJournal', () => {
  it('records only the changed positions and replays them after a crash; a clean close folds them into the snapshot', () => {
    const dir = tempDir();
    const j = open(dir);
    for (let i = 0; i < 50; i++) setRow(j, `r${i}`, i);
    setRow(j, 'r7', 700);
    const tags = j.db.data.tags;
    j.db.data.tags = ['a'];
    j.commit([{ table: 'tags', replaced: tags }]);
    const lines = readFileSync(join(dir, 'state.journal'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(52);
    // One changed row of fifty: the record carries that row, not the table.
    expect(JSON.parse(lines[50]!).data).toEqual({ rows: { len: 50, set: [[7, { id: 'r7', v: 700 }]] } });
    const want = view(j);
    j.abandon(); // kill -9: nothing folded
    const k = open(dir);
    expect(view(k)).toEqual(want);
    expect(k.pending).toBe(52);
    return k.close().then(() => {
      expect(statSync(join(dir, 'state.journal')).size).toBe(0);
      const snap = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'));
      expect(snap.journal.seq).toBe(52);
      expect(snap.rows).toEqual(want.rows);
      const m = open(dir);
      expect(view(m)).toEqual(want);
      setRow(m, 'r1', -1); // the chain goes on from the snapshot's position
      m.abandon();
      expect(open(dir).db.data.rows[1]).toEqual({ id: 'r1', v: -1 });
    });
  });

  it('drops a torn last record with a warning and keeps its bytes aside', () => {
    const dir = tempDir();
    const j = open(dir);
    setRow(j, 'a', 1);
    setRow(j, 'b', 2);
    j.abandon();
    appendFileSync(join(dir, 'state.journal'), '{"seq":3,"type":"patch","data":{"rows":{"len":3,"se');
    const notices: string[] = [];
    const k = open(dir, notices);
    expect(k.db.data.rows).toEqual([
      { id: 'a', v: 1 },
      { id: 'b', v: 2 },
    ]);
    expect(notices.join()).toMatch(/partial record.*never acknowledged/);
    const saved = readdirSync(dir).filter((f) => f.startsWith('state.journal.torn-'));
    expect(saved).toHaveLength(1);
    expect(readFileSync(join(dir, saved[0]!), 'utf8')).toContain('"seq":3');
    setRow(k, 'c', 3); // appends after the cut follow the last good record
    k.abandon();
    expect(open(dir).db.data.rows.map((r) => r.id)).toEqual(['a', 'b', 'c']);
  });

  it('peek reads snapshot plus journal and changes no file, torn tail included', () => {
    const dir = tempDir();
    const j = open(dir);
    setRow(j, 'a', 1);
    setRow(j, 'b', 2);
    appendFileSync(join(dir, 'state.journal'), '{"seq":3,"type":"pa');
    const before = readFileSync(join(dir, 'state.journal'), 'utf8');
    const seen = StateJournal.peek<T>({ file: join(dir, 'state.json'), schema, empty });
    expect(seen.rows.map((r) => r.id)).toEqual(['a', 'b']);
    expect(readFileSync(join(dir, 'state.journal'), 'utf8')).toBe(before);
    expect(readdirSync(dir).some((f) => f.includes('torn'))).toBe(false);
    j.abandon();
  });

  it('refuses to start on an edited, a removed or a foreign record in the middle, and leaves the journal alone', () => {
    const dir = tempDir();
    const j = open(dir);
    for (let i = 0; i < 4; i++) setRow(j, `r${i}`, i);
    j.abandon();
    const file = join(dir, 'state.journal');
    const original = readFileSync(file, 'utf8');
    const lines = original.trim().split('\n');
    const tryOpen = (text: string) => {
      writeFileSync(file, text);
      try {
        open(dir);
        return 'opened';
      } catch (err) {
        expect(readFileSync(file, 'utf8')).toBe(text); // untouched
        return `${(err as { code?: string }).code}: ${(err as Error).message}`;
      }
    };
    expect(tryOpen(`${[lines[0], lines[1]!.replace('"v":1', '"v":9'), ...lines.slice(2)].join('\n')}\n`)).toMatch(
      /^STATE_CORRUPT: .*state\.journal record 2: entry content does not match its hash/,
    );
    expect(tryOpen(`${[lines[0], ...lines.slice(2)].join('\n')}\n`)).toMatch(/^STATE_CORRUPT: .*record 2: does not follow record 1/);
    expect(tryOpen(`${lines.slice(1).join('\n')}\n`)).toMatch(/^STATE_CORRUPT: .*record 1: starts at record 2.*records are missing/);
    expect(tryOpen(original)).toBe('opened');
  });

  it('keeps the records written during a fold, and skips on replay what a snapshot already holds', async () => {
    const dir = tempDir();
    const j = open(dir);
    for (let i = 0; i < 10; i++) setRow(j, `r${i}`, i);
    const folding = j.fold(); // takes its position now
    setRow(j, 'r3', 33);
    setRow(j, 'late', 1);
    await folding;
    const lines = readFileSync(join(dir, 'state.journal'), 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).seq)).toEqual([11, 12]);
    expect(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')).journal.seq).toBe(10);
    const want = view(j);
    j.abandon();
    expect(view(open(dir))).toEqual(want);

    // A crash after the snapshot's rename and before the journal's cut: the journal still holds every record.
    const d2 = tempDir();
    const a = open(d2);
    for (let i = 0; i < 5; i++) setRow(a, `r${i}`, i);
    installFaults({ op: 'truncate', at: 1, kind: 'EIO', pathIncludes: 'state.journal' });
    const notices: string[] = [];
    (a as unknown as { opts: { onNotice: (m: string) => void } }).opts.onNotice = (m) => notices.push(m);
    await a.fold();
    installFaults(undefined);
    expect(notices.join()).toMatch(/could not fold/);
    expect(JSON.parse(readFileSync(join(d2, 'state.json'), 'utf8')).journal.seq).toBe(5);
    expect(readFileSync(join(d2, 'state.journal'), 'utf8').trim().split('\n')).toHaveLength(5);
    setRow(a, 'r0', 100);
    const want2 = view(a);
    a.abandon();
    const b = open(d2);
    expect(view(b)).toEqual(want2);
    expect(b.pending).toBe(1);
  });

  it('loses no acknowledged write and keeps no refused one, for a fault at every file operation of a fold', async () => {
    // Dry run: how many of each operation one fold (with writes arriving during it) makes.
    const scenario = async (dir: string, plan: FaultPlan | undefined) => {
      const j = open(dir);
      for (let i = 0; i < 300; i++) setRow(j, `r${i}`, i);
      installFaults(plan);
      const acked: Array<[string, number]> = [];
      const refused: string[] = [];
      const write = (id: string, v: number) => {
        try {
          setRow(j, id, v);
          acked.push([id, v]);
        } catch (err) {
          expect((err as { code?: string }).code).toBe('STORAGE_FAILED');
          refused.push(id);
        }
      };
      const folding = j.fold();
      write('during-1', 1);
      await new Promise((r) => setImmediate(r));
      write('during-2', 2);
      await folding;
      write('after', 3);
      const counts = faultCounts();
      installFaults(undefined);
      const inMemory = view(j);
      j.abandon(); // kill -9 after the fold, whatever step it stopped at
      const k = open(dir);
      expect(view(k), JSON.stringify(plan)).toEqual(inMemory);
      for (const [id, v] of acked) expect(k.db.data.rows.find((r) => r.id === id)?.v, `${id} ${JSON.stringify(plan)}`).toBe(v);
      for (const id of refused)
        expect(
          k.db.data.rows.some((r) => r.id === id),
          `${id} ${JSON.stringify(plan)}`,
        ).toBe(false);
      await k.close();
      expect(view(open(dir))).toEqual(inMemory); // and the clean fold after it holds the same
      return { counts, refused };
    };
    const dry = await scenario(tempDir(), { op: 'write', at: Number.MAX_SAFE_INTEGER, kind: 'EIO' });
    expect(dry.refused).toEqual([]);
    expect(dry.counts).toMatchObject({ open: 2, rename: 2 }); // the snapshot's temp and the journal's
    let runs = 0;
    for (const [op, kind] of [
      ['open', 'ENOSPC'],
      ['write', 'EIO'],
      ['write', 'short'],
      ['sync', 'EIO'],
      ['rename', 'EIO'],
      ['truncate', 'EIO'],
    ] as Array<[FileOp, FaultPlan['kind']]>) {
      for (let at = 1; at <= Math.max(1, dry.counts[op]); at++) {
        await scenario(tempDir(), { op, at, kind });
        runs++;
      }
    }
    expect(runs).toBeGreaterThan(10);
  });

  it('serialises a large snapshot in slices, letting other work run in between', async () => {
    const dir = tempDir();
    const j = open(dir);
    const rows = Array.from({ length: 60_000 }, (_, i) => ({ id: `member-${i}`, v: i }));
    const old = j.db.data.rows;
    j.db.data.rows = rows;
    j.commit([{ table: 'rows', replaced: old }]);
    let ticks = 0;
    let on = true;
    const tick = () => {
      ticks++;
      if (on) setImmediate(tick);
    };
    setImmediate(tick);
    await j.fold();
    on = false;
    expect(ticks).toBeGreaterThan(5);
    expect(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')).rows).toHaveLength(60_000);
    j.abandon();
    expect(open(dir).db.data.rows[59_999]).toEqual({ id: 'member-59999', v: 59_999 });
    expect(existsSync(join(dir, `state.json.fold-${process.pid}`))).toBe(false);
  });

  it('diffs by identity, and records a mostly rewritten table whole', () => {
    const a = Array.from({ length: 40 }, (_, i) => ({ i }));
    const b = a.slice();
    b[3] = { i: 3 };
    b.push({ i: 40 });
    expect(diffTable(a, b).patch).toEqual({
      len: 41,
      set: [
        [3, { i: 3 }],
        [40, { i: 40 }],
      ],
    });
    expect(diffTable(a, b).pairs).toEqual([{ old: { i: 3 }, next: { i: 3 } }, { next: { i: 40 } }]);
    expect(diffTable(a, a.slice(1)).patch).toEqual({ all: a.slice(1) });
  });
});
