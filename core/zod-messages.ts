/**
 * Validation messages people read, Chinese first and English second, from zod's own zh-CN and en
 * locales: "无效输入：期望 数字，实际接收 string · Invalid input: expected number, received string".
 * Messages a schema spells out itself (already bilingual) win over these, as zod gives them precedence.
 */
import { z } from 'zod';

const zh = z.locales.zhCN().localeError;
const en = z.locales.en().localeError;
const text = (r: unknown) => (typeof r === 'string' ? r : ((r as { message?: string } | undefined)?.message ?? ''));

export const bilingualError: z.core.$ZodErrorMap = (issue) => {
  const a = text(zh(issue));
  const b = text(en(issue));
  return a && b && a !== b ? `${a} · ${b}` : a || b || undefined;
};
