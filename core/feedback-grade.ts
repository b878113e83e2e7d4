/** Members' feedback as figures: monthly ratings per merchant and the yearly star grade, with its rule. */
import { localParts } from './local-time.ts';

export interface Rated {
  merchantId: string;
  rating: number;
  honoured: boolean;
  createdAt: string;
}

/** Fewer ratings than this in a year give no grade: a handful of voices is not a verdict. */
export const GRADE_MIN_RATINGS = 5;

export const GRADE_RULE = {
  zh: `星级 = 全年平均评分四舍五入；"未享受优惠"的反馈超过 5% 减一星，超过 15% 减两星；最少一星；全年评价少于 ${GRADE_MIN_RATINGS} 条不评级。`,
  en: `Stars = the year's average rating, rounded; one star less when over 5% of the feedback says the discount was not honoured, two when over 15%; at least one star; no grade under ${GRADE_MIN_RATINGS} ratings in the year.`,
};

export function starsOf(count: number, averageRating: number | null, notHonoured: number): number {
  if (count < GRADE_MIN_RATINGS || averageRating === null) return 0;
  const share = notHonoured / count;
  const penalty = share > 0.15 ? 2 : share > 0.05 ? 1 : 0;
  return Math.max(1, Math.min(5, Math.round(averageRating) - penalty));
}

export interface Summary {
  count: number;
  averageRating: number | null;
  notHonoured: number;
}

export function summarise(items: readonly Rated[]): Summary {
  const count = items.length;
  const sum = items.reduce((s, x) => s + x.rating, 0);
  return {
    count,
    averageRating: count ? Math.round((sum / count) * 100) / 100 : null,
    notHonoured: items.filter((x) => !x.honoured).length,
  };
}

/** Per merchant and local month (YYYY-MM in `timeZone`): count, average rating, complaints. */
export function byMonth(items: readonly Rated[], timeZone: string): Map<string, Map<string, Summary>> {
  const groups = new Map<string, Map<string, Rated[]>>();
  for (const x of items) {
    const month = localParts(new Date(x.createdAt), timeZone).month;
    const m = groups.get(x.merchantId) ?? new Map<string, Rated[]>();
    m.set(month, [...(m.get(month) ?? []), x]);
    groups.set(x.merchantId, m);
  }
  const out = new Map<string, Map<string, Summary>>();
  for (const [merchant, months] of groups)
    out.set(merchant, new Map([...months].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, summarise(v)])));
  return out;
}

/** The grade of each merchant for one local year. */
export function gradesOf(
  items: readonly Rated[],
  year: string,
  timeZone: string,
): Array<Summary & { merchantId: string; year: string; stars: number }> {
  const per = new Map<string, Rated[]>();
  for (const x of items) {
    if (localParts(new Date(x.createdAt), timeZone).month.slice(0, 4) !== year) continue;
    per.set(x.merchantId, [...(per.get(x.merchantId) ?? []), x]);
  }
  return [...per]
    .map(([merchantId, xs]) => {
      const s = summarise(xs);
      return { merchantId, year, ...s, stars: starsOf(s.count, s.averageRating, s.notHonoured) };
    })
    .sort((a, b) => b.stars - a.stars || a.merchantId.localeCompare(b.merchantId));
}
