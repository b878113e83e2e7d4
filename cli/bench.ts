/** `huika bench [--seconds N] [--connections N] [--members N] [--redemptions N] [--qr-frames N] [--scans N] [--write-docs]` */
import { runBench } from '../bench/run.ts';
import { parseFlags, UsageError } from './main.ts';

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
    writeDocs: v['write-docs'],
  });
  process.stdout.write(table);
  return 0;
}
