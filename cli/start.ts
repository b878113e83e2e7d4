/**
 * `huika start` (what `npm start` runs): a server with the demo data and a simulated terminal at
 * 民贸公司 康定店, on the embedded store under .huika/demo, and the URLs to open.
 */
import { resolve } from 'node:path';
import { startServer } from '../server/index.ts';
import { createLogger } from '../platform/logger.ts';
import { terminalConfigSchema } from '../terminal/config.ts';
import { startTerminal } from '../terminal/index.ts';
import { createSimulatedDevices } from '../simulator/terminal-devices.ts';
import { parseFlags } from './main.ts';
import { serveUntilSignal } from './serve-until-signal.ts';

export async function run(argv: string[]): Promise<number> {
  const { values: v } = parseFlags({
    args: argv,
    options: {
      port: { type: 'string', default: process.env.HUIKA_PORT ?? '8080' },
      'terminal-port': { type: 'string', default: process.env.HUIKA_TERMINAL_PORT ?? '8090' },
      data: { type: 'string', default: process.env.HUIKA_DATA ?? '.huika/demo' },
      'log-level': { type: 'string', default: process.env.HUIKA_LOG_LEVEL ?? 'warn' },
    },
  });
  const dir = resolve(v.data);
  const log = createLogger(v['log-level']);
  try {
    const server = await startServer({ dataDir: `${dir}/server`, port: Number(v.port), demo: true, log });
    const terminal = await startTerminal(
      terminalConfigSchema.parse({
        serverUrl: server.url,
        pairingCode: 'PAIR-T-MINMAO-1',
        port: v['terminal-port'],
        dataDir: `${dir}/terminal`,
        simulate: true,
        logLevel: v['log-level'],
      }),
      { log, simulatedDevices: createSimulatedDevices },
    );
    process.stdout.write(
      [
        '',
        'Huika is running with demo data (惠卡 演示数据).',
        `  Cashier page (民贸公司 康定店, simulated devices):  ${terminal.url}/`,
        `  Merchant / union portal (sign in):               ${server.url}/portal`,
        `  Administration:                                  ${server.url}/admin`,
        `  Server API:                                      ${server.url}/api/v1/health`,
        '',
        '  Try member number 5133000017, card 6217996600000000015, or a member QR:',
        `    node bin/huika.js member-qr 5133000017 --data ${dir}/server`,
        `  Simulate a scanner: curl -XPOST ${terminal.url}/api/v1/simulate/scan -H 'content-type: application/json' -d '{"device":"hid-pos","text":"5133000017"}'`,
        '  Demo users (password demo-pass): admin, gz-auditor, kd-auditor, minmao-admin, xlk-admin',
        '  Stop with Ctrl+C.',
        '',
      ].join('\n'),
    );
    return await serveUntilSignal(async () => {
      await terminal.close();
      await server.close();
    });
  } catch (err) {
    const e = err as Error & { code?: string };
    if (e.code) {
      process.stderr.write(`huika start: ${e.code}: ${e.message}\n`);
      return 1;
    }
    throw err;
  }
}
