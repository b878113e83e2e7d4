/** Serves bundled pages: an HTML shell per page and its script, from an express router. */
import type { Router } from 'express';
import { bundle } from './bundle.ts';

export interface PageSpec {
  /** URL of the page, e.g. `/merchant` */
  path: string;
  /** Short name, used for the script URL: `/assets/<name>.js` */
  name: string;
  title: string;
  /** Absolute URL of the page's TSX entry (new URL('./x.tsx', import.meta.url)). */
  entry: URL;
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export function shell(title: string, script: string): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<link rel="stylesheet" href="/assets/huika.css">
</head>
<body>
<div id="app"><p class="loading">加载中… Loading…</p></div>
<script type="module" src="${esc(script)}"></script>
</body>
</html>
`;
}

export function mountPages(router: Router, pages: readonly PageSpec[], css: string): void {
  router.get('/assets/huika.css', (_req, res) => {
    res.type('text/css; charset=utf-8').set('Cache-Control', 'no-cache').send(css);
  });
  router.get('/favicon.ico', (_req, res) => {
    res.status(204).end();
  });
  for (const p of pages) {
    router.get(p.path, (_req, res) => {
      res
        .type('text/html; charset=utf-8')
        .set('Cache-Control', 'no-cache')
        .send(shell(p.title, `/assets/${p.name}.js`));
    });
    router.get(`/assets/${p.name}.js`, async (_req, res, next) => {
      try {
        res
          .type('text/javascript; charset=utf-8')
          .set('Cache-Control', 'no-cache')
          .send(await bundle(p.entry));
      } catch (err) {
        next(err);
      }
    });
  }
}
