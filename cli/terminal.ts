/** `huika terminal --server URL [--pairing-code C] [--port N] [--data DIR] [--simulate] [--config FILE]` */
import { resolve } from 'node:path';
import { loadTerminalConfig } from '../terminal/config.ts';
import { createSimulatedDevices } from '../simulator/terminal-devices.ts';
import { startTerminal, TerminalStartError } from '../terminal/index.ts';
import { parseFlags, UsageError } from './main.ts';
import { serveUntilSignal } from './serve-until-signal.ts';

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags({
    args: argv,
    options: {
      server: { type: 'string' },
      'pairing-code': { type: 'string' },
      port: { type: 'string' },
      data: { type: 'string' },
      host: { type: 'string' },
      simulate: { type: 'boolean' },
      config: { type: 'string' },
      'log-level': { type: 'string' },
    },
  });
  const loaded = loadTerminalConfig(values, process.env);
  if (!loaded.ok) throw new UsageError(loaded.message);
  const cfg = { ...loaded.config, dataDir: resolve(loaded.config.dataDir) };
  try {
    // The command line is where the simulator is plugged in: terminal/ never imports it.
    const t = await startTerminal(cfg, { simulatedDevices: createSimulatedDevices });
    // One plain line, not only a log record: the person at the till must see why the scanner is silent.
    if (t.devices.unavailable) process.stderr.write(`huika terminal: ${t.devices.unavailable}\n`);
    process.stdout.write(
      `Huika terminal ${t.enrollment.terminalId} (${t.enrollment.storeId}): cashier page ${t.url}/  local API ${t.url}/api/v1\n`,
    );
    return await serveUntilSignal(async () => {
      await t.close();
    });
  } catch (err) {
    const e = err as Error & { code?: string };
    if (err instanceof TerminalStartError || (e.code && ['TERMINAL_STATE_CORRUPT', 'DATA_DIR_LOCKED', 'EADDRINUSE'].includes(e.code))) {
      process.stderr.write(`huika terminal: ${e.code}: ${e.message}\n`);
      return 1;
    }
    throw err;
  }
}
