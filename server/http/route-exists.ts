/**
 * An unknown API path is 404 before authentication asks for a token: without this, every typo under
 * /api/v1 was 401 and read as "sign in again". Decided from the router's own stack, so it never drifts.
 */
import type { RequestHandler, Router } from 'express';
import { AppError } from '../../core/errors.ts';

interface Layer {
  route?: { _handlesMethod(method: string): boolean };
  handle?: { stack?: Layer[] };
  match(path: string): boolean;
}

function exists(stack: Layer[], method: string, path: string): boolean {
  for (const layer of stack) {
    if (layer.route) {
      if (layer.match(path) && (method === 'OPTIONS' || layer.route._handlesMethod(method))) return true;
    } else if (layer.handle?.stack && layer.match(path) && exists(layer.handle.stack, method, path)) return true; // routers mounted at '/'
  }
  return false;
}

/** Put before authentication on `router`; it reads the stack at request time, so routers mounted later count. */
export function unknownRouteIs404(router: Router): RequestHandler {
  return (req, _res, next) =>
    exists(router.stack as unknown as Layer[], req.method, req.path)
      ? next()
      : next(new AppError('NOT_FOUND', `No route ${req.method} ${req.path}.`));
}
