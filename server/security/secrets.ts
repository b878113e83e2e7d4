/**
 * Per-data-directory secret keys, created once (mode 0600) and never logged.
 * - pan: keys the hash under which card numbers are stored, so a copied data file reveals no PAN.
 * - session: signs portal session tokens.
 * - qr: signs member QR tokens (key ids allow rotation: old tokens die within 60 s anyway).
 * - offline: keys the hashes of card numbers and member numbers in terminals' offline snapshots.
 *   Terminals hold it, so it is separate from `pan`: a stolen terminal does not expose the server's hashes.
 * - signing: Ed25519 key pair; terminals pin the public key at enrollment and check every snapshot.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileDurably } from '../../platform/durable-file.ts';

const secretsSchema = z.object({
  pan: z.string().length(64),
  session: z.string().length(64),
  qr: z.record(z.string().regex(/^[a-z0-9]{1,4}$/), z.string().length(64)),
  qrCurrent: z.string(),
  offline: z.string().length(64),
  signing: z.object({ publicKey: z.string(), privateKey: z.string() }),
});
export type Secrets = z.infer<typeof secretsSchema>;

export class SecretsCorruptError extends Error {
  readonly code = 'SECRETS_CORRUPT';
}

export function loadOrCreateSecrets(dir: string): Secrets {
  const file = join(dir, 'secrets.json');
  if (existsSync(file)) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      throw new SecretsCorruptError(
        `${file} is not valid JSON; restore it from a backup (without it stored card hashes cannot be matched)`,
      );
    }
    const parsed = secretsSchema.safeParse(raw);
    if (!parsed.success)
      throw new SecretsCorruptError(
        `${file} is damaged (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}); restore it from a backup`,
      );
    return parsed.data;
  }
  const hex = () => randomBytes(32).toString('hex');
  const pair = generateKeyPairSync('ed25519');
  const secrets: Secrets = {
    pan: hex(),
    session: hex(),
    qr: { k1: hex() },
    qrCurrent: 'k1',
    offline: hex(),
    signing: {
      publicKey: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      privateKey: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    },
  };
  writeFileDurably(file, JSON.stringify(secrets, null, 2));
  return secrets;
}
