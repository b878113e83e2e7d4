/** Child processes for the bench: the server under test and the baseline run beside the load generator. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface Child {
  proc: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

export function spawnUntil(cmd: string, args: string[], match: RegExp, toUrl: (m: RegExpMatchArray) => string): Promise<Child> {
  return new Promise((resolve, reject) => {
    const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    const rl = createInterface({ input: proc.stdout! });
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')}: did not start in 30 s`)), 30_000);
    rl.on('line', (line) => {
      const m = line.match(match);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        proc,
        url: toUrl(m),
        stop: () =>
          new Promise<void>((r) => {
            if (proc.exitCode !== null) return r();
            proc.once('exit', () => r());
            proc.kill('SIGTERM');
          }),
      });
    });
    proc.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
}

export const startHuika = (dataDir: string) =>
  spawnUntil(
    'node',
    ['bin/huika.js', 'server', '--demo', '--data', dataDir, '--port', '0', '--log-level', 'warn'],
    /Huika server: (http:\/\/\S+)/,
    (m) => m[1]!,
  );

export const startBaseline = () =>
  spawnUntil('node', ['--import', 'tsx', 'bench/baseline-server.ts'], /listening (\d+)/, (m) => `http://127.0.0.1:${m[1]}`);
