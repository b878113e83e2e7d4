/** In-process terminals (simulated devices) against a test server, for integration tests. */
import { createLogger } from '../../platform/logger.ts';
import { createSimulatedDevices } from '../../simulator/terminal-devices.ts';
import { terminalConfigSchema } from '../../terminal/config.ts';
import { startTerminal, type RunningTerminal } from '../../terminal/index.ts';
import { tempDir } from './server.ts';

export async function simTerminal(
  serverUrl: string,
  terminalId = 't-minmao-1',
  extra: Record<string, unknown> = {},
): Promise<RunningTerminal & { dir: string }> {
  const dir = (extra.dataDir as string | undefined) ?? tempDir('huika-term-');
  const t = await startTerminal(
    terminalConfigSchema.parse({
      serverUrl,
      pairingCode: `PAIR-${terminalId.toUpperCase()}`,
      port: 0,
      dataDir: dir,
      simulate: true,
      serverTimeoutMs: 800,
      ...extra,
    }),
    { log: createLogger('silent'), simulatedDevices: createSimulatedDevices },
  );
  return Object.assign(t, { dir });
}

/** Polls until `fn` is truthy: for effects that arrive over sockets, with a generous bound, not a timing claim. */
export async function until<T>(fn: () => T | Promise<T>, what: string, ms = 10_000): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
