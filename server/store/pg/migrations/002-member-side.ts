/** The members' side (member-store.ts): credentials, the phones that make living member codes, feedback. */
export default `
CREATE TABLE member_credentials (
  member_id text PRIMARY KEY,
  doc jsonb NOT NULL
);

CREATE TABLE member_devices (
  id text PRIMARY KEY,
  member_id text NOT NULL,
  created_at timestamptz NOT NULL,
  revoked_at timestamptz,
  doc jsonb NOT NULL
);
CREATE INDEX member_devices_active ON member_devices (member_id) WHERE revoked_at IS NULL;

CREATE TABLE feedback (
  n bigserial UNIQUE,
  id text PRIMARY KEY,
  redemption_id text NOT NULL UNIQUE,
  member_id text NOT NULL,
  member_org_id text NOT NULL,
  merchant_id text NOT NULL,
  created_at timestamptz NOT NULL,
  complaint_status text,
  doc jsonb NOT NULL
);
CREATE INDEX feedback_merchant ON feedback (merchant_id, n DESC);
CREATE INDEX feedback_member_org ON feedback (member_org_id, n DESC);
CREATE INDEX feedback_member ON feedback (member_id);
`;
