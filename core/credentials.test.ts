import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  bankCardProfile,
  credentialFromTracks,
  isMemberNo,
  isPan,
  parseCredential,
  parseTrack1,
  parseTrack2,
  splitSwipe,
  unionMemberCardProfile,
  type CredentialResult,
} from './credentials.ts';
import { withLuhn } from './luhn.ts';

const PAN = '6217996600000000015';
const MEMBER_NO = '5133000017';
const TRACK1 = `%B${PAN}^ZHANG/SAN^2912101000000000000?`;
const TRACK2 = `;${PAN}=2912101000000000?`;

function failure(r: CredentialResult): string {
  expect(r.ok).toBe(false);
  if (r.ok) throw new Error('expected a validation failure');
  expect(r.code).toBe('VALIDATION_FAILED');
  return r.message;
}

describe('member number and PAN validation', () => {
  it('accepts 10-digit member numbers whose last digit is the Luhn check digit', () => {
    expect(isMemberNo(MEMBER_NO)).toBe(true);
    expect(isMemberNo('5101000064')).toBe(true);
  });
  it.each(['5133000018', '513300001', '51330000170', '5133o00017', ' 5133000017'])('refuses %j as a member number', (s) => {
    expect(isMemberNo(s)).toBe(false);
  });
  it('accepts 12- to 19-digit Luhn-valid PANs only', () => {
    expect(isPan(PAN)).toBe(true);
    expect(isPan(withLuhn('12345678901'))).toBe(true); // 12 digits
    expect(isPan(withLuhn('1234567890'))).toBe(false); // 11 digits
    expect(isPan(withLuhn('123456789012345678'))).toBe(true); // 19 digits
    expect(isPan(withLuhn('1234567890123456789'))).toBe(false); // 20 digits
    expect(isPan('6217996600000000016')).toBe(false);
  });
});

describe('parseCredential', () => {
  it('turns a valid member_no into a member number lookup', () => {
    expect(parseCredential('member_no', MEMBER_NO)).toEqual({
      ok: true,
      value: { kind: 'member_no', memberNo: MEMBER_NO, via: 'member_no' },
    });
  });
  it('says a member number must be 10 digits when it is not', () => {
    expect(failure(parseCredential('member_no', '513300001'))).toMatch(/10 digits/);
    expect(failure(parseCredential('member_no', '51330000x7'))).toMatch(/10 digits/);
  });
  it('says a member number fails its check digit when the Luhn digit is wrong', () => {
    expect(failure(parseCredential('member_no', '5133000018'))).toMatch(/check digit/);
  });
  it('turns a valid card_number into a PAN with its last 4', () => {
    expect(parseCredential('card_number', PAN)).toEqual({ ok: true, value: { kind: 'pan', pan: PAN, last4: '0015', via: 'card_number' } });
  });
  it('refuses card numbers of the wrong length, with separators, or with a bad check digit', () => {
    expect(failure(parseCredential('card_number', '62179966'))).toMatch(/12 to 19 digits/);
    expect(failure(parseCredential('card_number', '6217 9966 0000 0000 015'))).toMatch(/12 to 19 digits/);
    expect(failure(parseCredential('card_number', '6217996600000000016'))).toMatch(/check digit/);
  });
  it('passes a QR payload through as an opaque token, up to 512 characters', () => {
    expect(parseCredential('qr', 'hk1.abc.def')).toEqual({ ok: true, value: { kind: 'qr', token: 'hk1.abc.def' } });
    expect(parseCredential('qr', 'x'.repeat(512)).ok).toBe(true);
    expect(failure(parseCredential('qr', 'x'.repeat(513)))).toMatch(/512/);
    expect(failure(parseCredential('qr', ''))).toMatch(/1 to 512/);
  });
  it('reads a card_track through the track parser', () => {
    expect(parseCredential('card_track', TRACK2)).toEqual({ ok: true, value: { kind: 'pan', pan: PAN, last4: '0015', via: 'card_track' } });
  });
  it('uses the card profiles it is given for card_track', () => {
    // Only the bank profile: a member number on the stripe is then not a credential.
    expect(parseCredential('card_track', `;${MEMBER_NO}=2912?`, [bankCardProfile]).ok).toBe(false);
    expect(parseCredential('card_track', `;${MEMBER_NO}=2912?`).ok).toBe(true);
  });
  it('never throws and always answers ok or VALIDATION_FAILED with a message, whatever the input', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('card_track', 'card_number', 'member_no', 'qr') as fc.Arbitrary<'card_track'>,
        fc.string({ maxLength: 120 }),
        (type, data) => {
          const r = parseCredential(type, data);
          if (!r.ok) {
            expect(r.code).toBe('VALIDATION_FAILED');
            expect(r.message.length).toBeGreaterThan(10);
          }
        },
      ),
      { numRuns: 1_000 },
    );
  });
});

