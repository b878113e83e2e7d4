import { describe, expect, it } from 'vitest';
import { checkHeader, DuplicateCheck, normalizeHeader, validateRow, type RowContext } from './member-import.ts';

const ctx: RowContext = { mayUseOrg: (o) => o === 'org-kd' || o === 'org-ld', hashPan: (pan) => `h:${pan}`.padEnd(64, '0') };
const row = (over: Record<string, string> = {}) => ({
  member_no: '5133000017',
  name: '张伟',
  union_id: 'org-kd',
  status: 'active',
  card_pan: '',
  card_status: '',
  ...over,
});

describe('member import rows', () => {
  it('hands a first password beside the row, never in it, and never echoes a refused one', () => {
    const r = validateRow(row({ first_password: 'Erste-Pass-1' }), 3, ctx);
    expect('row' in r && r.firstPassword).toBe('Erste-Pass-1');
    expect('row' in r && JSON.stringify(r.row)).not.toContain('Erste-Pass-1');
    const short = validateRow(row({ first_password: 'kurz12' }), 4, ctx);
    expect('errors' in short && short.errors).toEqual([expect.objectContaining({ line: 4, field: 'first_password' })]);
    expect(JSON.stringify(short)).not.toContain('kurz12');
    expect(normalizeHeader('初始密码')).toBe('first_password');
    expect(checkHeader(['member_no', 'name', 'union_id', 'status', 'first_password'])).toEqual([]);
  });

  it('accepts a full row and keeps only the hash and last 4 of the card number', () => {
    const r = validateRow(row({ card_pan: '6217996600000000015', card_status: 'activated' }), 2, ctx);
    expect(r).toEqual({
      row: {
        line: 2,
        memberNo: '5133000017',
        name: '张伟',
        orgId: 'org-kd',
        status: 'active',
        card: { panHash: 'h:6217996600000000015'.padEnd(64, '0'), last4: '0015', status: 'activated' },
      },
    });
    expect(JSON.stringify(r).replace('h:6217996600000000015', '')).not.toContain('6217996600000000015');
  });

  it('reads Chinese status words', () => {
    const r = validateRow(row({ status: '停用' }), 3, ctx);
    expect('row' in r && r.row.status).toBe('suspended');
  });

  it('reports every bad field of a row with its line, and masks a bad card number', () => {
    const r = validateRow(row({ member_no: '5133000018', name: ' ', status: 'gone', card_pan: '6217996600000000016' }), 7, ctx);
    expect('errors' in r).toBe(true);
    if (!('errors' in r)) return;
    expect(r.errors.map((e) => e.field).sort()).toEqual(['card_pan', 'member_no', 'name', 'status']);
    expect(r.errors.every((e) => e.line === 7)).toBe(true);
    const panErr = r.errors.find((e) => e.field === 'card_pan')!;
    expect(panErr.value).toBe('621799*********0016');
  });

  it("refuses a union outside the importer's scope, and a card status without a card", () => {
    const outside = validateRow(row({ union_id: 'org-sczz' }), 4, ctx);
    expect('errors' in outside && outside.errors[0]).toMatchObject({ field: 'union_id', line: 4 });
    const noCard = validateRow(row({ card_status: 'lost' }), 5, ctx);
    expect('errors' in noCard && noCard.errors[0]).toMatchObject({ field: 'card_status' });
  });

  it('checks the header: required columns, unknown and repeated ones, Chinese names', () => {
    expect(checkHeader(['member_no', 'name', 'union_id', 'status'])).toEqual([]);
    expect(['会员号', '姓名', '工会编号', '状态', '卡号', '卡状态'].map(normalizeHeader)).toEqual([
      'member_no',
      'name',
      'union_id',
      'status',
      'card_pan',
      'card_status',
    ]);
    expect(normalizeHeader('\ufeffMember_No ')).toBe('member_no');
    const errs = checkHeader(['member_no', 'name', 'name', 'phone']);
    expect(errs.map((e) => e.message)).toEqual([
      expect.stringContaining('union_id'),
      expect.stringContaining('status'),
      expect.stringContaining('phone'),
      expect.stringContaining('twice'),
    ]);
  });

  it('reports a scope problem and a card status without a card together with the field problems of the same row', () => {
    const r = validateRow(row({ member_no: '5133000018', union_id: 'org-sczz', card_status: 'lost' }), 9, ctx);
    expect('errors' in r && r.errors.map((e) => e.field).sort()).toEqual(['card_status', 'member_no', 'union_id']);
    // Chinese first, English second.
    expect('errors' in r && r.errors.every((e) => /^[^A-Za-z]/.test(e.message) && / · [a-z]/.test(e.message))).toBe(true);
  });

  it('finds repeated member numbers and card numbers within one file, naming the first line, also on rows with other problems', () => {
    const d = new DuplicateCheck(ctx.hashPan);
    expect(d.check(row({ card_pan: '6217996600000000015' }), 2)).toEqual([]);
    expect(d.check(row({ member_no: '5133000025', card_pan: '6217 9966 0000 0000 015' }), 3)).toEqual([
      { line: 3, field: 'card_pan', message: '与第2行卡号重复 · same card number as line 2', value: '621799*********0015' },
    ]);
    const both = d.check(row({ name: '', card_pan: '6217996600000000015' }), 4);
    expect(both.map((e) => [e.field, e.message])).toEqual([
      ['member_no', '与第2行会员号重复 · same member number as line 2'],
      ['card_pan', '与第2行卡号重复 · same card number as line 2'],
    ]);
  });
});
