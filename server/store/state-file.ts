/**
 * The reference state (unions, members, cards, merchants, offers, users) as a lowdb snapshot (state.json,
 * validated on read, fsync'd) plus a journal of the changes since (state.journal): one admin write
 * appends one small record instead of rewriting the whole file (state-journal.ts). lowdb's own JSONFile
 * never fsyncs and JSONFilePreset silently switches to memory under NODE_ENV=test.
 */
import { z } from 'zod';
import {
  cardSchema,
  memberSchema,
  merchantSchema,
  offerSchema,
  orgSchema,
  storeSchema,
  terminalSchema,
  unionSettingsSchema,
  userSchema,
} from '../../core/domain.ts';
import { statementSchema } from '../../core/wire-portal.ts';
import { journalMarkSchema, StateJournal, type StateJournalOptions } from './state-journal.ts';

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
  /** Each union's settings (anomaly thresholds); absent in files written before them. */
  unionSettings: z.array(unionSettingsSchema).default([]),
  /** The last state.journal record this snapshot includes; absent before the journal (and in memory). */
  journal: journalMarkSchema.optional(),
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
  unionSettings: [],
});

export function openStateFile(file: string, opts: Pick<StateJournalOptions<State>, 'foldAfter' | 'onNotice'> = {}): StateJournal<State> {
  return StateJournal.open<State>({ file, schema: stateSchema, empty: emptyState, ...opts });
}

/** The state as it stands (snapshot plus journal), without touching the files: for tools run beside a server. */
export function readState(file: string): State {
  return StateJournal.peek<State>({ file, schema: stateSchema, empty: emptyState });
}
