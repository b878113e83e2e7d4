import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError, ERRORS } from './errors.ts';
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

  it('turns an AppError into the contract body, with details only when given', () => {
    expect(new AppError('NOT_FOUND').toBody()).toEqual({ error: { code: 'NOT_FOUND', message: ERRORS.NOT_FOUND.message } });
    expect(new AppError('VALIDATION_FAILED', 'bad', [{ path: 'x' }]).toBody()).toEqual({
      error: { code: 'VALIDATION_FAILED', message: 'bad', details: [{ path: 'x' }] },
    });
    expect(new AppError('QUOTE_EXPIRED').status).toBe(409);
  });
});
