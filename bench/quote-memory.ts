/**
 * `node --expose-gc --import tsx bench/quote-memory.ts N`: prints the live heap, in bytes, that one
 * outstanding quote costs in the embedded quote table: N real quotes made through the quote service
 * for the demo campaign terminal, measured after full collections before and after.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../server/logger.ts';
import { startServer } from '../server/index.ts';
import { createQuote } from '../server/services/quote-service.ts';
import type { Actor } from '../server/http/auth.ts';

const n = Number(process.argv[2] ?? 100_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const dir = mkdtempSync(join(tmpdir(), 'huika-quote-mem-'));
const srv = await startServer({ dataDir: dir, demo: true, log: createLogger('silent'), maxQuotes: n + 2_000 });
try {
  const { ctx } = srv;
  const terminal = (await ctx.store.terminal('t-minmao-1'))!;
  const actor: Extract<Actor, { kind: 'terminal' }> = { kind: 'terminal', terminal, shop: (await ctx.store.shop(terminal.storeId))! };
  const req = { credential: { type: 'member_no' as const, data: '5133000017' }, amountFen: 40000 };
  for (let i = 0; i < 1000; i++) await createQuote(ctx, actor, req); // warm: plans, caches, code
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < n; i++) await createQuote(ctx, actor, req);
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  process.stdout.write(`${Math.round((after - before) / n)}\n`);
} finally {
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
}
