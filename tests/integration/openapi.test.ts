/** The OpenAPI document covers every route the server mounts, with the schemas the routes validate with; /api/docs shows it. */
import { readFileSync } from 'node:fs';
import type { Express } from 'express';
import { createApp } from '../../server/app.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiPath, OPERATIONS } from '../../server/routes/openapi.ts';
import { client, demoServer, enroll, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
beforeAll(async () => {
  srv = await demoServer();
});
afterAll(async () => {
  await srv?.stop();
});

/** Every `METHOD path` express would answer, read from the router stack itself (sub-routers included). */
function mountedRoutes(app: Express): string[] {
  const out: string[] = [];
  const walk = (stack: any[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths: string[] = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const p of paths)
          for (const m of Object.keys(layer.route.methods)) if (m !== '_all') out.push(`${m.toUpperCase()} ${prefix}${p}`);
      } else if (layer.handle?.stack)
        walk(layer.handle.stack, prefix + (typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : ''));
    }
  };
  walk((app as any).router.stack, '');
  return out;
}

describe('GET /api/v1/openapi.json', () => {
  it('is open, OpenAPI 3.1, and has an operation for every /api/v1 route express mounts, and none that is not mounted', async () => {
    const res = await client(srv.url)('GET', '/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    // The app as the server builds it (socket.io wraps the http listener, so build one from the same context).
    const app = createApp(srv.ctx);
    const api = mountedRoutes(app)
      .filter((r) => r.includes(' /api/v1/'))
      .map((r) => r.replace(' /api/v1/', ' /'));
    expect(api.length).toBeGreaterThan(60);
    const missing = api.filter((r) => {
      const [m, p] = r.split(' ') as [string, string];
      return !res.body.paths[openApiPath(p).path]?.[m.toLowerCase()];
    });
    expect(missing, 'routes without an entry in server/routes/openapi.ts OPERATIONS').toEqual([]);
    const stale = Object.keys(OPERATIONS).filter((k) => !api.includes(k));
    expect(stale, 'OPERATIONS entries no router declares').toEqual([]);
  });

  it('describes bodies and queries with the schemas that validate them: what it calls required is refused when missing', async () => {
    const doc = (await client(srv.url)('GET', '/api/v1/openapi.json')).body;
    const quote = doc.paths['/quotes'].post;
    const body = quote.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(expect.arrayContaining(['credential', 'amountFen']));
    expect(body.properties.credential.properties.type.enum).toEqual(['card_track', 'card_number', 'member_no', 'qr']);
    expect(quote.security).toEqual([{ terminalToken: [] }]);
    expect(quote.responses['200'].content['application/json'].schema.properties.payableFen.type).toBe('integer');
    // The document and the validator agree: leave out a field it calls required and the server refuses it.
    const t = await enroll(srv.url);
    const refused = await t('POST', '/api/v1/quotes', { credential: { type: 'member_no', data: '5133000017' } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details.map((d: { path: string }) => d.path)).toContain('amountFen');
    // Query strings become parameters, path segments path parameters.
    const log = doc.paths['/redemptions'].get.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`);
    expect(log).toEqual(expect.arrayContaining(['query:merchantId', 'query:from', 'query:cursor', 'query:limit']));
    expect(doc.paths['/redemptions/{id}/void'].post.parameters).toEqual([
      { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
    ]);
    expect(doc.paths['/admin/users'].post.requestBody.content['application/json'].schema.properties.role.enum).toEqual([
      'admin',
      'union_auditor',
      'merchant_admin',
    ]);
    expect(doc['x-terminal-local-api'].paths['/checkouts'].post.requestBody).toBeDefined();
  });
});

describe('/api/docs', () => {
  it('is a page whose only script is a file (no inline script for the CSP), and the script is served', async () => {
    const res = await fetch(`${srv.url}/api/docs`);
    expect(res.status).toBe(200);
    const html = await res.text();
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts).toHaveLength(1);
    expect(scripts[0]![1]).toContain('src="/assets/api-docs.js"');
    expect(scripts[0]![2]!.trim()).toBe('');
    const js = await fetch(`${srv.url}/assets/api-docs.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toContain('javascript');
    expect(await js.text()).toContain('openapi.json');
  });
});

describe('an unknown API path', () => {
  it('is 404 NOT_FOUND with or without a token, while a known path without a token stays 401', async () => {
    const anon = client(srv.url);
    for (const [m, p] of [
      ['GET', '/api/v1/no-such-thing'],
      ['POST', '/api/v1/redemptions/x/unvoid'],
      ['PUT', '/api/v1/quotes'],
    ] as const) {
      const res = await anon(m, p, m === 'GET' ? undefined : {});
      expect(res.status, `${m} ${p}`).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    }
    const t = await enroll(srv.url, 't-xlk-1');
    expect((await t('GET', '/api/v1/no-such-thing')).status).toBe(404);
    expect((await anon('GET', '/api/v1/redemptions')).status).toBe(401);
    expect((await anon('GET', '/api/v1/redemptions/r-1')).status).toBe(401);
  });
});

describe('docs/API.md and the OpenAPI document', () => {
  it('list the same member operations, and the member history query the validator takes', async () => {
    const doc = (await client(srv.url)('GET', '/api/v1/openapi.json')).body;
    const apiMd = readFileSync(new URL('../../docs/API.md', import.meta.url), 'utf8');
    const memberOps = Object.entries(OPERATIONS)
      .filter(([k, op]) => op.tag === 'member' || k.includes('activation-code'))
      .map(([k]) => k);
    expect(memberOps.length).toBeGreaterThanOrEqual(10);
    const missing = memberOps.filter((k) => !apiMd.includes(`\`${k}\``));
    expect(missing, 'member operations without a row in docs/API.md "Member endpoints in detail"').toEqual([]);
    // Every operation the doc's table names is one the server has.
    const section = apiMd.slice(apiMd.indexOf('### Member endpoints in detail'));
    const named = [...section.matchAll(/^\| `((?:GET|POST|PUT|DELETE) \/[^`]+)`/gm)].map((m) => m[1]);
    expect(named.filter((k) => !(k! in OPERATIONS))).toEqual([]);
    const history = doc.paths['/member/redemptions'].get;
    expect(history.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['cursor', 'limit']));
    expect(history.responses['200'].content['application/json'].schema.required).toEqual(expect.arrayContaining(['items', 'nextCursor']));
  });
});
