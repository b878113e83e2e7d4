/**
 * Test fixtures for the rules engine: the demo union tree of CONTRACT.md and factories with overrides.
 * Test support only; nothing outside tests imports this.
 */
import type { z } from 'zod';
import { offerSchema, type Offer } from '../domain.ts';
import type { EngineInput } from './engine.ts';
import { countUses } from './usage-count.ts';

/** org-sc › org-gz › {org-kd, org-ld, org-db}; org-sc › org-sczz. */
export const ORG_PARENT: Readonly<Record<string, string | null>> = {
  'org-sc': null,
  'org-gz': 'org-sc',
  'org-kd': 'org-gz',
  'org-ld': 'org-gz',
  'org-db': 'org-gz',
  'org-sczz': 'org-sc',
};
export const ORG_IDS = Object.keys(ORG_PARENT);

/** The member's union followed by every union above it, nearest first (EngineInput.memberOrgPath). */
export function orgPath(orgId: string): string[] {
  const path: string[] = [];
  for (let o: string | null | undefined = orgId; o; o = ORG_PARENT[o]) path.push(o);
  return path;
}

/** What a test may override: the schema's input shape, so defaults (conditions, repeat) may be left out. */
export type OfferOverrides = Partial<z.input<typeof offerSchema>>;

/** A valid offer (checked by offerSchema, so fixtures cannot drift from the domain): 500 bps off at m-minmao, signed by org-gz. */
export function makeOffer(overrides: OfferOverrides = {}): Offer {
  return offerSchema.parse({
    id: 'a-minmao',
    version: 1,
    kind: 'agreement',
    merchantId: 'm-minmao',
    orgId: 'org-gz',
    title: '民贸公司 9.5折',
    rule: { kind: 'percent_off', bps: 500 },
    conditions: {},
    unionShareBps: 0,
    status: 'active',
    createdAt: '2026-01-01T00:00:00+08:00',
    ...overrides,
  });
}

/** A union-funded campaign: 满300减200, fully reimbursed by the union, with a budget. */
export function makeCampaign(overrides: OfferOverrides = {}): Offer {
  return makeOffer({
    id: 'c-wuyi',
    kind: 'campaign',
    title: '五一 满300减200',
    rule: { kind: 'threshold', thresholdFen: 30_000, reductionFen: 20_000, repeat: false },
    unionShareBps: 10_000,
    budgetFen: 40_000_000,
    ...overrides,
  });
}

/** 2026-05-01 is a Friday. 10:00 in Shanghai. */
export const FRIDAY_SHANGHAI_MORNING = new Date('2026-05-01T10:00:00+08:00');

export interface InputOverrides extends Partial<EngineInput> {
  /** Shortcut for memberOrgPath: the member's own union. */
  memberOrgId?: string;
  /** Time zone per union; unions not listed are in Asia/Shanghai. */
  zones?: Record<string, string>;
  /** Usage instants per offer id. */
  usage?: Record<string, readonly string[]>;
  /** Remaining budget per offer id; offers not listed have their whole budget left. */
  budgets?: Record<string, number>;
}

/** A sale of 35,000 fen at s-minmao-1 by a member of org-kd, on a Friday morning in Shanghai, with no offers. */
export function makeInput(o: InputOverrides = {}): EngineInput {
  const { memberOrgId, zones = {}, usage = {}, budgets = {}, ...rest } = o;
  const offers = rest.offers ?? [];
  const timeZoneOf = rest.timeZoneOf ?? ((orgId: string) => zones[orgId] ?? 'Asia/Shanghai');
  return {
    now: FRIDAY_SHANGHAI_MORNING,
    amountFen: 35_000,
    storeId: 's-minmao-1',
    memberOrgPath: orgPath(memberOrgId ?? 'org-kd'),
    timeZoneOf,
    // Counted as the store's counters count them: in the offer's union's zone, for the day and month of now.
    usageOf: (offerId) =>
      countUses(usage[offerId] ?? [], rest.now ?? FRIDAY_SHANGHAI_MORNING, timeZoneOf(offers.find((x) => x.id === offerId)?.orgId ?? '')),
    remainingBudgetOf: (offerId) => budgets[offerId] ?? offers.find((x) => x.id === offerId)?.budgetFen ?? 0,
    ...rest,
    offers,
  };
}
