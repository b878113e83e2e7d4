/**
 * Receipt numbers without gaps: redemptions.receipt_no counts commits only (a void keeps its receipt's
 * number and takes none), assigned under the ledger head's lock from ledger_head.receipts. Rows from
 * before are numbered in ledger order, as the embedded store numbers its older entries.
 */
export default `
ALTER TABLE ledger_head ADD COLUMN receipts bigint NOT NULL DEFAULT 0;
ALTER TABLE redemptions ADD COLUMN receipt_no bigint;
UPDATE redemptions r SET receipt_no = n.no FROM (SELECT seq, row_number() OVER (ORDER BY seq) AS no FROM redemptions) n WHERE n.seq = r.seq;
UPDATE ledger_head SET receipts = (SELECT count(*) FROM redemptions) WHERE id = 1;
ALTER TABLE redemptions ALTER COLUMN receipt_no SET NOT NULL;
ALTER TABLE redemptions ADD CONSTRAINT redemptions_receipt_no_key UNIQUE (receipt_no);
`;
