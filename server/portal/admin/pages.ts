/** The administration page at /admin: one Preact app with a tab per area (members, cards, merchants, agreements, users, audit trail). */
import { readFileSync } from 'node:fs';
import { Router } from 'express';
import { mountPages, type PageSpec } from '../../../web/pages.ts';

const css = readFileSync(new URL('../../../web/huika.css', import.meta.url), 'utf8');

export const ADMIN_PAGES: readonly PageSpec[] = [
  { path: '/admin', name: 'admin', title: '惠卡 · 管理后台 Administration', entry: new URL('./main.tsx', import.meta.url) },
];

export function adminPagesRouter(): Router {
  const r = Router();
  mountPages(r, ADMIN_PAGES, css);
  return r;
}
