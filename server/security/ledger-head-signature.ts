/**
 * Signed ledger heads for union auditors, in the spirit of Certificate Transparency's signed tree heads:
 * the server signs (seq, hash, time) of its ledger with its Ed25519 key (the one terminals pin at
 * enrolment, secrets.json `signing`). An auditor who keeps one signed head can later ask whether today's
 * ledger still holds that hash at that seq: a rewrite or truncation of history then cannot go unseen,
 * and the signature proves which server claimed the old head.
 *
 * Why a text with a fixed prefix: the key also signs offline snapshots (JSON); a head can never be
 * mistaken for a snapshot signature, nor the other way round.
 */
import { sign, verify } from 'node:crypto';
import type { SignedLedgerHead } from '../../core/wire-audit.ts';

export const HEAD_PREFIX = 'huika-ledger-head/1';

export const signedText = (h: { seq: number; hash: string; at: string }) => `${HEAD_PREFIX}\n${h.seq}\n${h.hash}\n${h.at}`;

export function signLedgerHead(
  head: { seq: number; hash: string },
  at: Date,
  key: { publicKey: string; privateKey: string },
): SignedLedgerHead {
  const h = { seq: head.seq, hash: head.hash, at: at.toISOString() };
  const signed = signedText(h);
  return { ...h, signed, signature: sign(null, Buffer.from(signed), key.privateKey).toString('base64'), publicKey: key.publicKey };
}

/** Checks a signed head against a public key the auditor trusts (not the one inside the head). */
export function verifyLedgerHead(h: SignedLedgerHead, publicKey: string): boolean {
  if (h.signed !== signedText(h)) return false;
  try {
    return verify(null, Buffer.from(h.signed), publicKey, Buffer.from(h.signature, 'base64'));
  } catch {
    return false;
  }
}
