/**
 * Bytes from a QR code → text. Browser-safe (TextDecoder only). A QR byte segment carries no charset unless
 * the code declares an ECI, and generators disagree: phones write UTF-8, Chinese generators and older
 * member apps GBK/GB18030, Japanese ones Shift_JIS. In order: UTF-8; the declared ECI; then GB18030 or
 * Shift_JIS, whichever the bytes look like; and if none gives clean text, the code is not text.
 */

/** One decoded QR segment: text the decoder already knows (numeric, alphanumeric, kanji), or raw bytes. */
export type QrSegment = { text: string } | { bytes: Uint8Array; eci?: number | undefined };

/** ECI assignment numbers (ISO/IEC 18004, AIM ECI) → WHATWG encoding labels TextDecoder knows. */
const ECI_LABELS: Record<number, string> = {
  1: 'iso-8859-1',
  3: 'iso-8859-1',
  4: 'iso-8859-2',
  5: 'iso-8859-3',
  6: 'iso-8859-4',
  7: 'iso-8859-5',
  8: 'iso-8859-6',
  9: 'iso-8859-7',
  10: 'iso-8859-8',
  11: 'iso-8859-9',
  12: 'iso-8859-10',
  13: 'windows-874',
  15: 'iso-8859-13',
  16: 'iso-8859-14',
  17: 'iso-8859-15',
  18: 'iso-8859-16',
  20: 'shift_jis',
  21: 'windows-1250',
  22: 'windows-1251',
  23: 'windows-1252',
  24: 'windows-1256',
  25: 'utf-16be',
  26: 'utf-8',
  27: 'windows-1252',
  28: 'big5',
  29: 'gb18030',
  30: 'euc-kr',
  32: 'gb18030',
};

function strict(label: string, bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder(label, { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return undefined;
  }
}

// Characters a text payload never holds: C0 controls other than Tab, CR, LF, EOT and GS/RS/US (GS1 and
// ISO 15434 separators), DEL, and what a decoder substitutes for bytes it could not map.
const NOT_TEXT = /[\x00-\x03\x05-\x08\x0b\x0c\x0e-\x1c\x7f\ufffd]/;

/** How Chinese GB2312/GBK bytes look: two-byte characters in the hanzi rows (lead 0xB0–0xF7); GBK's rare rows count against. */
function gbScore(b: Uint8Array): number {
  let score = 0;
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    const n = b[i + 1] ?? 0;
    if (n >= 0x30 && n <= 0x39) {
      i += 4; // four-byte GB18030 sequence: neither Chinese-looking nor not
      continue;
    }
    if (c >= 0xb0 && c <= 0xf7 && n >= 0xa1) score++;
    else if (c <= 0xa0) score--;
    i += 2;
  }
  return score;
}

/** How Japanese the Shift_JIS reading looks: kana, kanji, half-width kana with (han)dakuten; private-use characters count against. */
function sjisScore(t: string): number {
  let score = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c >= 0x3040 && c <= 0x30ff) score += 2;
    else if (c >= 0x4e00 && c <= 0x9fff) score += 1;
    else if (c >= 0xff61 && c <= 0xff9d && (t.charCodeAt(i + 1) === 0xff9e || t.charCodeAt(i + 1) === 0xff9f)) score += 2;
    else if (c >= 0xe000 && c <= 0xf8ff) score -= 3;
  }
  return score;
}

/** One byte segment → text, or undefined when no encoding we try gives clean text. */
export function bytesToText(bytes: Uint8Array, eci?: number): string | undefined {
  const ok = (t: string | undefined) => (t !== undefined && !NOT_TEXT.test(t) ? t : undefined);
  const utf8 = ok(strict('utf-8', bytes));
  if (utf8 !== undefined) return utf8;
  const label = eci === undefined ? undefined : ECI_LABELS[eci];
  if (label) {
    const t = ok(strict(label, bytes));
    if (t !== undefined) return t;
  }
  const gb = ok(strict('gb18030', bytes));
  const sjis = ok(strict('shift_jis', bytes));
  if (sjis !== undefined && (gb === undefined || sjisScore(sjis) > gbScore(bytes))) return sjis;
  return gb ?? sjis;
}

export type QrText = { text: string } | { notText: string };

/** All segments of one code → its text, or why it is not text. */
export function segmentsToText(segments: readonly QrSegment[]): QrText {
  let text = '';
  for (const s of segments) {
    if ('text' in s) {
      text += s.text;
      continue;
    }
    const t = bytesToText(s.bytes, s.eci);
    if (t === undefined) {
      const what = s.eci !== undefined ? `ECI ${s.eci}` : 'no ECI';
      return { notText: `${s.bytes.length} bytes (${what}) are not text in UTF-8, their ECI, GB18030 or Shift_JIS` };
    }
    text += t;
  }
  return { text };
}

/**
 * zxing's `bytesECI` (ECI protocol, ISO/IEC 15424): `\dddddd` switches the character set, `\\` is one
 * backslash. Split into byte segments with the ECI that governs each.
 */
export function eciProtocolSegments(b: Uint8Array): QrSegment[] {
  const out: QrSegment[] = [];
  let cur: number[] = [];
  let eci: number | undefined;
  const push = () => {
    if (cur.length) out.push({ bytes: Uint8Array.from(cur), eci });
    cur = [];
  };
  for (let i = 0; i < b.length; i++) {
    if (b[i] === 0x5c && b[i + 1] === 0x5c) {
      cur.push(0x5c);
      i++;
    } else if (b[i] === 0x5c && i + 6 < b.length && [...b.subarray(i + 1, i + 7)].every((d) => d >= 0x30 && d <= 0x39)) {
      push();
      eci = Number(String.fromCharCode(...b.subarray(i + 1, i + 7)));
      i += 6;
    } else cur.push(b[i]!);
  }
  push();
  return out;
}
