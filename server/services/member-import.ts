/**
 * The member CSV import format and its row checks (pure; the streaming job is import-jobs.ts).
 *
 * Columns (header row required, any order, English or Chinese names):
 *   member_no   会员号     10 digits, last digit Luhn (core/credentials.ts isMemberNo)        required
 *   name        姓名       1–50 characters                                                   required
 *   union_id    工会编号   id of a union in the importer's subtree, e.g. org-kd              required
 *   status      状态       active | suspended (正常 | 停用)                                  required
 *   card_pan    卡号       bank card number, 12–19 digits, Luhn (isPan); hashed, never kept   optional
 *   card_status 卡状态     issued | activated | lost | frozen (已发卡 | 已激活 | 挂失 | 冻结)  optional (new cards: issued)
 *   first_password 初始密码 8–64 characters: the member's first password at /m, to be changed   optional
 *                          at the first sign-in; scrypt-hashed, never kept, shown or logged; set only
 *                          for a member without a password yet. Members without one get a one-time
 *                          activation code after the import (POST /admin/imports/:id/activation-codes).
 * A row updates the member with that member_no or creates it; a card_pan is added to the member, or
 * its status updated when the member already holds it.
 */
import { z } from 'zod';
import { isMemberNo, isPan } from '../../core/credentials.ts';
import { idSchema } from '../../core/domain.ts';
import { maskPan } from '../../core/mask.ts';
import type { MemberImportRow } from '../store/admin-store.ts';

export const IMPORT_COLUMNS = ['member_no', 'name', 'union_id', 'status', 'card_pan', 'card_status', 'first_password'] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];
const REQUIRED: readonly ImportColumn[] = ['member_no', 'name', 'union_id', 'status'];

const ALIASES: Record<string, ImportColumn> = {
  会员号: 'member_no',
  会员编号: 'member_no',
  姓名: 'name',
  工会编号: 'union_id',
  工会: 'union_id',
  状态: 'status',
  会员状态: 'status',
  卡号: 'card_pan',
  卡状态: 'card_status',
  初始密码: 'first_password',
  首次密码: 'first_password',
};

export interface RowError {
  line: number;
  field: string;
  message: string;
  /** What the cell held, for the error table; a card number is masked (first 6, last 4). */
  value?: string;
}

/** A header cell → its column, or the cell unchanged (reported as unknown by checkHeader). */
export function normalizeHeader(cell: string): string {
  const c = cell.trim().replace(/^\ufeff/, '');
  // Own keys only: a header cell `__proto__` or `constructor` must not reach Object.prototype.
  return (Object.hasOwn(ALIASES, c) ? ALIASES[c] : undefined) ?? c.toLowerCase();
}

export function checkHeader(columns: readonly string[]): RowError[] {
  const errors: RowError[] = [];
  for (const c of REQUIRED) if (!columns.includes(c)) errors.push({ line: 1, field: c, message: `缺少列 ${c} · missing column ${c}` });
  for (const c of columns)
    if (!(IMPORT_COLUMNS as readonly string[]).includes(c))
      errors.push({ line: 1, field: c, message: `未知列 ${c} · unknown column ${c}`, value: c });
  const dup = columns.filter((c, i) => columns.indexOf(c) !== i);
  for (const c of new Set(dup)) errors.push({ line: 1, field: c, message: `列 ${c} 重复 · column ${c} appears twice` });
  return errors;
}

const STATUS: Record<string, 'active' | 'suspended'> = {
  active: 'active',
  suspended: 'suspended',
  正常: 'active',
  停用: 'suspended',
  暂停: 'suspended',
};
const CARD_STATUS: Record<string, 'issued' | 'activated' | 'lost' | 'frozen'> = {
  issued: 'issued',
  activated: 'activated',
  lost: 'lost',
  frozen: 'frozen',
  已发卡: 'issued',
  已激活: 'activated',
  挂失: 'lost',
  冻结: 'frozen',
};
const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : typeof v === 'string' ? v.trim() : v);

const rowSchema = z.object({
  member_no: z.string().refine(isMemberNo, '会员号应为10位且校验位正确 · a member number is 10 digits with a valid check digit'),
  name: z.string().trim().min(1, '姓名为空 · name is empty').max(50, '姓名超过50个字 · name is longer than 50 characters'),
  union_id: z.string().trim().min(1, '工会编号为空 · union_id is empty').pipe(idSchema),
  status: z.string().transform((s, c) => {
    const v = STATUS[s.toLowerCase()];
    if (v === undefined) c.addIssue({ code: 'custom', message: '状态应为 正常/停用 · status is active or suspended' });
    return v ?? z.NEVER;
  }),
  card_pan: z.preprocess(
    blankToUndefined,
    z.string().refine(isPan, '卡号应为12–19位且校验位正确 · a card number is 12–19 digits with a valid check digit').optional(),
  ),
  card_status: z.preprocess(
    blankToUndefined,
    z
      .string()
      .transform((s, c) => {
        const v = CARD_STATUS[s.toLowerCase()];
        if (v === undefined)
          c.addIssue({ code: 'custom', message: '卡状态应为 已发卡/已激活/挂失/冻结 · card_status is issued, activated, lost or frozen' });
        return v ?? z.NEVER;
      })
      .optional(),
  ),
  // Not trimmed beyond the cell's own whitespace (csv-parse trims): what the union typed is the password.
  first_password: z.preprocess(
    blankToUndefined,
    z
      .string()
      .min(8, '初始密码至少8位 · a first password has 8 or more characters')
      .max(64, '初始密码最多64位 · a first password has at most 64 characters')
      .optional(),
  ),
});

