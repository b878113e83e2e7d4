/**
 * The admin member list pages by keyset in member-number order (pg-admin.ts memberListQuery): the whole scope
 * walks members_member_no_key, one union members_org_no (001). A status filter (the few suspended among
 * millions) gets its own ordered ranges here, so a page of them reads about a page of index, not every
 * member until enough match.
 */
export default `
CREATE INDEX members_status_no ON members (status, member_no);
CREATE INDEX members_org_status_no ON members (org_id, status, member_no);
`;
