import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditFile } from './audit-file.ts';

const dirs: string[] = [];
const fileIn = () => {
  const d = mkdtempSync(join(tmpdir(), 'huika-audit-'));
  dirs.push(d);
  return join(d, 'audit.jsonl');
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const entry = (id: string) => ({
  at: '2026-11-25T04:00:00.000Z',
  by: { userId: 'u-admin', username: 'admin' },
  action: 'member.suspend',
  entity: 'member' as const,
  id,
  orgIds: ['org-kd'],
  merchantIds: [],
  before: { status: 'active' },
  after: { status: 'suspended' },
});

describe('audit file', () => {
  it('numbers entries, and reloads them in order after a restart', () => {
    const file = fileIn();
    const a = new AuditFile(file);
    expect(a.append(entry('mbr-1')).seq).toBe(1);
    expect(a.append(entry('mbr-2')).seq).toBe(2);
    a.close();
    const b = new AuditFile(file);
    expect(b.entries.map((e) => [e.seq, e.id])).toEqual([
      [1, 'mbr-1'],
      [2, 'mbr-2'],
    ]);
    expect(b.append(entry('mbr-3')).seq).toBe(3);
    expect(b.verify()).toEqual({ ok: true, checked: 3 });
    b.close();
  });

  it('finds an edited entry, and refuses to open a file whose chain is broken', () => {
    const file = fileIn();
    const a = new AuditFile(file);
    a.append(entry('mbr-1'));
    a.append(entry('mbr-2'));
    writeFileSync(file, readFileSync(file, 'utf8').replace('"after":{"status":"suspended"}', '"after":{"status":"active"}'));
    expect(a.verify().ok).toBe(false);
    a.close();
    expect(() => new AuditFile(file)).toThrow(/line 1/);
  });

  it('finds entries removed from the end', () => {
    const file = fileIn();
    const a = new AuditFile(file);
    a.append(entry('mbr-1'));
    a.append(entry('mbr-2'));
    writeFileSync(file, `${readFileSync(file, 'utf8').split('\n')[0]}\n`);
    expect(a.verify()).toMatchObject({ ok: false, checked: 1 });
    a.close();
  });
});
