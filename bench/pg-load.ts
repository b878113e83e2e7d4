/**
 * The PostgreSQL figures alone, outside `npm run bench`: `npx tsx bench/pg-load.ts [--members N] [--seconds N]`.
 * The same parts as `npm run bench -- --only pg,instances` (bench/pg-bench.ts) on the same city database
 * (bench/pg-city.ts: made once, then reused), printed as the same markdown rows.
 */
import { parseArgs } from 'node:util';
import { benchInstances, benchPostgres } from './pg-bench.ts';
import { CITY_MEMBERS, ensureCity } from './pg-city.ts';
import { PG_ADMIN_URL } from './pg-instances.ts';
import { pgReportLines } from './pg-report.ts';

const { values } = parseArgs({
  options: { members: { type: 'string', default: String(CITY_MEMBERS) }, seconds: { type: 'string', default: '5' } },
});
const seconds = Number(values.seconds);
const tick = (label: string) => (s: number, n: number) => process.stderr.write(`\r  ${label}: ${s}/${seconds} s, ${n} requests   `);
const city = await ensureCity({ adminUrl: PG_ADMIN_URL, members: Number(values.members) });
const pg = await benchPostgres({ city, seconds, tick });
const instances = await benchInstances({ city, seconds, tick });
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
process.stdout.write(`${pgReportLines({ city, pg, instances }, fmt).join('\n')}\n`);
