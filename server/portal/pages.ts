/** The merchant and union portal pages: /portal (sign in), /merchant, /union and a printable statement. */
import { Router } from 'express';
import { readFileSync } from 'node:fs';
import { mountPages, type PageSpec } from '../../web/pages.ts';

const css = readFileSync(new URL('../../web/huika.css', import.meta.url), 'utf8');

export const PORTAL_PAGES: readonly PageSpec[] = [
  { path: '/portal', name: 'portal-login', title: '惠卡 · 登录 Sign in', entry: new URL('./web/login.tsx', import.meta.url) },
  { path: '/merchant', name: 'portal-merchant', title: '惠卡 · 商户 Merchant', entry: new URL('./web/merchant.tsx', import.meta.url) },
  { path: '/union', name: 'portal-union', title: '惠卡 · 工会 Union', entry: new URL('./web/union.tsx', import.meta.url) },
  {
    path: '/union/statement',
    name: 'portal-statement',
    title: '惠卡 · 结算单 Statement',
    entry: new URL('./web/statement-print.tsx', import.meta.url),
  },
];

export function portalPagesRouter(): Router {
  const r = Router();
  mountPages(r, PORTAL_PAGES, css);
  return r;
}
