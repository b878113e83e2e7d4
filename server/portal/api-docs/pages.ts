/** The API reference page at /api/docs. Its script is a file (/assets/api-docs.js), never inline: pages send a CSP. */
import { readFileSync } from 'node:fs';
import { Router } from 'express';
import { mountPages, type PageSpec } from '../../../web/pages.ts';

const css = readFileSync(new URL('../../../web/huika.css', import.meta.url), 'utf8');

export const API_DOCS_PAGES: readonly PageSpec[] = [
  { path: '/api/docs', name: 'api-docs', title: '惠卡 · 接口文档 API reference', entry: new URL('./page.tsx', import.meta.url) },
];

export function apiDocsPagesRouter(): Router {
  const r = Router();
  mountPages(r, API_DOCS_PAGES, css);
  return r;
}
