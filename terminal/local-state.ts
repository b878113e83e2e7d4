/**
 * The terminal's own durable state in lowdb (terminal.json, mode 0600 since it holds the terminal
 * token): its enrollment, cards revoked since the last snapshot, and the offline outbox.
 * The snapshot lives in its own file: it is large and rarely written, the outbox small and often.
 */
import { LowSync } from 'lowdb';
import { join } from 'node:path';
import { z } from 'zod';
import { reasonSchema } from '../core/wire.ts';
import { offlineRedemptionSchema } from '../core/wire-terminal.ts';
import { ValidatedJsonFile } from '../platform/durable-file.ts';

export const enrollmentSchema = z.object({
  serverUrl: z.string(),
  terminalId: z.string(),
  token: z.string(),
  storeId: z.string(),
  merchantId: z.string(),
  serverPublicKey: z.string(),
});
export type Enrollment = z.infer<typeof enrollmentSchema>;

export const outboxEntrySchema = z.object({
  item: offlineRedemptionSchema,
  state: z.enum(['pending', 'accepted', 'flagged', 'rejected']),
  reasons: z.array(reasonSchema).default([]),
  memberNoMasked: z.string(),
  queuedAt: z.string(),
  uploadedAt: z.string().optional(),
  serverId: z.string().optional(),
  serverHash: z.string().optional(),
});
export type OutboxEntry = z.infer<typeof outboxEntrySchema>;

export const terminalStateSchema = z.object({
  format: z.literal('huika-terminal/1'),
  enrollment: enrollmentSchema.nullable(),
  revokedCardIds: z.array(z.string()).default([]),
  outbox: z.array(outboxEntrySchema).default([]),
});
export type TerminalState = z.infer<typeof terminalStateSchema>;

export function openLocalState(dir: string): LowSync<TerminalState> {
  const db = new LowSync<TerminalState>(new ValidatedJsonFile(join(dir, 'terminal.json'), terminalStateSchema, 'TERMINAL_STATE_CORRUPT'), {
    format: 'huika-terminal/1',
    enrollment: null,
    revokedCardIds: [],
    outbox: [],
  });
  db.read();
  return db;
}
