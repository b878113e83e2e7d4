/** One place where errors become HTTP answers: AppError → its code; anything else → 500, logged in full. */
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { AppError, ERRORS } from '../../core/errors.ts';
import { issuesToDetails } from '../../core/wire.ts';
import { bilingualError } from '../../core/zod-messages.ts';

export function parseOr400<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query' | 'params' = 'body'): z.infer<S> {
  const r = schema.safeParse(value, { error: bilingualError });
  if (!r.success) {
    const where_ = { body: '请求内容', query: '查询参数', params: '路径参数' }[where];
    throw new AppError(
      'VALIDATION_FAILED',
      `${where_}无效 · The request ${where} is not valid: ${issuesToDetails(r.error)
        .map((d) => `${d.path}: ${d.message}`)
        .join('; ')}`,
      issuesToDetails(r.error),
    );
  }
  return r.data;
}

/** Express 5 forwards rejected promises itself; this only narrows the handler type. */
export const route =
  (fn: (req: Request, res: Response, next: NextFunction) => Promise<unknown>): RequestHandler =>
  (req, res, next) =>
    fn(req, res, next);

/**
 * The body parsers' and router's own errors (http-errors, with `status` and `expose`) are the client's
 * fault: a body that is not the gzip it claims, an unknown encoding or charset, `%ZZ` in a parameter.
 * They become our codes instead of 500s.
 */
function clientError(err: {
  status?: unknown;
  statusCode?: unknown;
  expose?: unknown;
  message?: unknown;
  type?: unknown;
}): AppError | undefined {
  const status = typeof err.status === 'number' ? err.status : typeof err.statusCode === 'number' ? err.statusCode : undefined;
  if (status === undefined || status < 400 || status >= 500 || err.expose === false) return undefined;
  const what = typeof err.message === 'string' ? err.message.slice(0, 200) : 'bad request';
  if (status === 413) return new AppError('PAYLOAD_TOO_LARGE');
  if (status === 415) return new AppError('UNSUPPORTED_MEDIA_TYPE', `${ERRORS.UNSUPPORTED_MEDIA_TYPE.message} (${what})`);
  return new AppError('VALIDATION_FAILED', `The request could not be read: ${what}`, [
    { path: typeof err.type === 'string' ? `(${err.type})` : '(request)', message: what },
  ]);
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (res.headersSent) return;
    let e: AppError;
    if (err instanceof AppError) e = err;
    else if (err?.type === 'entity.parse.failed')
      e = new AppError('VALIDATION_FAILED', 'The request body is not valid JSON.', [{ path: '(body)', message: 'invalid JSON' }]);
    else if (err?.type === 'entity.too.large') e = new AppError('PAYLOAD_TOO_LARGE');
    else if (err?.code === 'STORAGE_FAILED') {
      log.error({ err: { message: err.message } }, 'storage failure');
      e = new AppError('STORAGE_FAILED');
    } else {
      const known = err && typeof err === 'object' ? clientError(err) : undefined;
      if (known) e = known;
      else {
        // One line per unknown error: its message and where it was thrown, not a stack for every frame.
        const where =
          typeof err?.stack === 'string'
            ? err.stack
                .split('\n')
                .slice(1, 3)
                .map((l: string) => l.trim())
                .join(' < ')
            : undefined;
        log.error(
          {
            err: { type: err?.constructor?.name, message: String(err?.message ?? err).slice(0, 500), where },
            method: req.method,
            path: req.path,
          },
          'unhandled error',
        );
        e = new AppError('INTERNAL');
      }
    }
    const retry = (e.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
    if (e.code === 'RATE_LIMITED' && typeof retry === 'number') res.set('Retry-After', String(retry));
    res.status(e.status).json(e.toBody());
  };
}

export const notFound: RequestHandler = (req, _res, next) => next(new AppError('NOT_FOUND', `No route ${req.method} ${req.path}.`));
