import { Router } from 'express';
import { AppError } from '../../core/errors.ts';
import { enrollRequestSchema, type EnrollResponse } from '../../core/wire.ts';
import type { AppContext } from '../context.ts';
import { parseOr400, route } from '../http/errors.ts';
import { randomToken, sha256 } from '../security/hashing.ts';

export function terminalsRouter(ctx: AppContext): Router {
  const r = Router();
  r.post(
    '/terminals/enroll',
    route(async (req, res) => {
      const { pairingCode } = parseOr400(enrollRequestSchema, req.body);
      const token = randomToken('tt_');
      const t = await ctx.store.enrollTerminal(sha256(pairingCode.trim().toUpperCase()), sha256(token), ctx.now());
      if (!t) throw new AppError('PAIRING_CODE_INVALID');
      const shop = await ctx.store.shop(t.storeId);
      ctx.log.info({ terminalId: t.id, storeId: t.storeId }, 'terminal enrolled');
      // The terminal pins this key and checks every offline snapshot against it.
      const body: EnrollResponse = {
        terminalId: t.id,
        token,
        storeId: t.storeId,
        merchantId: shop!.merchantId,
        serverPublicKey: ctx.secrets.signing.publicKey,
      };
      res.status(201).json(body);
    }),
  );
  return r;
}
