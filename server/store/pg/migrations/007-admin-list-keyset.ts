/**
 * The admin lists page by keyset on an index (tests/integration/pg-paging-plans.test.ts EXPLAINs each).
 * The card list, most recently changed first (sql/list-cards.ts): ordered ranges on the card's updatedAt and
 * id (byte order, COLLATE "C", so every database sorts them alike), for every card, a status (the lost or
 * frozen few among millions) and a last 4. Expression indexes on the document: the card's status and time
 * stay where every write already puts them, so no write path changes.
 * The audit trail of one record or one user (sql/list-audit.ts), and the complaint queue by status
 * (sql/list-feedback.ts), newest first.
 */
export default `
CREATE INDEX cards_updated ON cards (((doc->>'updatedAt') COLLATE "C"), (id COLLATE "C"));
CREATE INDEX cards_status_updated ON cards ((doc->>'status'), ((doc->>'updatedAt') COLLATE "C"), (id COLLATE "C"));
CREATE INDEX cards_last4_updated ON cards (last4, ((doc->>'updatedAt') COLLATE "C"), (id COLLATE "C"));
CREATE INDEX audit_entity_id_seq ON audit (entity_id, seq);
CREATE INDEX audit_username_seq ON audit (username, seq);
CREATE INDEX feedback_complaint_n ON feedback (complaint_status, n);
`;
