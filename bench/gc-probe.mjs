// Preloaded into the server under test (node --expose-gc --import ./bench/gc-probe.mjs): records
// garbage-collection pauses through perf_hooks and, on SIGUSR2, prints one line "gc-probe {json}" with
// the pauses since the last report, the heap now, and the live heap after a forced full collection (that
// collection's own pause is left out). Plain JS so it loads before tsx; production code knows nothing of it.
import { PerformanceObserver, constants, performance } from 'node:perf_hooks';

const KINDS = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak-callbacks',
};
let pauses = [];
const forced = []; // [from, to] windows of forced collections, whose entries are not the quote path's
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if (forced.some(([a, b]) => e.startTime >= a && e.startTime <= b)) continue;
    pauses.push([KINDS[e.detail?.kind ?? e.kind] ?? 'other', e.duration]);
  }
}).observe({ entryTypes: ['gc'] });

process.on('SIGUSR2', () => {
  const m = process.memoryUsage();
  let liveMiB;
  if (typeof globalThis.gc === 'function') {
    const from = performance.now();
    globalThis.gc();
    forced.push([from, performance.now()]);
    if (forced.length > 50) forced.shift();
    liveMiB = process.memoryUsage().heapUsed / 2 ** 20;
  }
  const out = { pauses, heapUsedMiB: m.heapUsed / 2 ** 20, liveMiB, heapTotalMiB: m.heapTotal / 2 ** 20, rssMiB: m.rss / 2 ** 20 };
  pauses = [];
  process.stdout.write(`gc-probe ${JSON.stringify(out)}\n`);
});
