/**
 * Prometheus metrics (GET /metrics): one registry per server (tests run several in one process), fed by
 * one middleware that watches answers, so no route has to remember to count. What is counted:
 * - huika_quotes_total{outcome}: answered quotes (ok, or the error code class);
 * - huika_redemptions_total{outcome}: created, replayed or refused redemptions;
 * - huika_http_request_duration_seconds{method,route,status}: every request, by route pattern (never
 *   the raw path, which carries ids and would make a series per redemption).
 * Plus prom-client's default process metrics (event loop lag, heap, GC).
 */
import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

type Child = { observe(seconds: number): void };

export class Metrics {
  readonly registry = new Registry();
  readonly quotes = new Counter({
    name: 'huika_quotes_total',
    help: 'Quotes answered, by outcome',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  readonly redemptions = new Counter({
    name: 'huika_redemptions_total',
    help: 'Redemption requests answered, by outcome',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: 'huika_http_request_duration_seconds',
    help: 'HTTP request duration, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'],
    // Quotes aim under 5 ms at p99: fine buckets at the low end.
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  /**
   * Pre-bound children by "method route status" (issue 13): prom-client's observe(labels, v) hashes a
   * fresh label object on every request; a bound child only adds. The key set stays small: route
   * patterns, never raw paths.
   */
  private readonly children = new Map<string, Child>();
  private readonly counted = new Map<string, { inc(): void }>();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  private observe(method: string, route: string, status: number, start: bigint): void {
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const key = `${method} ${route} ${status}`;
    let child = this.children.get(key);
    if (!child) this.children.set(key, (child = this.duration.labels(method, route, String(status))));
    child.observe(seconds);
    if (method !== 'POST') return;
    const which = route === '/api/v1/quotes' ? 'quotes' : route === '/api/v1/redemptions' ? 'redemptions' : undefined;
    if (!which) return;
    const outcome =
      which === 'redemptions' && status === 201 ? 'created' : which === 'redemptions' && status === 200 ? 'replayed' : outcomeOf(status);
    const ckey = `${which} ${outcome}`;
    let counter = this.counted.get(ckey);
    if (!counter) this.counted.set(ckey, (counter = this[which].labels(outcome)));
    counter.inc();
  }

  /** What the middleware records for a request answered by the front layer (server/http/hot-routes.ts). */
  observeHot(which: 'quotes' | 'redemptions', status: number, start: bigint): void {
    this.observe('POST', `/api/v1/${which}`, status, start);
  }

  middleware(): RequestHandler {
    return (req, res, next) => {
      const start = process.hrtime.bigint();
      res.on('finish', () => {
        // req.route is the last matched route; with the router's mount point it names the pattern.
        const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : res.statusCode === 404 ? 'unmatched' : 'other';
        this.observe(req.method, route, res.statusCode, start);
      });
      next();
    };
  }

  handler(): RequestHandler {
    return async (_req, res) => {
      res.type(this.registry.contentType).send(await this.registry.metrics());
    };
  }
}

const outcomeOf = (status: number) => (status < 300 ? 'ok' : status < 500 ? 'refused' : 'failed');
