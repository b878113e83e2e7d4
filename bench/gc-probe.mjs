// Preloaded into the server under test (node --import ./bench/gc-probe.mjs): records garbage-collection
// pauses through perf_hooks and, on SIGUSR2, prints one line "gc-probe {json}" with the pauses since the
// last report and the heap now. Plain JS so it loads before tsx; production code knows nothing of it.
import { PerformanceObserver, constants } from 'node:perf_hooks';

const KINDS = { [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge', [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact', [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental', [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak-callbacks' };
let pauses = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) pauses.push([KINDS[e.detail?.kind ?? e.kind] ?? 'other', e.duration]);
}).observe({ entryTypes: ['gc'] });

process.on('SIGUSR2', () => {
  const m = process.memoryUsage();
  const out = { pauses, heapUsedMiB: m.heapUsed / 2 ** 20, heapTotalMiB: m.heapTotal / 2 ** 20, rssMiB: m.rss / 2 ** 20 };
  pauses = [];
  process.stdout.write(`gc-probe ${JSON.stringify(out)}\n`);
});
