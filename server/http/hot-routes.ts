/**
 * The till's two calls (POST /api/v1/quotes and /api/v1/redemptions) in their everyday form, answered by
 * one layer at the front of the app instead of a walk through seven (issue 13). It takes only requests
 * whose every answer it can give exactly as the full chain would: the exact path, a plain JSON body of a
 * declared length within the parser's limit, no content coding, a Bearer token. Anything else (a query
 * string, gzip, another charset, a cookie, chunked, an empty body) goes on to the full chain, which still
 * serves these routes. What the chain does and this layer does instead:
 * - security headers: the same block, worked out once from the same middleware (headerBlock);
 * - path and charset checks: the exact path and content type it accepts pass them by construction;
 * - body: read and parsed as body-parser's strict JSON parser does (a BOM dropped, `{`/`[` first);
 * - cookie-write check: a Bearer request passes it;
 * - authentication, the route's own checks and the service: the same functions;
 * - errors: the same error handler, after the same headers;
 * - metrics: the same series, observed through pre-bound children.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AppError } from '../../core/errors.ts';
import type { AppContext } from '../context.ts';
import { quoteAnswer } from '../routes/quotes.ts';
import { redemptionAnswer } from '../routes/redemptions.ts';
import { authenticate } from './auth.ts';
import { errorHandler } from './errors.ts';

/** The body parser's limit in app.ts (express.json({ limit: '64kb' })). */
export const JSON_LIMIT_BYTES = 64 * 1024;

/**
 * The headers a header-setting middleware sets, captured once by running it against a recording
 * response. Only for middleware whose headers do not depend on the request (helmet with static
 * directives, as platform/security-headers.ts configures it); it must call next() synchronously.
 */
export function headerBlock(mw: RequestHandler): Array<[name: string, value: string]> {
  const out: Array<[string, string]> = [];
  const recorder = {
    setHeader(name: string, value: unknown) {
      const at = out.findIndex(([n]) => n.toLowerCase() === name.toLowerCase());
      if (at >= 0) out.splice(at, 1);
      out.push([name, String(value)]);
    },
    removeHeader(name: string) {
      const at = out.findIndex(([n]) => n.toLowerCase() === name.toLowerCase());
      if (at >= 0) out.splice(at, 1);
    },
    getHeader: () => undefined,
  };
  let done = false;
  void mw(
    { headers: {}, method: 'GET', url: '/' } as Request,
    recorder as unknown as Response,
    ((err?: unknown) => {
      if (err) throw err;
      done = true;
    }) as NextFunction,
  );
  if (!done) throw new Error('headerBlock: the middleware did not finish synchronously');
  return out;
}

/** The captured block as middleware: what helmet did per request, now a few setHeader calls. */
export function fixedHeaders(block: ReadonlyArray<[string, string]>): RequestHandler {
  return (_req, res, next) => {
    for (const [name, value] of block) res.setHeader(name, value);
    next();
  };
}

const PLAIN_JSON = /^application\/json(?:;\s*charset="?utf-8"?)?$/i;

/** Requests this layer answers; every other request goes on to the full chain. */
function isEveryday(h: IncomingHttpHeaders): boolean {
  const len = h['content-length'];
  const type = h['content-type'];
  const auth = h.authorization;
  if (len === undefined || type === undefined || auth === undefined) return false;
  if (h['content-encoding'] !== undefined || h['transfer-encoding'] !== undefined || h.cookie !== undefined) return false;
  if (!auth.startsWith('Bearer ') || !PLAIN_JSON.test(type)) return false;
  const n = Number(len);
  return n > 0 && n <= JSON_LIMIT_BYTES && /^\d+$/.test(len);
}

/** The body, or undefined when the client went away before sending it all (nobody left to answer). */
function readBody(req: Request): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      chunks.push(c);
      size += c.length;
    });
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    req.once('error', () => resolve(undefined));
    req.once('close', () => {
      if (!req.complete) resolve(undefined);
    });
  });
}

const NOT_JSON = () =>
  new AppError('VALIDATION_FAILED', 'The request body is not valid JSON.', [{ path: '(body)', message: 'invalid JSON' }]);

/** body-parser's strict JSON (iconv-lite drops a UTF-8 BOM; the first non-space must open an object or array). */
export function parseStrictJson(buf: Buffer): unknown {
  const start = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  const text = buf.toString('utf8', start);
  const first = /^[\x20\x09\x0a\x0d]*([^\x20\x09\x0a\x0d])/.exec(text)?.[1];
  if (first !== '{' && first !== '[') throw NOT_JSON();
  try {
    return JSON.parse(text);
  } catch {
    throw NOT_JSON();
  }
}

/** The front layer. `block` is the security header block the rest of the app sends. */
export function hotRoutes(ctx: AppContext, block: ReadonlyArray<[string, string]>): RequestHandler {
  const flat: string[] = block.flat();
  const auth = authenticate(ctx);
  const onError = errorHandler(ctx.log);
  type Hot = { metric: 'quotes' | 'redemptions'; answer: (req: Request) => Promise<{ status: number; body: unknown }> };
  const routes = new Map<string, Hot>([
    ['/api/v1/quotes', { metric: 'quotes', answer: async (req) => ({ status: 200, body: await quoteAnswer(ctx, req) }) }],
    [
      '/api/v1/redemptions',
      {
        metric: 'redemptions',
        answer: async (req) => {
          const out = await redemptionAnswer(ctx, req);
          return { status: out.status, body: out.redemption };
        },
      },
    ],
  ]);
  const authenticated = (req: Request, res: Response) =>
    new Promise<void>((resolve, reject) => {
      auth(req, res, (err?: unknown) => (err ? reject(err) : resolve())).catch(reject);
    });

  return (req, res, next) => {
    const route = req.method === 'POST' ? routes.get(req.url) : undefined;
    if (!route || !isEveryday(req.headers)) return next();
    const start = ctx.metrics ? process.hrtime.bigint() : 0n;
    void (async () => {
      try {
        const buf = await readBody(req);
        if (!buf) return;
        req.body = parseStrictJson(buf);
        await authenticated(req, res);
        const out = await route.answer(req);
        const text = JSON.stringify(out.body);
        res.writeHead(out.status, [
          ...flat,
          'Content-Type',
          'application/json; charset=utf-8',
          'Content-Length',
          String(Buffer.byteLength(text)),
        ]);
        res.end(text);
      } catch (err) {
        if (res.headersSent) return;
        for (const [name, value] of block) res.setHeader(name, value);
        onError(err, req, res, () => {});
      }
      ctx.metrics?.observeHot(route.metric, res.statusCode, start);
    })();
  };
}
