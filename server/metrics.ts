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

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  middleware(): RequestHandler {
    return (req, res, next) => {
      const start = process.hrtime.bigint();
      res.on('finish', () => {
        const seconds = Number(process.hrtime.bigint() - start) / 1e9;
        // req.route is the last matched route; with the router's mount point it names the pattern.
        const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : res.statusCode === 404 ? 'unmatched' : 'other';
        this.duration.observe({ method: req.method, route, status: String(res.statusCode) }, seconds);
        if (req.method !== 'POST') return;
        if (route === '/api/v1/quotes') this.quotes.inc({ outcome: outcomeOf(res.statusCode) });
        else if (route === '/api/v1/redemptions')
          this.redemptions.inc({
            outcome: res.statusCode === 201 ? 'created' : res.statusCode === 200 ? 'replayed' : outcomeOf(res.statusCode),
          });
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
