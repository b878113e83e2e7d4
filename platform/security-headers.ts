/** Security headers for every page either end serves (server portals, the terminal's cashier page): helmet with our CSP. */
import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * helmet's defaults, tightened: scripts only from our own bundles (no inline script anywhere), styles
 * from our stylesheet and constructed sheets (Preact sets `style` through the CSSOM, which CSP allows), images as data: URLs for
 * QR codes and charts' blobs, sockets and fetches to ourselves, never framed. Over plain HTTP (a county
 * server on a LAN) there is no HSTS or upgrade-insecure-requests: they would break the pages.
 */
export function securityHeaders(opts: { https: boolean }): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'script-src-attr': ["'none'"],
        'style-src': ["'self'"],
        'img-src': ["'self'", 'data:', 'blob:'],
        'font-src': ["'self'", 'data:'],
        'connect-src': ["'self'"],
        'media-src': ["'self'", 'blob:'],
        'object-src': ["'none'"],
        'base-uri': ["'self'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
        ...(opts.https ? { 'upgrade-insecure-requests': [] } : {}),
      },
    },
    frameguard: { action: 'deny' },
    strictTransportSecurity: opts.https ? { maxAge: 180 * 86400 } : false,
    // Receipts are opened from a member's phone camera app: a cross-origin opener policy would not help them.
    crossOriginEmbedderPolicy: false,
  });
}
