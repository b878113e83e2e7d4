/**
 * Open quotes, so that any instance redeems a quote another one made. UNLOGGED: a quote is a promise for
 * two minutes, not a record (DESIGN.md), so it skips the WAL; after a database crash terminals scan again.
 */
export default `
CREATE UNLOGGED TABLE quotes (
  quote_id text PRIMARY KEY,
  expires_ms bigint NOT NULL,
  doc jsonb NOT NULL
);
CREATE INDEX quotes_expiry ON quotes (expires_ms);
`;
