/** One place where errors become HTTP answers: AppError → its code; anything else → 500, logged in full. */
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import { issuesToDetails } from '../../core/wire.ts';

export function parseOr400<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query' | 'params' = 'body'): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    throw new AppError('VALIDATION_FAILED', `The request ${where} is not valid: ${issuesToDetails(r.error).map((d) => `${d.path}: ${d.message}`).join('; ')}`, issuesToDetails(r.error));
  }
  return r.data;
}

/** Express 5 forwards rejected promises itself; this only narrows the handler type. */
export const route =
  (fn: (req: Request, res: Response, next: NextFunction) => Promise<unknown>): RequestHandler =>
  (req, res, next) =>
    fn(req, res, next);

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (res.headersSent) return;
    let e: AppError;
    if (err instanceof AppError) e = err;
    else if (err?.type === 'entity.parse.failed') e = new AppError('VALIDATION_FAILED', 'The request body is not valid JSON.', [{ path: '(body)', message: 'invalid JSON' }]);
    else if (err?.type === 'entity.too.large') e = new AppError('PAYLOAD_TOO_LARGE');
    else if (err?.code === 'STORAGE_FAILED') {
      log.error({ err: { message: err.message } }, 'storage failure');
      e = new AppError('STORAGE_FAILED');
    } else {
      log.error({ err, method: req.method, path: req.path }, 'unhandled error');
      e = new AppError('INTERNAL');
    }
    res.status(e.status).json(e.toBody());
  };
}

export const notFound: RequestHandler = (req, _res, next) => next(new AppError('NOT_FOUND', `No route ${req.method} ${req.path}.`));
