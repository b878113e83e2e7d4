/**
 * `npm run build` makes JavaScript that runs without tsx: built with the build's own tsconfig (type
 * checking skipped here: `npm test` runs tsc already), started as `node <out>/bin/huika.js server --demo`,
 * and asked for its health and a page, whose script esbuild bundles from the copied sources.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/server.ts';

// Inside the project, so the built modules find node_modules the way dist/ does.
const out = join('node_modules', '.cache', `huika-build-test-${process.pid}`);
const data = tempDir();
let child: ChildProcess | undefined;

afterAll(() => {
  child?.kill('SIGKILL');
  rmSync(out, { recursive: true, force: true });
  rmSync(data, { recursive: true, force: true });
});

describe('npm run build', () => {
  it('emits dist/bin/huika.js that starts a demo server and serves the API and the pages', async () => {
    execFileSync('node', ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json', '--noCheck', '--outDir', out], { stdio: 'pipe' });
    execFileSync('node', ['scripts/copy-page-sources.mjs', out], { stdio: 'pipe' });
    child = spawn('node', [join(out, 'bin', 'huika.js'), 'server', '--demo', '--port', '0', '--data', data, '--log-level', 'warn'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (b) => (stderr += b));
    const url = await new Promise<string>((resolve, reject) => {
      let stdout = '';
      child!.stdout!.on('data', (b) => {
        stdout += b;
        const m = /Huika server: (http:\/\/\S+)/.exec(stdout);
        if (m) resolve(m[1]!);
      });
      child!.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    expect((await (await fetch(`${url}/api/v1/health`)).json()).status).toBe('ok');
    const login = await fetch(`${url}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'minmao-admin', password: 'demo-pass' }),
    });
    expect(login.status).toBe(200);
    const js = await fetch(`${url}/assets/portal-merchant.js`);
    expect(js.status).toBe(200);
    expect((await js.text()).length).toBeGreaterThan(10_000);
    expect(stderr).toBe('');
  }, 90_000);
});