export interface RowContext {
  /** Whether the importer may put members in this union (its subtree). */
  mayUseOrg: (orgId: string) => boolean;
  /** The keyed hash under which cards are stored (panHash with the data directory's key). */
  hashPan: (pan: string) => string;
  /** The card's hash under the offline key, so offline terminals recognise imported cards too. */
  offlineHash?: (pan: string) => string;
}

/** One record (column → cell) → an import row, or every problem with it. The PAN leaves only as hash + last 4. */
export function validateRow(
  rec: Readonly<Record<string, string | undefined>>,
  line: number,
  ctx: RowContext,
): { row: MemberImportRow; firstPassword?: string } | { errors: RowError[] } {
  const cells = Object.fromEntries(IMPORT_COLUMNS.map((c) => [c, rec[c] ?? ''])) as Record<ImportColumn, string>;
  const parsed = rowSchema.safeParse(cells);
  const shown = (field: string) => {
    const v = cells[field as ImportColumn];
    if (v === undefined || v === '' || field === 'first_password') return {};
    return { value: field === 'card_pan' ? maskPan(v.replace(/\D/g, '')) : v.slice(0, 60) };
  };
  // Every problem of the row at once: the office fixes a line once, not once per upload.
  const errors: RowError[] = parsed.success
    ? []
    : parsed.error.issues.map((i) => ({ line, field: String(i.path[0] ?? ''), message: i.message, ...shown(String(i.path[0] ?? '')) }));
  const unionId = cells.union_id.trim();
  if (unionId && idSchema.safeParse(unionId).success && !ctx.mayUseOrg(unionId))
    errors.push({ line, field: 'union_id', message: '不在您管辖范围内的工会 · not a union in your scope', value: unionId });
  if (cells.card_status.trim() && !cells.card_pan.trim())
    errors.push({
      line,
      field: 'card_status',
      message: '填写卡状态时须填写卡号 · card_status needs card_pan',
      value: cells.card_status.trim(),
    });
  if (!parsed.success || errors.length > 0) return { errors };
  const r = parsed.data;
  return {
    // Beside the row, not in it: rows go to the store and its audit trail; the password only to the hasher.
    ...(r.first_password ? { firstPassword: r.first_password } : {}),
    row: {
      line,
      memberNo: r.member_no,
      name: r.name,
      orgId: r.union_id,
      status: r.status,
      ...(r.card_pan
        ? {
            card: {
              panHash: ctx.hashPan(r.card_pan),
              ...(ctx.offlineHash ? { offlineHash: ctx.offlineHash(r.card_pan) } : {}),
              last4: r.card_pan.slice(-4),
              ...(r.card_status ? { status: r.card_status } : {}),
            },
          }
        : {}),
    },
  };
}

/**
 * A template a union office can fill in. Example rows only: member numbers that belong to nobody (Luhn-valid,
 * outside the demo range) and, for the card, UnionPay's published test number 6200000000000005 (a documented
 * test PAN, as in card networks' and Stripe's test tables), never a real or demo member's card.
 */
export const TEMPLATE_TEST_PAN = '6200000000000005';
export const IMPORT_TEMPLATE_ROWS: readonly (readonly string[])[] = [
  ['5133009901', '示例甲 Example A', 'org-kd', 'active', TEMPLATE_TEST_PAN, 'issued', ''],
  ['5133009919', '示例乙 Example B', 'org-ld', 'active', '', '', 'Change-me-2026'],
];

/**
 * Rows of one file that repeat a member number or a card number of an earlier row, each reported with
 * the line it repeats; checked on the raw cells, so a row with other problems is still compared.
 */
export class DuplicateCheck {
  private readonly memberNos = new Map<string, number>();
  private readonly pans = new Map<string, number>();
  constructor(private readonly hashPan: (pan: string) => string) {}

  check(rec: Readonly<Record<string, string | undefined>>, line: number): RowError[] {
    const errors: RowError[] = [];
    const no = (rec.member_no ?? '').trim();
    if (no) {
      const first = this.memberNos.get(no);
      if (first !== undefined)
        errors.push({ line, field: 'member_no', message: `与第${first}行会员号重复 · same member number as line ${first}`, value: no });
      else this.memberNos.set(no, line);
    }
    const pan = (rec.card_pan ?? '').replace(/[\s-]/g, '');
    if (pan) {
      // Kept as the keyed hash: raw card numbers stay out of memory dumps and logs.
      const h = this.hashPan(pan);
      const first = this.pans.get(h);
      if (first !== undefined)
        errors.push({
          line,
          field: 'card_pan',
          message: `与第${first}行卡号重复 · same card number as line ${first}`,
          value: maskPan(pan.replace(/\D/g, '')),
        });
      else this.pans.set(h, line);
    }
    return errors;
  }
}
