/**
 * Union money, counted one way everywhere: budgets, settlement, statements and statistics all read a
 * redemption's union-funded lines through these functions, so they can never disagree.
 */
import type { Line, Redemption } from './wire.ts';

/** The offer whose budget a line's union money draws on: its campaign, or the (co-funded) agreement itself. */
export const fundedOfferOf = (line: Pick<Line, 'agreementId' | 'funding'>): string => line.funding.campaignId ?? line.agreementId;

export interface UnionDraw {
  offerId: string;
  unionFen: number;
}

/**
 * The union money of a committed redemption, per funding offer, for the offers `counts` accepts (the
 * offers a union signed); a voided redemption owes nothing.
 */
export function unionDraws(r: Pick<Redemption, 'status' | 'lines'>, counts: (offerId: string) => boolean = () => true): UnionDraw[] {
  if (r.status !== 'committed') return [];
  const out: UnionDraw[] = [];
  for (const l of r.lines) {
    if (l.funding.unionFen <= 0) continue;
    const offerId = fundedOfferOf(l);
    if (counts(offerId)) out.push({ offerId, unionFen: l.funding.unionFen });
  }
  return out;
}

/** The sum of unionDraws. */
export const unionFenOwed = (r: Pick<Redemption, 'status' | 'lines'>, counts?: (offerId: string) => boolean): number =>
  unionDraws(r, counts).reduce((s, d) => s + d.unionFen, 0);
