/** HTTP load through autocannon, with latencies kept as raw samples for sub-millisecond percentiles. */
import autocannon from 'autocannon';
import { summarise } from './percentiles.ts';

export interface LoadResult {
  name: string;
  connections: number;
  requests: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

export interface LoadSpec {
  name: string;
  url: string;
  connections: number;
  seconds: number;
  /** Stop after this many requests instead of after `seconds`. */
  amount?: number;
  headers?: Record<string, string>;
  body?: string;
  /** A fresh body for each request (e.g. the next quote to redeem); undefined ends the run early. */
  nextBody?: () => string | undefined;
  onBody?: (status: number, body: string) => void;
  onTick?: (seconds: number, requests: number) => void;
}

export function load(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const samples: number[] = [];
    let ticks = 0;
    let count = 0;
    const headers = { 'content-type': 'application/json', ...spec.headers };
    const inst = autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        ...(spec.amount ? { amount: spec.amount } : { duration: spec.seconds }),
        requests: [
          {
            method: 'POST',
            headers,
            ...(spec.body ? { body: spec.body } : {}),
            ...(spec.nextBody
              ? {
                  setupRequest: (req) => {
                    const body = spec.nextBody!();
                    return body === undefined ? undefined : { ...req, body };
                  },
                }
              : {}),
            ...(spec.onBody ? { onResponse: (status: number, body: string) => spec.onBody!(status, body) } : {}),
          },
        ],
      },
      (err, res) => {
        if (err) return reject(err);
        const s = summarise(samples);
        resolve({
          name: spec.name,
          connections: spec.connections,
          requests: s.n,
          perSecond: s.n / res.duration,
          p50Ms: s.p50,
          p99Ms: s.p99,
          non2xx: res.non2xx,
          errors: res.errors,
        });
      },
    );
    inst.on('response', (_c, _status, _bytes, ms: number) => {
      samples.push(ms);
      count++;
    });
    inst.on('tick', () => spec.onTick?.(++ticks, count));
  });
}