describe('track 1 and track 2 parsing', () => {
  it('reads PAN, name, expiry and service code from track 1 (format B)', () => {
    expect(parseTrack1(TRACK1)).toEqual({ ok: true, value: { pan: PAN, name: 'ZHANG/SAN', expiry: '2912', serviceCode: '101' } });
  });
  it('trims the padding of the track 1 name field', () => {
    const r = parseTrack1(`%B${PAN}^ZHANG/SAN                 ^2912101?`);
    expect(r.ok && r.value.name).toBe('ZHANG/SAN');
  });
  it('accepts a longitudinal redundancy check character after the end sentinel', () => {
    expect(parseTrack1(`${TRACK1}X`).ok).toBe(true);
    expect(parseTrack2(`${TRACK2}5`).ok).toBe(true);
  });
  it('refuses track 1 without its sentinels, format code or field separators', () => {
    expect(parseTrack1(`B${PAN}^ZHANG/SAN^2912101?`).ok).toBe(false);
    expect(parseTrack1(`%B${PAN}^ZHANG/SAN^2912101`).ok).toBe(false);
    expect(parseTrack1(`%A${PAN}^ZHANG/SAN^2912101?`).ok).toBe(false);
    expect(parseTrack1(`%B${PAN}ZHANG/SAN2912101?`).ok).toBe(false);
  });
  it('reads PAN, expiry and service code from track 2', () => {
    expect(parseTrack2(TRACK2)).toEqual({ ok: true, value: { pan: PAN, expiry: '2912', serviceCode: '101' } });
  });
  it('accepts a track 2 with no expiry (union-issued cards)', () => {
    expect(parseTrack2(`;${MEMBER_NO}=?`)).toEqual({ ok: true, value: { pan: MEMBER_NO, expiry: '', serviceCode: '' } });
  });
  it('refuses track 2 without its sentinels or separator', () => {
    expect(parseTrack2(`${PAN}=2912101?`).ok).toBe(false);
    expect(parseTrack2(`;${PAN}=2912101`).ok).toBe(false);
    expect(parseTrack2(`;${PAN}2912101?`).ok).toBe(false);
    expect(parseTrack2(`;${PAN.slice(0, 10)}A${PAN.slice(11)}=2912?`).ok).toBe(false);
  });
});

describe('splitSwipe', () => {
  it('finds both tracks in one swipe, with the newline a keyboard reader types', () => {
    expect(splitSwipe(`${TRACK1}${TRACK2}\r\n`)).toEqual({ track1: TRACK1, track2: TRACK2, errors: [] });
  });
  it('takes a second ;…? as track 3', () => {
    const t3 = ';011234567890123=0000?';
    expect(splitSwipe(`${TRACK1}${TRACK2}${t3}`)).toEqual({ track1: TRACK1, track2: TRACK2, track3: t3, errors: [] });
  });
  it('reports %E? and ;E? as unreadable tracks', () => {
    expect(splitSwipe('%E?;E?').errors).toEqual(['track 1 unreadable', 'track 2 unreadable']);
    expect(splitSwipe(`%E?${TRACK2};E?`)).toEqual({ track2: TRACK2, errors: ['track 1 unreadable', 'track 3 unreadable'] });
  });
  it('reports text with no sentinel at all', () => {
    expect(splitSwipe('hello').errors).toEqual(['no track sentinels (% or ;) found']);
  });
});

