/**
 * Terminal configuration: one zod schema over flags, HUIKA_* environment variables and an optional
 * JSON file (--config or HUIKA_TERMINAL_CONFIG), parsed once at start. Documented in the README.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { fen } from '../core/domain.ts';

const deviceSchema = z.object({
  id: z.string().min(1),
  kind: z.enum(['hid-pos', 'hid-keyboard', 'msr-hid', 'msr-keyboard']),
  match: z.union([
    z.object({ vendorId: z.number().int(), productId: z.number().int(), usagePage: z.number().int().optional() }),
    z.object({ path: z.string().min(1) }),
  ]),
  /** Send Honeywell's "switch to HID POS" feature report after opening. */
  honeywellPosMode: z.boolean().default(false),
});
export type DeviceSetting = z.infer<typeof deviceSchema>;

export const terminalConfigSchema = z.object({
  serverUrl: z.url(),
  pairingCode: z.string().min(1).optional(),
  port: z.coerce.number().int().min(0).max(65535).default(8090),
  /** Loopback by default: the local API has no login, it trusts the till it runs on. */
  host: z.string().default('127.0.0.1'),
  dataDir: z.string().min(1).default('.huika/terminal'),
  simulate: z.boolean().default(false),
  devices: z.array(deviceSchema).default([]),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** The merchant's per-sale maximum: a larger amount is keyed again or confirmed at the till (¥99,999,999 once went through). */
  maxSaleFen: fen.min(1).default(5_000_000),
  /** How long to wait for the server before answering from the offline snapshot. */
  serverTimeoutMs: z.coerce.number().int().min(100).max(30_000).default(2500),
  offline: z
    .object({
      /** Offline redemptions per card (or member) per local day. */
      perCardPerDay: z.number().int().min(0).default(2),
      /** Offline redemptions this terminal may hold before it stops granting more. */
      maxQueued: z.number().int().min(0).default(200),
      /** Largest discount one offline sale may get. */
      maxDiscountFen: fen.default(20_000),
    })
    .default({ perCardPerDay: 2, maxQueued: 200, maxDiscountFen: 20_000 }),
});
export type TerminalConfig = z.infer<typeof terminalConfigSchema>;

type Flags = {
  server?: string;
  'pairing-code'?: string;
  port?: string;
  data?: string;
  simulate?: boolean;
  host?: string;
  config?: string;
  'log-level'?: string;
};

export function loadTerminalConfig(
  flags: Flags,
  env: NodeJS.ProcessEnv,
): { ok: true; config: TerminalConfig } | { ok: false; message: string } {
  let file: Record<string, unknown> = {};
  const path = flags.config ?? env.HUIKA_TERMINAL_CONFIG;
  if (path) {
    try {
      file = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      return { ok: false, message: `cannot read config file ${path}: ${(err as Error).message}` };
    }
  }
  const pick = <T>(...xs: T[]) => xs.find((x) => x !== undefined);
  const raw = {
    ...file,
    serverUrl: pick(flags.server, env.HUIKA_SERVER_URL, file.serverUrl),
    pairingCode: pick(flags['pairing-code'], env.HUIKA_PAIRING_CODE, file.pairingCode),
    port: pick(flags.port, env.HUIKA_TERMINAL_PORT, file.port),
    host: pick(flags.host, env.HUIKA_TERMINAL_HOST, file.host),
    dataDir: pick(flags.data, env.HUIKA_TERMINAL_DATA, file.dataDir),
    simulate: pick(flags.simulate, env.HUIKA_SIMULATE ? env.HUIKA_SIMULATE === '1' : undefined, file.simulate),
    logLevel: pick(flags['log-level'], env.HUIKA_LOG_LEVEL, file.logLevel),
  };
  const parsed = terminalConfigSchema.safeParse(Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)));
  if (!parsed.success) {
    return { ok: false, message: parsed.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`).join('; ') };
  }
  return { ok: true, config: parsed.data };
}
