import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError, ERRORS, startsInChinese } from './errors.ts';
import { REASONS } from './rules/reasons.ts';

const doc = readFileSync(new URL('../docs/ERRORS.md', import.meta.url), 'utf8');

describe('error catalogue', () => {
  it.each(Object.entries(ERRORS))('documents %s with its status in docs/ERRORS.md', (code, e) => {
    expect(doc).toContain(`| \`${code}\` | ${e.status} |`);
  });

  it.each(Object.keys(REASONS))('documents reason %s', (code) => {
    expect(doc).toContain(`| \`${code}\` |`);
  });

  it('uses UPPER_SNAKE codes and 4xx/5xx statuses only', () => {
    for (const [code, e] of Object.entries(ERRORS)) {
      expect(code).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(e.status).toBeGreaterThanOrEqual(400);
      expect(e.message.length).toBeGreaterThan(10);
    }
  });

  it.each(Object.entries(ERRORS))('says %s in Chinese first, then in English, as docs/ERRORS.md does', (code, e) => {
    expect(startsInChinese(e.message)).toBe(true);
    expect(e.message.startsWith(`${e.zh} · `)).toBe(true);
    expect(e.message.slice(e.zh.length + 3)).toMatch(/^[A-Z][A-Za-z ,;:'’()./→-]+/);
    // Only names (a header, encodings) in the Chinese half, never an English sentence.
    expect(/[A-Za-z]/.test(e.zh)).toBe(code === 'UNSUPPORTED_MEDIA_TYPE' || code === 'QR_NOT_TEXT');
    expect(doc).toContain(`| \`${code}\` | ${e.status} | ${e.message.replaceAll('|', '\\|')} |`);
  });

  it('turns an AppError into the contract body, with details only when given', () => {
    expect(new AppError('NOT_FOUND').toBody()).toEqual({ error: { code: 'NOT_FOUND', message: ERRORS.NOT_FOUND.message } });
    expect(new AppError('VALIDATION_FAILED', 'bad', [{ path: 'x' }]).toBody()).toEqual({
      error: { code: 'VALIDATION_FAILED', message: '请求内容无效 · bad', details: [{ path: 'x' }] },
    });
    // Particulars already in Chinese first are kept as they are; English-only ones get the code's Chinese sentence in front.
    expect(new AppError('CONFLICT', '不能停用自己 · You cannot disable yourself').message).toBe(
      '不能停用自己 · You cannot disable yourself',
    );
    expect(new AppError('NOT_FOUND', 'No such union in your scope.').message).toBe(
      '没有此记录，或不在您的查看范围内 · No such union in your scope.',
    );
    expect(new AppError('QUOTE_EXPIRED').status).toBe(409);
  });
});
