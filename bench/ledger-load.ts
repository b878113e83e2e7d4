/**
 * How long the embedded store takes to open a large data directory: N members in state.json and
 * M redemptions in the ledger, every hash checked on the way in.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { withLuhn } from '../core/luhn.ts';
import { demoData } from '../server/demo-data.ts';
import { loadOrCreateSecrets } from '../server/security/secrets.ts';
import { EmbeddedStore } from '../server/store/embedded-store.ts';
import { GENESIS_HASH, seal } from '../server/store/hash-chain.ts';

export interface LedgerLoadResult {
  members: number;
  redemptions: number;
  ledgerMiB: number;
  /** First open: every line parsed and its hash checked; writes the checkpoint. */
  openMs: number;
  /** Every later open: the checkpoint, then only what came after it (hashes checked in the background). */
  openFromCheckpointMs: number;
}

export async function benchLedgerLoad(opts: {
  members: number;
  redemptions: number;
  onProgress?: (done: number, total: number) => void;
  keepDir?: string;
}): Promise<LedgerLoadResult> {
  const dir = opts.keepDir ?? mkdtempSync(join(tmpdir(), 'huika-bench-load-'));
  try {
    const now = new Date('2026-11-20T04:00:00Z');
    const data = await demoData(loadOrCreateSecrets(dir), now);
    for (let i = 0; i < opts.members; i++) {
      data.members.push({
        id: `mbr-b${i}`,
        memberNo: withLuhn(String(600000000 + i)),
        name: '测试会员',
        orgId: 'org-kd',
        status: 'active',
      });
    }
    writeFileSync(join(dir, 'state.json'), JSON.stringify({ format: 'huika-state/1', ...data }));
    const out = createWriteStream(join(dir, 'ledger.jsonl'));
    let prev = GENESIS_HASH;
    for (let i = 1; i <= opts.redemptions; i++) {
      const amountFen = 1000 + (i % 50000);
      const discountFen = Math.floor(amountFen / 10);
      const { entry: e, line } = seal(
        i,
        'commit',
        {
          idempotencyKey: `bench-${i}`,
          quoteId: `q-bench-${i}`,
          memberId: `mbr-b${i % opts.members}`,
          memberOrgId: 'org-kd',
          merchantId: 'm-xlk',
          storeId: 's-xlk-1',
          terminalId: 't-xlk-1',
          memberNoMasked: '6000****12',
          credentialType: 'member_no',
          amountFen,
          discountFen,
          payableFen: amountFen - discountFen,
          lines: [
            {
              agreementId: 'a-xlk',
              agreementVersion: 1,
              title: '会员9折',
              discountFen,
              funding: { merchantFen: discountFen, unionFen: 0 },
            },
          ],
          createdAt: new Date(now.getTime() + i * 1000).toISOString(),
          offline: false,
          id: `rd-${String(i).padStart(10, '0')}`,
        },
        prev,
      );
      prev = e.hash;
      if (!out.write(`${line}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
      if (i % 50_000 === 0) opts.onProgress?.(i, opts.redemptions);
    }
    await new Promise<void>((r) => out.end(() => r()));
    const ledgerMiB = statSync(join(dir, 'ledger.jsonl')).size / 2 ** 20;
    const t0 = performance.now();
    const store = await EmbeddedStore.open({ dir });
    const openMs = performance.now() - t0;
    await store.close();
    // A fresh process, as a restarted server is: the garbage of the first open must not be counted.
    // Median of three, since the first may still share the disk with the write-back of the new files.
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const child = execFileSync('node', ['--import', 'tsx', 'bench/open-store.ts', dir], { encoding: 'utf8' }).trim().split('\n');
      if (child[1] !== 'ok') throw new Error(`the ledger failed its check after opening from the checkpoint: ${child.join(' ')}`);
      runs.push(Number(child[0]));
    }
    const openFromCheckpointMs = runs.sort((a, b) => a - b)[1]!;
    return { members: opts.members, redemptions: opts.redemptions, ledgerMiB, openMs, openFromCheckpointMs };
  } finally {
    if (!opts.keepDir) rmSync(dir, { recursive: true, force: true });
  }
}
