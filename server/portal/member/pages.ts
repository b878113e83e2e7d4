/** The member page `/m`: phone-sized, Chinese first, its script served as a file (no inline script). */
import { Router } from 'express';
import { readFileSync } from 'node:fs';
import { mountPages, type PageSpec } from '../../../web/pages.ts';

const css = readFileSync(new URL('../../../web/huika.css', import.meta.url), 'utf8');

export const MEMBER_PAGES: readonly PageSpec[] = [{ path: '/m', name: 'member', title: '惠卡 · 会员 Member', entry: new URL('./member.tsx', import.meta.url) }];

export function memberPagesRouter(): Router {
  const r = Router();
  mountPages(r, MEMBER_PAGES, css);
  return r;
}
