/** Reason codes a quote can carry, each with a sentence in Chinese and English for the cashier. */
export const REASONS = {
  // Contract codes (shared/CONTRACT.md): the member or the sale as a whole.
  CARD_UNKNOWN: { zh: '未找到该卡或会员', en: 'This card or member number is not registered.' },
  CARD_NOT_ACTIVATED: { zh: '卡片尚未激活', en: 'This card has not been activated yet.' },
  CARD_LOST: { zh: '卡片已挂失', en: 'This card was reported lost.' },
  MEMBER_SUSPENDED: { zh: '会员资格已暂停', en: "This member's membership is suspended." },
  QR_INVALID: { zh: '二维码无效', en: 'This QR code is not a valid member code.' },
  QR_EXPIRED: { zh: '二维码已过期，请刷新', en: 'This member QR code has expired; ask the member to refresh it.' },
  QR_REPLAYED: { zh: '二维码已使用，请刷新', en: 'This member QR code was already used; ask the member to refresh it.' },
  NO_AGREEMENT: { zh: '本店无适用的会员优惠', en: "No member offer here applies to this member's union or this sale." },
  OUTSIDE_WINDOW: { zh: '当前时间不在优惠时段内', en: 'The offer is not valid at this date or time.' },
  LIMIT_REACHED: { zh: '已达到使用次数上限', en: "The member has reached this offer's usage limit." },
  BUDGET_EXHAUSTED: { zh: '活动预算已用完', en: 'The union campaign budget is used up.' },
  // Per-offer detail (the `skipped` list): why one agreement or campaign did not apply.
  NOT_COVERED: { zh: '会员所属工会不在协议范围内', en: "The member's union is not covered by this offer." },
  STORE_NOT_COVERED: { zh: '本门店不参加该优惠', en: 'This store does not take part in this offer.' },
  THRESHOLD_NOT_MET: { zh: '未达到满减门槛', en: 'The sale does not reach the threshold.' },
  NO_QUALIFYING_ITEM: { zh: '本单没有适用商品', en: 'No item in this sale qualifies.' },
  NOT_BEST: { zh: '已选用更优惠的协议', en: 'Another agreement gives the member more.' },
  OFFLINE_UNION_FUNDED: { zh: '离线时不能使用工会资金', en: 'Union-funded offers need the server; the terminal is offline.' },
  OFFLINE_UNAVAILABLE: { zh: '离线状态下无法确认会员', en: 'The terminal is offline and cannot confirm this member.' },
} as const;

export type ReasonCode = keyof typeof REASONS;

export function reason(code: ReasonCode, detail?: string, agreementId?: string) {
  const r = REASONS[code];
  return {
    code,
    message: detail ? `${r.en} (${detail})` : r.en,
    messageZh: r.zh,
    ...(agreementId ? { agreementId } : {}),
  };
}
