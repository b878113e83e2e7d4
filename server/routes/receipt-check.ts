/**
 * `/r/:id?h=<hash prefix>`: the page a member reaches by scanning the QR on the receipt. The hash
 * prefix makes ids unguessable, so the page shows only what the receipt already printed.
 */
import { Router } from 'express';
import { formatYuan } from '../../core/money.ts';
import { isoInZone } from '../../core/local-time.ts';
import type { AppContext } from '../context.ts';
import { route } from '../http/errors.ts';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function receiptCheckRouter(ctx: AppContext): Router {
  const r = Router();
  r.get(
    '/r/:id',
    route(async (req, res) => {
      const red = await ctx.store.redemption(String(req.params.id));
      const h = typeof req.query.h === 'string' ? req.query.h : '';
      const ok = red && h.length >= 16 && red.hash.startsWith(h);
      res.status(ok ? 200 : 404).type('text/html; charset=utf-8');
      if (!ok) {
        res.send('<!doctype html><meta charset="utf-8"><title>惠卡</title><p>未找到该优惠记录 / No such redemption.</p>');
        return;
      }
      const [store, merchant] = await Promise.all([ctx.store.shop(red.storeId), ctx.store.merchant(red.merchantId)]);
      const union = red.lines.reduce((s, l) => s + l.funding.unionFen, 0);
      res.send(`<!doctype html><html lang="zh-CN"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>惠卡 优惠核验</title><link rel="stylesheet" href="/assets/huika.css">
<main><div class="card"><h2>惠卡 优惠核验 <span class="en">Redemption check</span></h2>
<p>${esc(merchant?.name ?? red.merchantId)} · ${esc(store?.name ?? red.storeId)}</p>
<p>${esc(isoInZone(new Date(red.createdAt), 'Asia/Shanghai'))} · 会员 ${esc(red.memberNoMasked)}</p>
<table><tr><th>消费 Amount</th><td class="num">${formatYuan(red.amountFen)}</td></tr>
<tr><th>优惠 Discount</th><td class="num">${formatYuan(red.discountFen)}</td></tr>
<tr><th>其中工会补贴 Union-funded</th><td class="num">${formatYuan(union)}</td></tr>
<tr><th>实付 Paid</th><td class="num">${formatYuan(red.payableFen)}</td></tr>
<tr><th>状态 Status</th><td>${red.status === 'committed' ? '有效 Valid' : '已撤销 Voided'}</td></tr></table>
<p class="en">${esc(red.id)}</p></div></main></html>`);
    }),
  );
  return r;
}
