/** Opens the embedded store on a directory in a fresh process and prints how long it took (ms). */
import { performance } from 'node:perf_hooks';
import { EmbeddedStore } from '../server/store/embedded-store.ts';

const dir = process.argv[2];
if (!dir) throw new Error('usage: open-store.ts DIR');
const t0 = performance.now();
const store = await EmbeddedStore.open({ dir });
const ms = performance.now() - t0;
process.stdout.write(`${ms}\n`);
// Let the background hash check finish so the process leaves nothing half done.
const check = await store.verifyLedger();
await store.close();
process.stdout.write(`${check.ok ? 'ok' : 'broken'}\n`);
