/**
 * Every error code Huika answers with, defined once with its HTTP status and a sentence for people.
 * docs/ERRORS.md lists them; a test keeps the two in step.
 */
export const ERRORS = {
  VALIDATION_FAILED: { status: 400, message: 'The request is not valid.' },
  UNAUTHENTICATED: { status: 401, message: 'Sign in or present a terminal token.' },
  BAD_CREDENTIALS: { status: 401, message: 'Wrong username or password.' },
  FORBIDDEN: { status: 403, message: 'Your role may not do this.' },
  FOUR_EYES: {
    status: 403,
    message: 'Whoever drafted a settlement statement may not approve it or record its payment; someone else must.',
  },
  MEMBER_SUSPENDED: { status: 403, message: "This member's membership is suspended; the member page is closed to it." },
  PASSWORD_CHANGE_REQUIRED: { status: 403, message: 'Signed in with an activation code: choose your own password first.' },
  NOT_FOUND: { status: 404, message: 'No such record, or not yours to see.' },
  PAIRING_CODE_INVALID: { status: 404, message: 'This pairing code is unknown or was already used.' },
  QUOTE_NOT_FOUND: { status: 404, message: 'No such quote: it was never issued to this terminal, or the server restarted. Scan again.' },
  QUOTE_EXPIRED: { status: 409, message: 'The quote has expired; scan the card again.' },
  QUOTE_NOT_ELIGIBLE: { status: 409, message: 'This quote gives no discount, so there is nothing to redeem.' },
  IDEMPOTENCY_CONFLICT: { status: 409, message: 'This idempotency key was already used for another quote.' },
  BUDGET_EXHAUSTED: { status: 409, message: 'The campaign budget ran out before this redemption could be committed.' },
  LIMIT_REACHED: { status: 409, message: "The member reached this offer's usage limit before this redemption could be committed." },
  QR_REPLAYED: { status: 409, message: 'This member QR code was already used; ask the member to refresh it.' },
  CARD_REFUSED: { status: 409, message: 'Since the quote, the card or member was refused (reported lost or suspended).' },
  ALREADY_VOIDED: { status: 409, message: 'This redemption is already voided.' },
  CONFLICT: { status: 409, message: 'The record changed or already exists.' },
  FEEDBACK_EXISTS: { status: 409, message: "This redemption already has the member's feedback; it is given once." },
  STATEMENT_STATE: { status: 409, message: 'A statement moves draft → approved → paid, one step at a time.' },
  STATEMENT_OVERLAP: {
    status: 409,
    message:
      'Another statement of this union that is not cancelled already covers some of these days (or already deducts one of these voids).',
  },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Send JSON with Content-Type: application/json.' },
  QR_NOT_TEXT: {
    status: 422,
    message: 'The QR code holds bytes that are not text in UTF-8, its declared ECI, GB18030 or Shift_JIS: not a member code.',
  },
  RATE_LIMITED: { status: 429, message: 'Too many attempts; wait a moment.' },
  INTERNAL: { status: 500, message: 'Something went wrong on the server; it has been logged.' },
  STORAGE_FAILED: { status: 503, message: 'The server could not write to its disk; nothing was recorded. Try again later.' },
  QUOTES_FULL: { status: 503, message: 'The server holds as many open quotes as it may; scan again in a moment.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

export interface AppErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

/** An error as data: thrown only across I/O boundaries, turned into the wire body in one place. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: unknown;
  constructor(code: ErrorCode, message?: string, details?: unknown) {
    super(message ?? ERRORS[code].message);
    this.code = code;
    this.status = ERRORS[code].status;
    this.details = details;
  }
  toBody(): AppErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) } };
  }
}
