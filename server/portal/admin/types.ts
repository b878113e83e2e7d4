/** Shapes the admin API answers with (server/routes/admin-*.ts), as the page uses them. */
export interface Org {
  id: string;
  name: string;
  nameEn?: string;
  parentId: string | null;
}
export interface Me {
  user: { id: string; username: string; displayName: string; role: string; orgId: string | null };
  org?: Org;
  root: boolean;
  canWrite: boolean;
}
export interface TabProps {
  me: Me;
  orgs: Org[];
}
export interface CardView {
  id: string;
  memberId: string;
  last4: string;
  status: string;
  updatedAt: string;
}
export interface MemberView {
  id: string;
  memberNo: string;
  name: string;
  orgId: string;
  orgName: string;
  status: string;
  cards: CardView[];
}
export interface RowError {
  line: number;
  field: string;
  message: string;
  value?: string;
}
export interface ImportJob {
  id: string;
  fileName: string;
  dryRun: boolean;
  state: 'running' | 'done' | 'failed';
  phase: string;
  processed: number;
  total: number;
  errors: RowError[];
  errorCount: number;
  summary?: { membersCreated: number; membersUpdated: number; membersUnchanged: number; cardsIssued: number; cardsUpdated: number };
  written: boolean;
  firstPasswords?: { set: number; skipped: number };
  activationCodes?: { pending: number; downloadedAt?: string };
  message?: string;
}
