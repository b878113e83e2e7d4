/** Reason codes → the cashier's words, Chinese first. Server messages add detail in English. */
import { REASONS } from '../../core/rules/reasons.ts';

const EXTRA: Record<string, { zh: string; en: string }> = {
  SERVER_UNREACHABLE: { zh: '服务器无响应', en: 'The server did not answer.' },
  QUOTE_EXPIRED: { zh: '报价已过期，请重新刷卡', en: 'The quote expired; scan again.' },
  BUDGET_EXHAUSTED: { zh: '活动预算已用完', en: 'The campaign budget ran out.' },
  CARD_REFUSED: { zh: '卡片已挂失或会员已暂停', en: 'The card was reported lost or the member suspended.' },
  VALIDATION_FAILED: { zh: '读取的卡号或会员码无效', en: 'What was read is not a valid card or member code.' },
  NO_CHECKOUT: { zh: '请先输入金额', en: 'Enter the amount first.' },
  SCAN_CHECK_DIGIT: { zh: '读取有误，请重新扫描', en: 'Misread; scan again.' },
  SWIPE_GARBLED: { zh: '刷卡失败，请重新刷卡', en: 'Bad swipe; swipe again.' },
  SCAN_NOT_CREDENTIAL: { zh: '这是商品条码，不是会员卡', en: 'That is a product barcode, not a member card.' },
  AMOUNT: { zh: '请输入有效金额，如 350.00', en: 'Enter an amount such as 350.00.' },
  ITEM_PRICE: { zh: '请先输入单价', en: 'Enter the item price first.' },
  DISCOUNT_MISMATCH: {
    zh: '服务器拒收：优惠与协议不符，请联系商户管理员',
    en: 'Refused by the server: the discount is not what the agreement gives; tell the merchant admin.',
  },
  OVER_MAX_SALE: { zh: '金额超过本店单笔上限，请核对', en: "The amount is above this store's per-sale maximum; check it." },
};

export function reasonText(code: string, fallback?: string): { zh: string; en: string } {
  const r = (REASONS as Record<string, { zh: string; en: string }>)[code] ?? EXTRA[code];
  return r ? { zh: r.zh, en: fallback ?? r.en } : { zh: '操作未成功', en: fallback ?? code };
}
