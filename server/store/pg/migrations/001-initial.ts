/**
 * The first schema. Reference records keep their whole document in `doc` (jsonb) beside the columns that
 * are looked up, filtered or joined on, so a new optional field in core/domain.ts needs no migration.
 * Redemptions keep the sealed ledger line exactly as hashed (ledger.line) and the public record (body).
 */
export default `
CREATE TABLE meta (
  key text PRIMARY KEY,
  value jsonb NOT NULL
);

CREATE TABLE orgs (
  id text PRIMARY KEY,
  parent_id text,
  doc jsonb NOT NULL
);

CREATE TABLE members (
  id text PRIMARY KEY,
  member_no text NOT NULL UNIQUE,
  org_id text NOT NULL,
  status text NOT NULL,
  name text NOT NULL,
  doc jsonb NOT NULL
);
-- Portal lists page by (org, member number); prefix search on the member number.
CREATE INDEX members_org_no ON members (org_id, member_no);
CREATE INDEX members_no_pattern ON members (member_no text_pattern_ops);

CREATE TABLE cards (
  id text PRIMARY KEY,
  member_id text NOT NULL,
  pan_hash text NOT NULL UNIQUE,
  last4 text NOT NULL,
  doc jsonb NOT NULL
);
CREATE INDEX cards_member ON cards (member_id);
CREATE INDEX cards_last4 ON cards (last4);

CREATE TABLE merchants (
  id text PRIMARY KEY,
  doc jsonb NOT NULL
);

CREATE TABLE stores (
  id text PRIMARY KEY,
  merchant_id text NOT NULL,
  doc jsonb NOT NULL
);
CREATE INDEX stores_merchant ON stores (merchant_id, id);

CREATE TABLE terminals (
  id text PRIMARY KEY,
  store_id text NOT NULL,
  token_hash text UNIQUE,
  pairing_code_hash text UNIQUE,
  doc jsonb NOT NULL
);
CREATE INDEX terminals_store ON terminals (store_id, id);

CREATE TABLE offers (
  id text NOT NULL,
  version integer NOT NULL,
  merchant_id text NOT NULL,
  status text NOT NULL,
  doc jsonb NOT NULL,
  PRIMARY KEY (id, version)
);
-- The current version of each offer: what a quote reads, one indexed lookup per merchant.
CREATE TABLE offer_heads (
  id text PRIMARY KEY,
  version integer NOT NULL,
  merchant_id text NOT NULL,
  status text NOT NULL
);
CREATE INDEX offer_heads_merchant ON offer_heads (merchant_id, status);

-- Union money drawn per offer: the conditional update (used + n <= budget) is what keeps budgets exact.
CREATE TABLE budgets (
  offer_id text PRIMARY KEY,
  budget_fen bigint,
  used_fen bigint NOT NULL DEFAULT 0
);

CREATE TABLE users (
  id text PRIMARY KEY,
  username text NOT NULL UNIQUE,
  doc jsonb NOT NULL
);

-- The hash-chained log: one row per entry (commit or void), the line exactly as hashed.
CREATE TABLE ledger (
  seq bigint PRIMARY KEY,
  type text NOT NULL,
  line text NOT NULL
);
-- The chain's head, one row: every append locks it, which is what makes the chain one line.
CREATE TABLE ledger_head (
  id integer PRIMARY KEY CHECK (id = 1),
  seq bigint NOT NULL,
  hash text NOT NULL
);
INSERT INTO ledger_head (id, seq, hash) VALUES (1, 0, '${'0'.repeat(64)}');

CREATE TABLE redemptions (
  seq bigint PRIMARY KEY,
  id text NOT NULL UNIQUE,
  idempotency_key text NOT NULL UNIQUE,
  quote_id text NOT NULL,
  member_id text NOT NULL,
  member_org_id text NOT NULL,
  merchant_id text NOT NULL,
  store_id text NOT NULL,
  terminal_id text NOT NULL,
  created_at timestamptz NOT NULL,
  status text NOT NULL,
  voided_at text,
  void_reason text,
  union_fen bigint NOT NULL,
  campaign_id text,
  campaign_fen bigint NOT NULL,
  qr_nonce text UNIQUE,
  body jsonb NOT NULL
);
-- Keyset paging (seq DESC) for every portal list, per scope.
CREATE INDEX redemptions_merchant_seq ON redemptions (merchant_id, seq DESC);
CREATE INDEX redemptions_store_seq ON redemptions (store_id, seq DESC);
CREATE INDEX redemptions_terminal_seq ON redemptions (terminal_id, seq DESC);
CREATE INDEX redemptions_member_org_seq ON redemptions (member_org_id, seq DESC);
CREATE INDEX redemptions_member_seq ON redemptions (member_id, seq DESC);

-- Which offers each redemption used (once per offer), for per-member limits: a day or a month is an
-- index range on (member, offer, created_at); voided uses are no longer live.
CREATE TABLE redemption_offers (
  seq bigint NOT NULL REFERENCES redemptions (seq),
  member_id text NOT NULL,
  offer_id text NOT NULL,
  created_at timestamptz NOT NULL,
  live boolean NOT NULL DEFAULT true,
  PRIMARY KEY (seq, offer_id)
);
CREATE INDEX redemption_offers_use ON redemption_offers (member_id, offer_id, created_at) WHERE live;

-- Union money per funding offer and line (core/union-money.ts): budgets and settlement count the same rows.
CREATE TABLE redemption_draws (
  seq bigint NOT NULL REFERENCES redemptions (seq),
  line_no integer NOT NULL,
  offer_id text NOT NULL,
  merchant_id text NOT NULL,
  union_fen bigint NOT NULL,
  created_at timestamptz NOT NULL,
  live boolean NOT NULL DEFAULT true,
  PRIMARY KEY (seq, line_no)
);
CREATE INDEX redemption_draws_offer ON redemption_draws (offer_id, created_at) WHERE live;

-- Portal sessions ended by sign-out, kept until their tokens would have expired anyway.
CREATE TABLE revoked_sessions (
  id text PRIMARY KEY,
  expires_at timestamptz NOT NULL
);

CREATE SEQUENCE statement_seq;
CREATE TABLE statements (
  id text PRIMARY KEY,
  n bigint NOT NULL UNIQUE,
  org_id text NOT NULL,
  status text NOT NULL,
  doc jsonb NOT NULL
);
CREATE INDEX statements_org ON statements (org_id);

-- The administrative audit trail, hash-chained like the ledger.
CREATE TABLE audit (
  seq bigint PRIMARY KEY,
  entity text NOT NULL,
  entity_id text NOT NULL,
  username text NOT NULL,
  org_ids text[] NOT NULL,
  merchant_ids text[] NOT NULL,
  line text NOT NULL
);
CREATE INDEX audit_org_ids ON audit USING gin (org_ids);
CREATE INDEX audit_merchant_ids ON audit USING gin (merchant_ids);
CREATE TABLE audit_head (
  id integer PRIMARY KEY CHECK (id = 1),
  seq bigint NOT NULL,
  hash text NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '${'0'.repeat(64)}');
`;
