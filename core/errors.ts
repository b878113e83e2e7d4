/**
 * Every error code Huika answers with, defined once with its HTTP status and a sentence for people,
 * Chinese first, then English (`message`; `zh` is the Chinese half). docs/ERRORS.md lists them; a test
 * keeps the two in step.
 */
export const ERRORS = {
  VALIDATION_FAILED: { status: 400, zh: '请求内容无效', message: '请求内容无效 · The request is not valid.' },
  UNAUTHENTICATED: {
    status: 401,
    zh: '请先登录，或出示终端令牌',
    message: '请先登录，或出示终端令牌 · Sign in or present a terminal token.',
  },
  BAD_CREDENTIALS: { status: 401, zh: '用户名或密码错误', message: '用户名或密码错误 · Wrong username or password.' },
  FORBIDDEN: { status: 403, zh: '您的角色无权执行此操作', message: '您的角色无权执行此操作 · Your role may not do this.' },
  FOUR_EYES: {
    status: 403,
    zh: '起草结算单的人不能审批或登记付款，须由另一人办理',
    message:
      '起草结算单的人不能审批或登记付款，须由另一人办理 · Whoever drafted a settlement statement may not approve it or record its payment; someone else must.',
  },
  MEMBER_SUSPENDED: {
    status: 403,
    zh: '该会员资格已暂停，会员页面不再开放',
    message: "该会员资格已暂停，会员页面不再开放 · This member's membership is suspended; the member page is closed to it.",
  },
  PASSWORD_CHANGE_REQUIRED: {
    status: 403,
    zh: '您用激活码登录，请先设置自己的密码',
    message: '您用激活码登录，请先设置自己的密码 · Signed in with an activation code: choose your own password first.',
  },
  NOT_FOUND: {
    status: 404,
    zh: '没有此记录，或不在您的查看范围内',
    message: '没有此记录，或不在您的查看范围内 · No such record, or not yours to see.',
  },
  PAIRING_CODE_INVALID: {
    status: 404,
    zh: '配对码无效或已被使用',
    message: '配对码无效或已被使用 · This pairing code is unknown or was already used.',
  },
  QUOTE_NOT_FOUND: {
    status: 404,
    zh: '没有此报价：它并非发给本终端，或服务器已重启，请重新扫码',
    message:
      '没有此报价：它并非发给本终端，或服务器已重启，请重新扫码 · No such quote: it was never issued to this terminal, or the server restarted. Scan again.',
  },
  QUOTE_EXPIRED: {
    status: 409,
    zh: '报价已过期，请重新刷卡',
    message: '报价已过期，请重新刷卡 · The quote has expired; scan the card again.',
  },
  QUOTE_NOT_ELIGIBLE: {
    status: 409,
    zh: '此报价没有优惠，无需核销',
    message: '此报价没有优惠，无需核销 · This quote gives no discount, so there is nothing to redeem.',
  },
  IDEMPOTENCY_CONFLICT: {
    status: 409,
    zh: '此幂等键已用于另一笔报价',
    message: '此幂等键已用于另一笔报价 · This idempotency key was already used for another quote.',
  },
  BUDGET_EXHAUSTED: {
    status: 409,
    zh: '活动预算已用完，本笔未能核销',
    message: '活动预算已用完，本笔未能核销 · The campaign budget ran out before this redemption could be committed.',
  },
  LIMIT_REACHED: {
    status: 409,
    zh: '会员已达到该优惠的使用次数上限，本笔未能核销',
    message:
      "会员已达到该优惠的使用次数上限，本笔未能核销 · The member reached this offer's usage limit before this redemption could be committed.",
  },
  QR_REPLAYED: {
    status: 409,
    zh: '该会员二维码已使用过，请会员刷新后再扫',
    message: '该会员二维码已使用过，请会员刷新后再扫 · This member QR code was already used; ask the member to refresh it.',
  },
  CARD_REFUSED: {
    status: 409,
    zh: '报价之后，该卡或会员已被拒绝（挂失或暂停）',
    message: '报价之后，该卡或会员已被拒绝（挂失或暂停） · Since the quote, the card or member was refused (reported lost or suspended).',
  },
  ALREADY_VOIDED: { status: 409, zh: '该笔核销已撤销', message: '该笔核销已撤销 · This redemption is already voided.' },
  CONFLICT: { status: 409, zh: '记录已变更或已存在', message: '记录已变更或已存在 · The record changed or already exists.' },
  FEEDBACK_EXISTS: {
    status: 409,
    zh: '该笔核销已有会员评价，每笔只能评价一次',
    message: "该笔核销已有会员评价，每笔只能评价一次 · This redemption already has the member's feedback; it is given once.",
  },
  STATEMENT_STATE: {
    status: 409,
    zh: '结算单须按 草稿 → 已审批 → 已付款 逐步办理',
    message: '结算单须按 草稿 → 已审批 → 已付款 逐步办理 · A statement moves draft → approved → paid, one step at a time.',
  },
  STATEMENT_OVERLAP: {
    status: 409,
    zh: '本工会另有未取消的结算单已覆盖其中某些日期（或已扣减其中某笔撤销）',
    message:
      '本工会另有未取消的结算单已覆盖其中某些日期（或已扣减其中某笔撤销） · Another statement of this union that is not cancelled already covers some of these days (or already deducts one of these voids).',
  },
  PAYLOAD_TOO_LARGE: { status: 413, zh: '请求内容过大', message: '请求内容过大 · The request body is too large.' },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    zh: '请以 JSON 发送，Content-Type: application/json',
    message: '请以 JSON 发送，Content-Type: application/json · Send JSON with Content-Type: application/json.',
  },
  QR_NOT_TEXT: {
    status: 422,
    zh: '二维码内容不是 UTF-8、所声明的 ECI、GB18030 或 Shift_JIS 文本，不是会员码',
    message:
      '二维码内容不是 UTF-8、所声明的 ECI、GB18030 或 Shift_JIS 文本，不是会员码 · The QR code holds bytes that are not text in UTF-8, its declared ECI, GB18030 or Shift_JIS: not a member code.',
  },
  RATE_LIMITED: { status: 429, zh: '尝试次数过多，请稍候', message: '尝试次数过多，请稍候 · Too many attempts; wait a moment.' },
  INTERNAL: {
    status: 500,
    zh: '服务器出错，已记录',
    message: '服务器出错，已记录 · Something went wrong on the server; it has been logged.',
  },
  STORAGE_FAILED: {
    status: 503,
    zh: '服务器无法写入磁盘，本次未记录任何内容，请稍后再试',
    message:
      '服务器无法写入磁盘，本次未记录任何内容，请稍后再试 · The server could not write to its disk; nothing was recorded. Try again later.',
  },
  QUOTES_FULL: {
    status: 503,
    zh: '服务器未结报价已达上限，请稍后重新扫码',
    message: '服务器未结报价已达上限，请稍后重新扫码 · The server holds as many open quotes as it may; scan again in a moment.',
  },
} as const satisfies Record<string, { status: number; zh: string; message: string }>;

const CJK = /^[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]/u;
/** Does this sentence start in Chinese (a person reads the Chinese first, the English after)? */
export const startsInChinese = (s: string) => CJK.test(s);

export type ErrorCode = keyof typeof ERRORS;

export interface AppErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

/** An error as data: thrown only across I/O boundaries, turned into the wire body in one place. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: unknown;
  /**
   * `message` adds the particulars; one without Chinese at its start gets the code's Chinese sentence
   * in front ("没有此记录，或不在您的查看范围内 · No such union in your scope."), so every answer a person
   * reads starts in Chinese.
   */
  constructor(code: ErrorCode, message?: string, details?: unknown) {
    super(message === undefined ? ERRORS[code].message : startsInChinese(message) ? message : `${ERRORS[code].zh} · ${message}`);
    this.code = code;
    this.status = ERRORS[code].status;
    this.details = details;
  }
  toBody(): AppErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) } };
  }
}
