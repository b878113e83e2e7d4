/** `huika bench [--seconds N] [--connections N] [--members N] [--redemptions N] [--history N] [--soak-seconds N] [--qr-frames N] [--scans N] [--pg-members N] [--soak-terminals-seconds N] [--soak-terminals N] [--only PARTS] [--write-docs]` */
import { BENCH_PARTS, runBench, type BenchPart } from '../bench/run.ts';
import { parseFlags, UsageError } from './main.ts';

/** `--only http,history,soak,memory,scale,cashier,qr,pg,instances,soak-terminals,adminwrite`: run just these parts (all when absent). */
function parseParts(s: string): ReadonlySet<BenchPart> | undefined {
  if (!s) return undefined;
  const parts = s.split(',').map((x) => x.trim());
  for (const p of parts)
    if (!(BENCH_PARTS as readonly string[]).includes(p)) throw new UsageError(`--only takes some of ${BENCH_PARTS.join(',')}`);
  return new Set(parts as BenchPart[]);
}

export async function run(argv: string[]): Promise<number> {
  const { values: v } = parseFlags({
    args: argv,
    options: {
      seconds: { type: 'string', default: '5' },
      connections: { type: 'string', default: '16' },
      members: { type: 'string', default: '100000' },
      redemptions: { type: 'string', default: '1000000' },
      'qr-frames': { type: 'string', default: '20' },
      scans: { type: 'string', default: '30' },
      history: { type: 'string', default: '100000' },
      'soak-seconds': { type: 'string', default: '120' },
      'pg-members': { type: 'string', default: '3600000' },
      'soak-terminals-seconds': { type: 'string', default: '300' },
      'soak-terminals': { type: 'string', default: '200' },
      only: { type: 'string', default: '' },
      'write-docs': { type: 'boolean', default: false },
    },
  });
  const n = (s: string, name: string) => {
    const x = Number(s);
    if (!Number.isInteger(x) || x < 0) throw new UsageError(`--${name} takes a whole number`);
    return x;
  };
  const table = await runBench({
    seconds: Math.max(1, n(v.seconds, 'seconds')),
    connections: Math.max(1, n(v.connections, 'connections')),
    members: n(v.members, 'members'),
    redemptions: n(v.redemptions, 'redemptions'),
    qrFrames: n(v['qr-frames'], 'qr-frames'),
    scans: n(v.scans, 'scans'),
    historyRedemptions: n(v.history, 'history'),
    soakSeconds: n(v['soak-seconds'], 'soak-seconds'),
    pgMembers: Math.max(1, n(v['pg-members'], 'pg-members')),
    soakTerminalsSeconds: n(v['soak-terminals-seconds'], 'soak-terminals-seconds'),
    soakTerminals: Math.max(1, n(v['soak-terminals'], 'soak-terminals')),
    only: parseParts(v.only),
    writeDocs: v['write-docs'],
  });
  process.stdout.write(table);
  return 0;
}
