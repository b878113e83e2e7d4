/** Statistics in the terms unions report: person-times, unique members, discount and union money. */
import type { Offer } from '../../core/domain.ts';
import type { Redemption } from '../../core/wire.ts';
import type { Stats } from '../../core/wire-portal.ts';
import { unionDraws, unionFenOwed } from '../../core/union-money.ts';

type Cell = Stats['total'];
class Acc {
  personTimes = 0;
  members = new Set<string>();
  amountFen = 0;
  discountFen = 0;
  unionFen = 0;
  constructor(private readonly counts: (offerId: string) => boolean) {}
  add(r: Redemption, memberId: string) {
    this.personTimes++;
    this.members.add(memberId);
    this.amountFen += r.amountFen;
    this.discountFen += r.discountFen;
    this.unionFen += unionFenOwed(r, this.counts);
  }
  cell(): Cell {
    return {
      personTimes: this.personTimes,
      uniqueMembers: this.members.size,
      amountFen: this.amountFen,
      discountFen: this.discountFen,
      unionFen: this.unionFen,
    };
  }
}

/**
 * `counts`: the offers whose union money the viewing union settles (services/union-settles.ts), so the
 * union money here is the settlement report's figure for the same days.
 */
export function statsOf(
  rs: readonly Redemption[],
  memberIds: ReadonlyMap<string, string>,
  campaigns: readonly (Offer & { spentFen: number })[],
  counts: (offerId: string) => boolean,
): Stats {
  const total = new Acc(counts);
  const byOrg = new Map<string, Acc>();
  const byMerchant = new Map<string, Acc>();
  const periodByCampaign = new Map<string, number>();
  for (const r of rs) {
    if (r.status !== 'committed') continue;
    const m = memberIds.get(r.id) ?? r.id;
    total.add(r, m);
    for (const [map, k] of [
      [byOrg, r.memberOrgId],
      [byMerchant, r.merchantId],
    ] as const) {
      let a = map.get(k);
      if (!a) map.set(k, (a = new Acc(counts)));
      a.add(r, m);
    }
    for (const d of unionDraws(r, counts)) periodByCampaign.set(d.offerId, (periodByCampaign.get(d.offerId) ?? 0) + d.unionFen);
  }
  const desc = <T extends Cell>(a: T, b: T) => b.personTimes - a.personTimes;
  return {
    total: total.cell(),
    byOrg: [...byOrg].map(([orgId, a]) => ({ orgId, ...a.cell() })).sort(desc),
    byMerchant: [...byMerchant].map(([merchantId, a]) => ({ merchantId, ...a.cell() })).sort(desc),
    campaigns: campaigns.map((c) => ({
      campaignId: c.id,
      merchantId: c.merchantId,
      title: c.title,
      budgetFen: c.budgetFen ?? 0,
      periodFen: periodByCampaign.get(c.id) ?? 0,
      spentFen: c.spentFen,
    })),
  };
}
