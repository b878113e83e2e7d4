/**
 * Web hardening (CONTRACT.md v2 "Trust"): security headers, same-origin cookie writes, Secure cookies
 * over HTTPS, and 4xx (never 5xx) for bad charsets, escapes, encodings and prototype key names.
 */
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../server/logger.ts';
import { demoServer, enroll, login, type Api, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
let admin: Api & { token: string };
const logged: string[] = [];

/** A raw request: fetch would fix what these tests send broken (paths, encodings). */
function raw(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer | string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(`${srv.url}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          /* a page */
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  const log = createLogger('error', { write: (line: string) => void logged.push(line) } as never);
  srv = await demoServer({ log });
  admin = await login(srv.url, 'admin');
});
afterAll(() => srv.stop());

describe('security headers', () => {
  it('sends a CSP without inline script, refuses framing and sniffing, on pages and the API', async () => {
    for (const path of ['/portal', '/admin', '/merchant', '/union', '/api/v1/health']) {
      const r = await fetch(srv.url + path);
      const csp = r.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(r.headers.get('x-frame-options')).toBe('DENY');
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('strict-transport-security')).toBeNull(); // plain HTTP: no HSTS
    }
    const page = await (await fetch(`${srv.url}/portal`)).text();
    expect(page).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // every script is a file
  });
});

describe('cookie-authenticated writes', () => {
  const cookie = () => `huika_session=${encodeURIComponent(admin.token)}`;
  it('refuses a change from a foreign Origin or with none, and takes it from our own pages', async () => {
    const body = JSON.stringify({ name: '小龙坎（改）' });
    const json = { 'content-type': 'application/json', cookie: cookie() };
    const evil = await raw('PUT', '/api/v1/admin/merchants/m-xlk', { ...json, origin: 'http://evil.example' }, body);
    expect(evil.status).toBe(403);
    expect((await raw('PUT', '/api/v1/admin/merchants/m-xlk', json, body)).status).toBe(403);
    expect((await raw('DELETE', '/api/v1/session', { cookie: cookie(), origin: 'http://evil.example' })).status).toBe(403);
    expect((await srv.ctx.store.merchant('m-xlk'))?.name).toBe('小龙坎老火锅');
    const ours = await raw('PUT', '/api/v1/admin/merchants/m-xlk', { ...json, origin: srv.url }, body);
    expect(ours.status).toBe(200);
    // A Bearer token cannot be forged by another site, so its Origin does not matter; reads are never blocked.
    expect(
      (
        await raw(
          'PUT',
          '/api/v1/admin/merchants/m-xlk',
          { 'content-type': 'application/json', authorization: `Bearer ${admin.token}`, origin: 'http://evil.example' },
          body,
        )
      ).status,
    ).toBe(200);
    expect((await raw('GET', '/api/v1/admin/merchants', { cookie: cookie(), origin: 'http://evil.example' })).status).toBe(200);
  });

  it('marks the session cookie Secure when the server says it is served over HTTPS', async () => {
    const plain = await raw(
      'POST',
      '/api/v1/session',
      { 'content-type': 'application/json' },
      JSON.stringify({ username: 'kd-auditor', password: 'demo-pass' }),
    );
    expect(String(plain.headers['set-cookie'])).not.toMatch(/Secure/);
    const https = await demoServer({ secureCookies: true });
    try {
      const r = await fetch(`${https.url}/api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'kd-auditor', password: 'demo-pass' }),
      });
      expect(r.headers.get('set-cookie')).toMatch(/HttpOnly; Secure; SameSite=Strict/);
      expect(r.headers.get('strict-transport-security')).toMatch(/max-age=/);
    } finally {
      await https.stop();
    }
  });
});

describe('malformed requests are 4xx, never 5xx', () => {
  it('answers 415 for JSON in any charset but UTF-8', async () => {
    const body = JSON.stringify({ username: 'admin', password: 'demo-pass' });
    for (const charset of ['latin1', 'ISO-8859-1', 'utf-16', 'gbk']) {
      const r = await raw('POST', '/api/v1/session', { 'content-type': `application/json; charset=${charset}` }, body);
      expect(r.status, charset).toBe(415);
      expect(r.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
    expect((await raw('POST', '/api/v1/session', { 'content-type': 'application/json; charset=UTF-8' }, body)).status).toBe(200);
  });

  it('answers 400 for a malformed percent-escape anywhere in the path', async () => {
    for (const path of [
      '/api/v1/redemptions/%ZZ',
      '/api/v1/admin/users/%E0%A4%A',
      '/portal%',
      '/r/%zz?h=1',
      '/api/v1/agreements/%C0%80/versions/1',
    ]) {
      const r = await raw('GET', path, { authorization: `Bearer ${admin.token}` });
      expect(r.status, path).toBe(400);
      expect(r.body.error.code).toBe('VALIDATION_FAILED');
    }
  });

  it('answers 400 for a body that is not the gzip it claims, and 415 for an unknown encoding; a real gzip works', async () => {
    const json = JSON.stringify({ username: 'admin', password: 'demo-pass' });
    const lying = await raw('POST', '/api/v1/session', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, json);
    expect(lying.status).toBe(400);
    const deflate = await raw(
      'POST',
      '/api/v1/session',
      { 'content-type': 'application/json', 'content-encoding': 'deflate' },
      'not deflate',
    );
    expect(deflate.status).toBe(400);
    const unknown = await raw('POST', '/api/v1/session', { 'content-type': 'application/json', 'content-encoding': 'x-weird' }, json);
    expect(unknown.status).toBe(415);
    const real = await raw('POST', '/api/v1/session', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, gzipSync(json));
    expect(real.status).toBe(200);
  });

  it('treats a QR key id or an import header named __proto__ as unknown, not as a key', async () => {
    const till = await enroll(srv.url, 't-dicos-1');
    for (const data of [
      'HK1.__proto__.5133000017.abcdef.AAAAAAAA.AAAAAAAAAAAAAAAA',
      'HK1.constructor.5133000017.abcdef.AAAAAAAA.AAAAAAAAAAAAAAAA',
      'HK1.toString.5133000017.abcdef.AAAAAAAA.AAAAAAAAAAAAAAAA',
    ]) {
      const q = await till('POST', '/api/v1/quotes', { credential: { type: 'qr', data }, amountFen: 1000 });
      expect(q.status, data).toBe(200);
      expect(q.body.eligible).toBe(false);
      expect(q.body.reasons[0].code).toBe('QR_INVALID');
    }
    const csv = await fetch(`${srv.url}/api/v1/admin/members/import?dryRun=1&fileName=x.csv`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'text/csv' },
      body: '__proto__,constructor,name\n1,2,3\n',
    });
    expect(csv.status).toBeLessThan(500);
  });

  it('logs nothing as an unhandled error for any of the above', () => {
    expect(logged.filter((l) => l.includes('unhandled error'))).toEqual([]);
  });
});
