/** The member page `/m`: phone-sized, Chinese first, script and stylesheet served as files (no inline script or style). */
import { Router } from 'express';
import { readFileSync } from 'node:fs';
import { mountPages, type PageSpec } from '../../../web/pages.ts';

const css = readFileSync(new URL('../../../web/huika.css', import.meta.url), 'utf8');
const memberCss = readFileSync(new URL('./member.css', import.meta.url), 'utf8');

export const MEMBER_PAGES: readonly PageSpec[] = [
  { path: '/m', name: 'member', title: '惠卡 · 会员 Member', entry: new URL('./member.tsx', import.meta.url) },
];

export function memberPagesRouter(): Router {
  const r = Router();
  r.get('/assets/member.css', (_req, res) => {
    res.type('text/css; charset=utf-8').set('Cache-Control', 'no-cache').send(memberCss);
  });
  mountPages(r, MEMBER_PAGES, css);
  return r;
}
