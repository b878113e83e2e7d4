/** Credential → member (and card), or the reason there is none. Raw PAN/track text stops here. */
import { parseCredential, type CredentialType } from '../../core/credentials.ts';
import type { Card, Member } from '../../core/domain.ts';
import { AppError } from '../../core/errors.ts';
import { memberRefusal } from '../../core/rules/eligibility.ts';
import type { ReasonCode } from '../../core/rules/reasons.ts';
import { panHash } from '../security/hashing.ts';
import { verifyMemberQr } from '../security/member-qr.ts';
import { looksLikeMemberCode } from '../../core/member-code.ts';
import { verifyMemberCode } from '../security/member-code.ts';
import { activeDeviceKey } from './member-session.ts';
import type { AppContext } from '../context.ts';

export type Resolved =
  | { ok: true; member: Member; card?: Card; cardLast4?: string; qrNonce?: string }
  | { ok: false; code: ReasonCode; detail?: string; member?: Member; cardLast4?: string };

export async function resolveMember(ctx: AppContext, type: CredentialType, data: string): Promise<Resolved> {
  const parsed = parseCredential(type, data);
  if (!parsed.ok)
    throw new AppError('VALIDATION_FAILED', `credential.data: ${parsed.message}`, [{ path: 'credential.data', message: parsed.message }]);
  const c = parsed.value;
  let member: Member | undefined;
  let card: Card | undefined;
  let qrNonce: string | undefined;
  let cardLast4: string | undefined;
  if (c.kind === 'member_no') {
    member = await ctx.store.memberByNo(c.memberNo);
  } else if (c.kind === 'pan') {
    cardLast4 = c.last4;
    card = await ctx.store.cardByPanHash(panHash(ctx.secrets.pan, c.pan));
    member = card ? await ctx.store.member(card.memberId) : undefined;
  } else if (looksLikeMemberCode(c.token)) {
    // A living code from the member page (core/member-code.ts): the device names the member.
    let memberId: string | undefined;
    const check = await verifyMemberCode(c.token, ctx.now().getTime(), async (id) => {
      const k = await activeDeviceKey(ctx, id);
      memberId = k?.device.memberId;
      return k?.key;
    });
    if (!check.ok) return { ok: false, code: check.code, detail: check.detail };
    if (await ctx.store.qrNonceUsed(check.nonce)) return { ok: false, code: 'QR_REPLAYED' };
    member = memberId ? await ctx.store.member(memberId) : undefined;
    qrNonce = check.nonce;
  } else {
    const check = verifyMemberQr(ctx.secrets, c.token, ctx.now().getTime());
    if (!check.ok) return { ok: false, code: check.code, detail: check.detail };
    if (await ctx.store.qrNonceUsed(check.nonce)) return { ok: false, code: 'QR_REPLAYED' };
    member = await ctx.store.memberByNo(check.memberNo);
    qrNonce = check.nonce;
  }
  const refusal = memberRefusal(member, card);
  if (refusal) return { ok: false, code: refusal, ...(member ? { member } : {}), ...(cardLast4 ? { cardLast4 } : {}) };
  return { ok: true, member: member!, ...(card ? { card } : {}), ...(cardLast4 ? { cardLast4 } : {}), ...(qrNonce ? { qrNonce } : {}) };
}
