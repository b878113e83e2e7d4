/**
 * Web hardening in front of every route (CONTRACT.md v2 "Trust"): security headers with a CSP the pages
 * pass, refusal of cross-origin writes that ride on the session cookie, and early 4xx answers for bodies
 * and paths the parsers would otherwise turn into 500s.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AppError } from '../../core/errors.ts';
import { sessionCookie } from './auth.ts';

/** The headers live in platform/ so the terminal's pages send the same ones. */
export { securityHeaders } from '../../platform/security-headers.ts';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A state-changing request that carries the session cookie and no Bearer token is the kind a foreign page
 * can make the browser send: it must come from our own origin (Origin, or Referer when a browser leaves
 * Origin out). Bearer-token requests cannot be forged that way and pass.
 */
export const sameOriginWrites: RequestHandler = (req: Request, _res: Response, next: NextFunction) => {
  if (SAFE.has(req.method) || req.headers.authorization?.startsWith('Bearer ') || sessionCookie(req) === undefined) return next();
  const host = req.headers.host;
  const from = req.headers.origin ?? req.headers.referer;
  let ok = false;
  if (host && from && from !== 'null') {
    try {
      ok = new URL(from).host === host;
    } catch {
      ok = false;
    }
  }
  if (!ok)
    return next(new AppError('FORBIDDEN', '拒绝来自其他网站的请求 · A cookie-authenticated change must come from this server’s own pages'));
  next();
};

/** `%ZZ` or a lone `%` in the path: 400 before any router tries to decode it. */
export const wellFormedPath: RequestHandler = (req, _res, next) => {
  const path = req.originalUrl.split('?')[0] ?? '';
  try {
    decodeURIComponent(path);
  } catch {
    return next(
      new AppError('VALIDATION_FAILED', '路径中的百分号编码无效 · The path holds a malformed percent-escape', [
        { path: '(path)', message: 'malformed percent-escape' },
      ]),
    );
  }
  next();
};

/** JSON is UTF-8 (RFC 8259): a JSON body declared in any other charset is 415, whatever the parser would guess. */
export const utf8Json: RequestHandler = (req, _res, next) => {
  const type = req.headers['content-type'];
  if (!type || !/^\s*application\/([\w.+-]+\+)?json\b/i.test(type)) return next();
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)"?/i.exec(type)?.[1];
  if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
    return next(new AppError('UNSUPPORTED_MEDIA_TYPE', `JSON 必须使用 UTF-8 编码 · JSON must be UTF-8, not ${charset.slice(0, 40)}`));
  }
  next();
};
