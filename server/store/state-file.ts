/**
 * The small, rarely written reference state (unions, members, cards, merchants, offers, users) in one
 * JSON file through lowdb, with an adapter that validates on read and fsyncs on write. lowdb's own
 * JSONFile never fsyncs and JSONFilePreset silently switches to memory under NODE_ENV=test.
 */
import { LowSync } from 'lowdb';
import { z } from 'zod';
import {
  cardSchema,
  memberSchema,
  merchantSchema,
  offerSchema,
  orgSchema,
  storeSchema,
  terminalSchema,
  userSchema,
} from '../../core/domain.ts';
import { statementSchema } from '../../core/wire-portal.ts';
import { ValidatedJsonFile } from '../../platform/durable-file.ts';

export const stateSchema = z.object({
  format: z.literal('huika-state/1'),
  orgs: z.array(orgSchema),
  members: z.array(memberSchema),
  cards: z.array(cardSchema),
  merchants: z.array(merchantSchema),
  stores: z.array(storeSchema),
  terminals: z.array(terminalSchema),
  offers: z.array(offerSchema),
  users: z.array(userSchema),
  /** Union settlement statements (draft → approved → paid); absent in files written before them. */
  statements: z.array(statementSchema).default([]),
  /** Portal sessions ended before their expiry (sign-out), dropped once expired. */
  revokedSessions: z.array(z.object({ id: z.string().min(1).max(64), expiresAt: z.iso.datetime({ offset: true }) })).default([]),
});
export type State = z.infer<typeof stateSchema>;

export const emptyState = (): State => ({
  format: 'huika-state/1',
  orgs: [],
  members: [],
  cards: [],
  merchants: [],
  stores: [],
  terminals: [],
  offers: [],
  users: [],
  statements: [],
  revokedSessions: [],
});

export function openStateFile(file: string): LowSync<State> {
  const db = new LowSync<State>(new ValidatedJsonFile(file, stateSchema, 'STATE_CORRUPT'), emptyState());
  db.read();
  return db;
}
