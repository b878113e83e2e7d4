/**
 * What a union settles: the union money of every offer (campaign or co-funded agreement) that it or a
 * union below it signed. Settlement reports, statements and statistics all ask this one question.
 */
import type { Offer, Org } from '../../core/domain.ts';
import { subtreeOf } from '../../core/org-tree.ts';

export interface UnionSettles {
  /** Offers whose union money this union owes (every kind: lines without union money count nothing). */
  offerIds: ReadonlySet<string>;
  /** Merchants of those offers: the redemptions worth reading. */
  merchantIds: ReadonlySet<string>;
  counts: (offerId: string) => boolean;
  timeZone: string;
}

export function unionSettles(orgs: readonly Org[], offers: readonly Offer[], orgId: string): UnionSettles {
  const signers = subtreeOf(orgs, orgId);
  const mine = offers.filter((o) => signers.has(o.orgId));
  const offerIds = new Set(mine.map((o) => o.id));
  return {
    offerIds,
    merchantIds: new Set(mine.map((o) => o.merchantId)),
    counts: (id) => offerIds.has(id),
    timeZone: orgs.find((o) => o.id === orgId)?.timeZone ?? 'Asia/Shanghai',
  };
}
