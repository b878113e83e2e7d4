import { describe, expect, it } from 'vitest';
import { maskCredential, maskTrack } from './mask-credential.ts';

describe('maskCredential', () => {
  it('keeps the first 6 and last 4 digits of a PAN, on its own and inside tracks', () => {
    expect(maskCredential({ type: 'card_number', data: '6217996600000000015' }).data).toBe('621799*********0015');
    expect(maskTrack(';6217996600000000015=2912101?')).toBe(';621799*********0015=*******?');
    expect(maskTrack('%B6217996600000000015^ZHANG/WEI^2912101?')).toBe('%B621799*********0015^ZHANG/WEI^*******?');
  });

  it('masks a member number carried on track 2 as a member number, not as stars only', () => {
    expect(maskTrack(';5133000017=2912?')).toBe(';5133****17=****?');
  });

  it('hides every digit of a track it does not recognise', () => {
    expect(maskTrack(';garbled 6217996600000000015')).toBe(';garbled *******************');
  });

  it('leaves member numbers and QR payloads as read', () => {
    expect(maskCredential({ type: 'member_no', data: '5133000017' })).toEqual({ type: 'member_no', data: '5133000017' });
  });
});
