/** The terminal's local HTTP face: the POS integration API of CONTRACT.md and the cashier page. */
import express, { type ErrorRequestHandler, type Express, type Request } from 'express';
import { securityHeaders } from '../platform/security-headers.ts';
import type { Logger } from 'pino';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { checkoutCreateSchema, checkoutCredentialSchema } from '../core/wire-checkout.ts';
import { issuesToDetails } from '../core/wire.ts';
import { mountPages } from '../web/pages.ts';
import { CheckoutError, type CheckoutService } from './checkout-service.ts';
import type { SimDevice } from './devices.ts';

export interface TerminalAppDeps {
  checkouts: CheckoutService;
  log: Logger;
  status: () => unknown;
  today: () => Promise<unknown>;
  voidRedemption: (id: string, reason: string) => Promise<{ status: number; body: unknown }>;
  offers: () => unknown;
  simulate?: (device: SimDevice, text: string) => Promise<void>;
}

const css = readFileSync(new URL('../web/huika.css', import.meta.url), 'utf8');

function parse<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const details = issuesToDetails(r.error);
    throw Object.assign(
      new CheckoutError('VALIDATION_FAILED', 400, `The request is not valid: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`),
      { details },
    );
  }
  return r.data;
}

const simSchema = z.object({ device: z.enum(['hid-pos', 'hid-keyboard', 'msr-hid', 'msr-keyboard']), text: z.string().min(1).max(512) });
const voidSchema = z.object({ reason: z.string().trim().min(1).max(500) });

export function createTerminalApp(d: TerminalAppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // The same CSP, frame and sniff refusal as the server's pages (the cashier page has no inline script either).
  app.use(securityHeaders({ https: false }));
  app.use(express.json({ limit: '64kb' }));
  const id = (req: Request) => String(req.params.id);

  app.post('/api/v1/checkouts', (req, res) => {
    const body = parse(checkoutCreateSchema, req.body);
    const c = d.checkouts.create(body.amountFen, body.items);
    res.status(201).json({ checkoutId: c.checkoutId, state: c.state });
  });
  app.get('/api/v1/checkouts/:id', (req, res) => {
    res.json(d.checkouts.get(id(req)));
  });
  app.post('/api/v1/checkouts/:id/credential', async (req, res) => {
    const cred = parse(checkoutCredentialSchema, req.body);
    const c = await d.checkouts.present(id(req), cred);
    res.json(c.quote);
  });
  app.post('/api/v1/checkouts/:id/confirm', async (req, res) => {
    const c = await d.checkouts.confirm(id(req));
    if (c.state !== 'redeemed') {
      const e = c.error ?? { code: 'NOT_CONFIRMED', message: 'Not confirmed.' };
      res.status(e.code === 'SERVER_UNREACHABLE' ? 503 : 409).json({ error: e });
      return;
    }
    res.json(c.redemption);
  });
  app.post('/api/v1/checkouts/:id/cancel', (req, res) => {
    res.json(d.checkouts.cancel(id(req)));
  });
  app.get('/api/v1/status', (_req, res) => {
    res.json(d.status());
  });
  app.get('/api/v1/offers', (_req, res) => {
    res.json(d.offers());
  });
  app.get('/api/v1/redemptions/today', async (_req, res) => {
    res.json(await d.today());
  });
  app.post('/api/v1/redemptions/:id/void', async (req, res) => {
    const { reason } = parse(voidSchema, req.body);
    const out = await d.voidRedemption(id(req), reason);
    res.status(out.status).json(out.body);
  });
  if (d.simulate) {
    const simulate = d.simulate;
    // Only with --simulate: make a fake device send what the real one would, through the real decoders.
    app.post('/api/v1/simulate/scan', async (req, res) => {
      const body = parse(simSchema, req.body);
      await simulate(body.device, body.text);
      res.status(202).json({ sent: true });
    });
  }

  const pages = express.Router();
  mountPages(
    pages,
    [{ path: '/', name: 'cashier', title: '惠卡收银 Huika cashier', entry: new URL('./web/cashier.tsx', import.meta.url) }],
    css,
  );
  pages.get('/assets/qr-worker.js', async (_req, res, next) => {
    try {
      const { bundle } = await import('../web/bundle.ts');
      // A worker runs under its own script's CSP: let it compile zxing's WebAssembly ('wasm-unsafe-eval' allows no JS eval).
      res.set('content-security-policy', "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'");
      res.type('text/javascript; charset=utf-8').send(await bundle(new URL('./web/qr-worker.ts', import.meta.url)));
    } catch (err) {
      next(err);
    }
  });
  // The camera worker's zxing-wasm reader, from node_modules: served locally so the till never fetches it from a CDN.
  pages.get('/assets/zxing_reader.wasm', (_req, res) => {
    res
      .type('application/wasm')
      .set('cache-control', 'max-age=86400')
      .sendFile(fileURLToPath(import.meta.resolve('zxing-wasm/reader/zxing_reader.wasm')));
  });
  app.use(pages);

  app.use((req, res) => {
    res.status(404).json({ error: { code: 'NOT_FOUND', message: `No route ${req.method} ${req.path}.` } });
  });
  const onError: ErrorRequestHandler = (err, _req, res, _next) => {
    if (err instanceof CheckoutError) {
      res.status(err.status).json({
        error: { code: err.code, message: err.message, ...('details' in err ? { details: (err as { details: unknown }).details } : {}) },
      });
      return;
    }
    if (err?.type === 'entity.parse.failed') {
      res.status(400).json({ error: { code: 'VALIDATION_FAILED', message: 'The request body is not valid JSON.' } });
      return;
    }
    d.log.error({ err }, 'unhandled error');
    res.status(500).json({ error: { code: 'INTERNAL', message: 'Something went wrong in the terminal; it has been logged.' } });
  };
  app.use(onError);
  return app;
}
