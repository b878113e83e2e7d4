/**
 * The audit-trail record of an admin change, built the same way by every store adapter: who, when, what, the
 * scope it is shown in, and before/after views that never carry a secret.
 */
import type { AuditBy, AuditEntity, AuditEntry } from './admin-store.ts';

/** What the audit trail keeps of a record: never password, token or pairing-code hashes, nor card hashes. */
export function auditView(entity: AuditEntity, rec: unknown): unknown {
  if (!rec || typeof rec !== 'object') return rec ?? null;
  const r = { ...(rec as Record<string, unknown>) };
  if (entity === 'user') delete r.passwordHash;
  if (entity === 'card') {
    delete r.panHash;
    delete r.offlineHash;
  }
  if (entity === 'terminal') {
    r.paired = r.tokenHash !== null && r.tokenHash !== undefined;
    delete r.tokenHash;
    delete r.pairingCodeHash;
  }
  return r;
}

const clean = (xs?: (string | null | undefined)[]) => [...new Set((xs ?? []).filter((x): x is string => !!x))];

export function auditEntry(
  by: AuditBy,
  action: string,
  entity: AuditEntity,
  id: string,
  before: unknown,
  after: unknown,
  scope: { orgIds?: (string | null | undefined)[]; merchantIds?: (string | null | undefined)[] },
  note?: string,
): Omit<AuditEntry, 'seq'> {
  return {
    at: by.at.toISOString(),
    by: { userId: by.userId, username: by.username },
    action,
    entity,
    id,
    orgIds: clean(scope.orgIds),
    merchantIds: clean(scope.merchantIds),
    before: auditView(entity, before),
    after: auditView(entity, after),
    ...(note ? { note } : {}),
  };
}
