/**
 * Server configuration: one zod schema over flags and HUIKA_* environment variables (flags win),
 * parsed once at start. Each key is documented in the README.
 */
import { z } from 'zod';
import { AppError } from '../core/errors.ts';
import { issuesToDetails } from '../core/wire.ts';

export const serverConfigSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(8080),
  host: z.string().default('127.0.0.1'),
  dataDir: z.string().min(1).default('.huika/server'),
  demo: z.boolean().default(false),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  quoteTtlSeconds: z.coerce.number().int().min(10).max(3600).default(120),
  /** Most open quotes kept at once (~610 bytes each); beyond it quotes answer 503 QUOTES_FULL. */
  maxQuotes: z.coerce.number().int().min(100).max(10_000_000).default(250_000),
  offlineMaxAgeSeconds: z.coerce
    .number()
    .int()
    .min(60)
    .max(7 * 24 * 3600)
    .default(24 * 3600),
  /** Served over HTTPS (directly or behind a proxy): the session cookie is marked Secure. */
  secureCookies: z.boolean().default(false),
  /** postgres://… : PostgreSQL instead of the embedded store. */
  db: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'a postgres:// or postgresql:// URL')
    .optional(),
  /** PostgreSQL connections per instance. */
  dbPoolSize: z.coerce.number().int().min(1).max(500).default(10),
  /** redis://… : instances on one database share events and rate limits. */
  redis: z
    .string()
    .regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL')
    .optional(),
  /** How long a server draining on SIGTERM waits for requests in flight, seconds. */
  drainSeconds: z.coerce.number().int().min(0).max(600).default(10),
  /** After SIGTERM, how long /ready answers 503 while requests are still served, before new connections are refused, seconds. */
  drainGraceSeconds: z.coerce.number().min(0).max(60).default(1),
  /** How long a portal session lasts; never more than a day (server/security/session-token.ts). */
  sessionHours: z.coerce.number().int().min(1).max(24).default(12),
});
export type ServerConfig = z.infer<typeof serverConfigSchema>;

type Flags = { port?: string; data?: string; demo?: boolean; host?: string; 'log-level'?: string; db?: string; redis?: string };

export function loadServerConfig(flags: Flags, env: NodeJS.ProcessEnv): ServerConfig {
  const raw = {
    port: flags.port ?? env.HUIKA_PORT,
    host: flags.host ?? env.HUIKA_HOST,
    dataDir: flags.data ?? env.HUIKA_DATA,
    demo: flags.demo ?? (env.HUIKA_DEMO ? env.HUIKA_DEMO === '1' || env.HUIKA_DEMO === 'true' : undefined),
    logLevel: flags['log-level'] ?? env.HUIKA_LOG_LEVEL,
    quoteTtlSeconds: env.HUIKA_QUOTE_TTL_SECONDS,
    maxQuotes: env.HUIKA_MAX_QUOTES,
    offlineMaxAgeSeconds: env.HUIKA_OFFLINE_MAX_AGE_SECONDS,
    secureCookies: env.HUIKA_SECURE_COOKIES ? env.HUIKA_SECURE_COOKIES === '1' || env.HUIKA_SECURE_COOKIES === 'true' : undefined,
    sessionHours: env.HUIKA_SESSION_HOURS,
    db: flags.db ?? env.DATABASE_URL,
    dbPoolSize: env.HUIKA_DB_POOL,
    redis: flags.redis ?? env.REDIS_URL,
    drainSeconds: env.HUIKA_DRAIN_SECONDS,
    drainGraceSeconds: env.HUIKA_DRAIN_GRACE_SECONDS,
  };
  const parsed = serverConfigSchema.safeParse(Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)));
  if (!parsed.success) {
    const d = issuesToDetails(parsed.error)
      .map((x) => `${x.path}: ${x.message}`)
      .join('; ');
    throw new AppError('VALIDATION_FAILED', `bad configuration: ${d}`);
  }
  return parsed.data;
}
