import { describe, expect, it } from 'vitest';
import { toCsv } from './csv.ts';

describe('toCsv', () => {
  it('starts with a UTF-8 BOM and quotes every field, doubling inner quotes', () => {
    const csv = toCsv(
      ['名称', 'n'],
      [
        ['民贸 "康定" 店', 12],
        ['a,b', null],
      ],
    );
    expect(csv.startsWith('\ufeff"名称","n"\r\n')).toBe(true);
    expect(csv).toContain('"民贸 ""康定"" 店","12"\r\n');
    expect(csv).toContain('"a,b",""\r\n');
  });

  it.each(['=HYPERLINK("x")', '+1+2', '-2+3', '@SUM(A1)', '\tx'])('neutralises a formula-looking cell %j', (bad) => {
    const csv = toCsv(['x'], [[bad]]);
    expect(csv.split('\r\n')[1]).toBe(`"'${bad.replace(/"/g, '""')}"`);
  });

  it('leaves numbers alone, even negative ones', () => {
    expect(toCsv(['x'], [[-5]]).split('\r\n')[1]).toBe('"-5"');
  });
});
