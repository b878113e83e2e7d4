/**
 * The small, rarely written reference state (unions, members, cards, merchants, offers, users) in one
 * JSON file through lowdb, with an adapter that validates on read and fsyncs on write. lowdb's own
 * JSONFile never fsyncs and JSONFilePreset silently switches to memory under NODE_ENV=test.
 */
import { existsSync, readFileSync } from 'node:fs';
import { LowSync, type SyncAdapter } from 'lowdb';
import { z } from 'zod';
import { cardSchema, memberSchema, merchantSchema, offerSchema, orgSchema, storeSchema, terminalSchema, userSchema } from '../../core/domain.ts';
import { writeFileDurably } from './ledger-file.ts';

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
});

export class StateCorruptError extends Error {
  readonly code = 'STATE_CORRUPT';
}

class ValidatedDurableJsonFile implements SyncAdapter<State> {
  constructor(private readonly file: string) {}
  read(): State | null {
    if (!existsSync(this.file)) return null;
    const text = readFileSync(this.file, 'utf8');
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new StateCorruptError(
        // V8 quotes the start of the file in its message: escape control bytes so the refusal stays one line.
        `${this.file} is not valid JSON (${oneLine((err as Error).message)}); it was left untouched. Restore it from a backup; huika will not overwrite it.`,
      );
    }
    const parsed = stateSchema.safeParse(raw);
    if (!parsed.success) {
      const i = parsed.error.issues[0]!;
      throw new StateCorruptError(`${this.file} is damaged at ${i.path.join('.') || '(root)'}: ${i.message}; it was left untouched. Restore it from a backup.`);
    }
    return parsed.data;
  }
  write(data: State): void {
    writeFileDurably(this.file, JSON.stringify(data));
  }
}

const oneLine = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

export function openStateFile(file: string): LowSync<State> {
  const db = new LowSync<State>(new ValidatedDurableJsonFile(file), emptyState());
  db.read();
  return db;
}
