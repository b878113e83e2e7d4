/** `huika <command> …`: each command lives in its own module, loaded only when asked for. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { USAGE, wantsHelp } from './usage.ts';

type Command = { run(argv: string[]): Promise<number> };

export const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  server: { summary: 'run the central server: [--port N] [--data DIR] [--demo]', load: () => import('./server.ts') },
  terminal: {
    summary: 'run a store terminal: --server URL [--pairing-code C] [--port N] [--data DIR] [--simulate]',
    load: () => import('./terminal.ts'),
  },
  start: { summary: 'server with demo data and a simulated terminal (what `npm start` runs)', load: () => import('./start.ts') },
  'member-qr': { summary: 'print a fresh member QR token: MEMBER_NO --data DIR', load: () => import('./member-qr.ts') },
  bench: { summary: 'measure quote and redemption throughput and latency', load: () => import('./bench.ts') },
  devices: { summary: 'list HID devices, or say in one line why it cannot', load: () => import('./devices.ts') },
  decode: {
    summary: 'decode a device capture: --as hid-keyboard|hid-pos|msr-hid|msr-text|qr-image FILE',
    load: () => import('./decode.ts'),
  },
  simulate: { summary: 'drive a running terminal (or a server) with fake hardware', load: () => import('./simulate.ts') },
  'migrate-store': {
    summary: 'copy an embedded data directory into an empty PostgreSQL database: --from DIR --to URL',
    load: () => import('./migrate-store.ts'),
  },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  huika ${name.padEnd(10)} ${c.summary}`);
  return `usage: huika <command> [options]\n${lines.join('\n')}\nhuika <command> --help shows a command's options.\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    process.stderr.write(`huika: unknown command "${name}"\n${usage()}`);
    return 2;
  }
  // Answered here, before the command's own parser (which would call --help an unknown flag).
  if (wantsHelp(rest)) {
    process.stdout.write(USAGE[name] ?? `usage: huika ${name} [options]\n  ${cmd.summary}\n`);
    return 0;
  }
  try {
    return await (await cmd.load()).run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`huika ${name}: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

/** Thrown by a command for bad flags: printed as one line, exit code 2. */
export class UsageError extends Error {}

/** node:util parseArgs whose complaints are usage errors (one line, exit 2), not stack traces. */
export function parseFlags<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
