/**
 * `npm run bench`: the server under load beside a bare express endpoint measured in the same run,
 * so the ratio, not the absolute figure, says how much Huika costs. Progress goes to stderr.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBaseline, startHuika } from './children.ts';
import { load, type LoadResult } from './http-load.ts';
import { benchLedgerLoad } from './ledger-load.ts';
import { benchQrCamera } from './qr-camera.ts';
import { benchMemberCode, memberCodeLines } from './member-code.ts';
import { benchCashierLatency } from './cashier-latency.ts';
import { barChartSvg } from './svg-chart.ts';

export interface BenchOptions {
  seconds: number;
  connections: number;
  members: number;
  redemptions: number;
  qrFrames: number;
  scans: number;
  writeDocs: boolean;
}

const progress = (label: string) => (done: number, total: number) => process.stderr.write(`\r  ${label}: ${done}/${total}   `);
const tickProgress = (label: string, seconds: number) => (s: number, n: number) => process.stderr.write(`\r  ${label}: ${s}/${seconds} s, ${n} requests   `);
const endLine = () => process.stderr.write('\n');

export async function runBench(o: BenchOptions): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'huika-bench-'));
  const results: LoadResult[] = [];
  const baseline = await startBaseline();
  const huika = await startHuika(dir);
  try {
    const enroll = async (code: string) => {
      const r = await fetch(`${huika.url}/api/v1/terminals/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pairingCode: code }) });
      return ((await r.json()) as { token: string }).token;
    };
    const auth = { authorization: `Bearer ${await enroll('PAIR-T-XLK-1')}` };
    const quoteBody = JSON.stringify({ credential: { type: 'member_no', data: '5133000017' }, amountFen: 12800 });
    const echoBody = JSON.stringify({ amountFen: 12800 });

    process.stderr.write('HTTP load (server and baseline each in its own process; load from this one)\n');
    for (const c of [1, o.connections]) {
      results.push(await load({ name: `baseline express, ${c} conn`, url: `${baseline.url}/echo`, connections: c, seconds: o.seconds, body: echoBody, onTick: tickProgress(`baseline ${c} conn`, o.seconds) }));
      endLine();
      const quoteIds: string[] = [];
      results.push(
        await load({
          name: `quote, ${c} conn`,
          url: `${huika.url}/api/v1/quotes`,
          connections: c,
          seconds: o.seconds,
          headers: auth,
          body: quoteBody,
          onBody: (status, body) => status === 200 && quoteIds.push((JSON.parse(body) as { quoteId: string }).quoteId),
          onTick: tickProgress(`quote ${c} conn`, o.seconds),
        }),
      );
      endLine();
      let i = 0;
      let k = 0;
      const runTag = Date.now().toString(36);
      results.push(
        await load({
          name: `durable redemption, ${c} conn`,
          url: `${huika.url}/api/v1/redemptions`,
          connections: c,
          seconds: o.seconds,
          amount: Math.min(quoteIds.length, Math.max(200, Math.round(quoteIds.length / 2))),
          headers: auth,
          nextBody: () => (i < quoteIds.length ? JSON.stringify({ quoteId: quoteIds[i++], idempotencyKey: `bench-${runTag}-${c}-${k++}` }) : undefined),
          onTick: tickProgress(`redeem ${c} conn`, o.seconds),
        }),
      );
      endLine();
    }
  } finally {
    await huika.stop();
    await baseline.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  process.stderr.write(`Opening a store of ${o.members} members and ${o.redemptions} redemptions\n`);
  const ledger = await benchLedgerLoad({ members: o.members, redemptions: o.redemptions, onProgress: progress('writing ledger') });
  endLine();
  process.stderr.write('Cashier page and push latency (headless Chromium)\n');
  const cashier = o.scans > 0 ? await benchCashierLatency({ scans: o.scans, pushes: Math.max(5, Math.round(o.scans / 3)), onProgress: progress('scans and pushes') }) : [];
  endLine();
  process.stderr.write('Camera QR round trip at 640×480\n');
  const qr = o.qrFrames > 0 ? await benchQrCamera({ frames: o.qrFrames, onProgress: progress('frames') }) : [];
  endLine();

  const base = (c: number) => results.find((r) => r.name === `baseline express, ${c} conn`)!;
  const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
  const lines = [
    `Measured ${new Date().toISOString()} on ${process.platform} ${process.arch}, node ${process.version}, ${o.seconds} s a run.`,
    '',
    '| run | requests | req/s | p50 ms | p99 ms | non-2xx | throughput vs baseline |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...results.map((r) => {
      const b = base(r.connections);
      const ratio = r === b ? '1.00x' : `${(b.perSecond / r.perSecond).toFixed(2)}x slower`;
      return `| ${r.name} | ${fmt(r.requests)} | ${fmt(r.perSecond)} | ${fmt(r.p50Ms, 2)} | ${fmt(r.p99Ms, 2)} | ${r.non2xx} | ${ratio} |`;
    }),
    '',
    '| store open | members | redemptions | ledger MiB | open ms |',
    '| --- | ---: | ---: | ---: | ---: |',
    `| embedded, first open: every line parsed and hash-checked, checkpoint written | ${fmt(ledger.members)} | ${fmt(ledger.redemptions)} | ${fmt(ledger.ledgerMiB, 1)} | ${fmt(ledger.openMs)} |`,
    `| embedded, later opens: from the checkpoint (hashes checked in the background) | ${fmt(ledger.members)} | ${fmt(ledger.redemptions)} | ${fmt(ledger.ledgerMiB, 1)} | ${fmt(ledger.openFromCheckpointMs)} |`,
  ];
  if (cashier.length) {
    lines.push('', '| as people see it | samples | p50 ms | p99 ms |', '| --- | ---: | ---: | ---: |');
    for (const c of cashier) lines.push(`| ${c.name} | ${c.n} | ${fmt(c.p50Ms, 1)} | ${fmt(c.p99Ms, 1)} |`);
  }
  if (qr.length) {
    lines.push('', '| camera QR distortion (640×480) | decode rate | frames/s |', '| --- | ---: | ---: |');
    for (const q of qr) lines.push(`| ${q.distortion} | ${(q.decodeRate * 100).toFixed(0)}% | ${fmt(q.fps, 1)} |`);
  }
  if (o.qrFrames > 0) {
    process.stderr.write('Living member codes verified at the server\n');
    lines.push(...memberCodeLines(await benchMemberCode(), fmt));
  }
  const table = lines.join('\n') + '\n';
  if (o.writeDocs) {
    const hi = results.filter((r) => r.connections === o.connections);
    writeFileSync(
      'docs/bench-throughput.svg',
      barChartSvg(`Requests per second, ${o.connections} connections (grey: bare express baseline)`, 'req/s', hi.map((r) => ({ label: r.name.replace(`, ${o.connections} conn`, ''), value: r.perSecond }))),
    );
    writeFileSync(
      'docs/bench-latency.svg',
      barChartSvg('p99 latency at 1 connection (ms, lower is better)', 'ms', results.filter((r) => r.connections === 1).map((r) => ({ label: r.name.replace(', 1 conn', ''), value: r.p99Ms }))),
    );
    if (qr.length) writeFileSync('docs/bench-qr.svg', barChartSvg('Camera QR decode rate by distortion (%)', '%', qr.map((q) => ({ label: q.distortion, value: q.decodeRate * 100 }))));
    writeFileSync('docs/bench-latest.md', table);
  }
  return table;
}
