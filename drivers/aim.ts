/** AIM symbology identifiers (ISO/IEC 15424): `]` + code character + modifier, sent ahead of the data. */
const AIM_NAMES: Record<string, string> = {
  A: 'code39',
  C: 'code128',
  d: 'datamatrix',
  E: 'ean-upc',
  F: 'codabar',
  G: 'code93',
  I: 'itf',
  L: 'pdf417',
  Q: 'qr',
  X: 'other',
  e: 'gs1-databar',
  z: 'aztec',
};

export interface AimId {
  /** The raw three characters, e.g. `]Q1`. */
  id: string;
  name: string;
}

export function parseAimId(id: string): AimId | undefined {
  if (id.length !== 3 || id[0] !== ']') return undefined;
  return { id, name: AIM_NAMES[id[1]!] ?? 'unknown' };
}

export const isQrSymbology = (aim: AimId | undefined): boolean => aim?.name === 'qr';
/** EAN-13, EAN-8 and UPC are product codes; a member card never carries one. */
export const isProductSymbology = (aim: AimId | undefined): boolean => aim?.name === 'ean-upc';