describe('credentialFromTracks', () => {
  it('reads the PAN of a bank member-service card from track 2', () => {
    expect(credentialFromTracks(TRACK2)).toEqual({ ok: true, value: { kind: 'pan', pan: PAN, last4: '0015', via: 'card_track' } });
  });
  it('reads the PAN from track 1 alone', () => {
    expect(credentialFromTracks(TRACK1)).toEqual({ ok: true, value: { kind: 'pan', pan: PAN, last4: '0015', via: 'card_track' } });
  });
  it('reads a swipe with both tracks in one line', () => {
    expect(credentialFromTracks(`${TRACK1}${TRACK2}\n`)).toEqual({
      ok: true,
      value: { kind: 'pan', pan: PAN, last4: '0015', via: 'card_track' },
    });
  });
  it('prefers track 2 when both tracks are present and disagree', () => {
    const other = '6217996600000000023';
    const r = credentialFromTracks(`%B${other}^LI/SI^2912101?${TRACK2}`);
    expect(r.ok && r.value.kind === 'pan' && r.value.pan).toBe(PAN);
  });
  it('falls back to track 1 when track 2 is unreadable (;E?)', () => {
    const r = credentialFromTracks(`${TRACK1};E?`);
    expect(r.ok && r.value.kind === 'pan' && r.value.pan).toBe(PAN);
  });
  it('falls back to track 2 when track 1 is unreadable (%E?)', () => {
    const r = credentialFromTracks(`%E?${TRACK2}`);
    expect(r.ok && r.value.kind === 'pan' && r.value.pan).toBe(PAN);
  });
  it('falls back to track 1 when track 2 fails its check digit', () => {
    const r = credentialFromTracks(`${TRACK1};6217996600000000016=2912101?`);
    expect(r.ok && r.value.kind === 'pan' && r.value.pan).toBe(PAN);
  });
  it('reads the member number of a union card profile from track 2', () => {
    expect(credentialFromTracks(`;${MEMBER_NO}=2912?`)).toEqual({
      ok: true,
      value: { kind: 'member_no', memberNo: MEMBER_NO, via: 'card_track' },
    });
  });
  it('reads the member number of a union card from track 1 too', () => {
    expect(credentialFromTracks(`%B${MEMBER_NO}^ZHANG/SAN^2912?`)).toEqual({
      ok: true,
      value: { kind: 'member_no', memberNo: MEMBER_NO, via: 'card_track' },
    });
  });
  it('does not take a 10-digit number as a member number under the bank profile only', () => {
    expect(credentialFromTracks(`;${MEMBER_NO}=2912?`, [bankCardProfile]).ok).toBe(false);
    expect(credentialFromTracks(TRACK2, [unionMemberCardProfile]).ok).toBe(false);
  });
  it('says to swipe again when both tracks are unreadable', () => {
    expect(failure(credentialFromTracks('%E?;E?'))).toBe('bad swipe (track 1 unreadable, track 2 unreadable); swipe again');
  });
  it('says the stripe number fails its check digit when it does', () => {
    expect(failure(credentialFromTracks(';6217996600000000016=2912101?'))).toMatch(/fails its check digit/);
    expect(failure(credentialFromTracks(';5133000018=2912?'))).toMatch(/fails its check digit/);
  });
  it('refuses a track without sentinels with a clear message', () => {
    expect(failure(credentialFromTracks(`${PAN}=2912101`))).toMatch(/no track sentinels/);
  });
  it('refuses sentinel-framed garbage as not ISO/IEC 7813', () => {
    expect(failure(credentialFromTracks(';ABCDEF?'))).toMatch(/ISO\/IEC 7813/);
    expect(failure(credentialFromTracks('%Bgarbled?'))).toMatch(/ISO\/IEC 7813/);
  });
  it('refuses garbled swipes without ever echoing the card number in the message', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), fc.integer({ min: 0, max: TRACK2.length - 1 }), (noise, cut) => {
        const r = parseCredential('card_track', TRACK2.slice(0, cut) + noise);
        if (!r.ok) {
          expect(r.code).toBe('VALIDATION_FAILED');
          expect(r.message).not.toContain(PAN);
          expect(r.message).toMatch(/swipe again/);
        }
      }),
      { numRuns: 500 },
    );
  });
});
