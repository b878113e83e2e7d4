/**
 * Browser pages are TypeScript (Preact + TSX) bundled by esbuild when first asked for and kept in
 * memory: no build step before `npm start`, and pages can import core/ (money, reasons, schemas).
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const cache = new Map<string, Promise<string>>();

export function bundle(entry: string | URL, opts: { minify?: boolean } = {}): Promise<string> {
  const file = entry instanceof URL ? fileURLToPath(entry) : entry;
  let js = cache.get(file);
  if (!js) {
    js = build({
      entryPoints: [file],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      target: 'es2020',
      jsx: 'automatic',
      jsxImportSource: 'preact',
      minify: opts.minify ?? true,
      sourcemap: false,
      legalComments: 'none',
      logLevel: 'silent',
    }).then((r) => r.outputFiles[0]!.text);
    cache.set(file, js);
    js.catch(() => cache.delete(file)); // let a fixed source be tried again
  }
  return js;
}
