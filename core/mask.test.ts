import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { maskMemberNo, maskName, maskPan } from './mask.ts';

describe('maskPan', () => {
  it('keeps the first 6 and last 4 digits of a 19-digit PAN', () => {
    expect(maskPan('6217996600000000015')).toBe('621799*********0015');
  });
  it('keeps the first 6 and last 4 digits of a 16-digit PAN', () => {
    expect(maskPan('4111111111111111')).toBe('411111******1111');
  });
  it('hides a number of 10 digits or fewer completely, since 6 + 4 would reveal all of it', () => {
    expect(maskPan('5133000017')).toBe('**********');
    expect(maskPan('1234')).toBe('****');
  });
  it('keeps the length and never shows more than 10 digits of any PAN', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{11,19}$/), (pan) => {
        const m = maskPan(pan);
        expect(m).toHaveLength(pan.length);
        expect(m.replace(/\*/g, '')).toBe(pan.slice(0, 6) + pan.slice(-4));
        expect(m.slice(6, -4)).toBe('*'.repeat(pan.length - 10));
      }),
    );
  });
});

describe('maskMemberNo', () => {
  it('shows the first 4 and last 2 digits of a member number', () => {
    expect(maskMemberNo('5133000017')).toBe('5133****17');
  });
});

describe('maskName', () => {
  it.each([
    ['张三丰', '张*丰'],
    ['李四', '李*'],
    ['王', '王'],
    ['欧阳娜娜', '欧**娜'],
    ['阿依古丽·买买提', '阿******提'],
    ['Anna Li', 'A*** L*'],
    ['Bo', 'B*'],
    ['', ''],
    ['   ', ''],
  ])('masks %j as %j', (name, masked) => expect(maskName(name)).toBe(masked));

  it('masks a Chinese name with stray spaces the same as without them', () => {
    expect(maskName(' 张三丰 ')).toBe('张*丰');
    expect(maskName('李四\n')).toBe('李*');
  });

  it('never returns a name of two or more characters unchanged', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 2, maxLength: 20 }).filter((s) => s.trim().length >= 2 && !/\s/.test(s.trim())),
        (name) => {
          expect(maskName(name)).not.toBe(name.trim());
        },
      ),
    );
  });
});
