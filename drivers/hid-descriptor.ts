/**
 * A small HID report-descriptor parser (Device Class Definition for HID 1.11, §6.2.2): enough to find where
 * a device puts its report ID, modifier bits, key array and vendor bytes, instead of guessing from the
 * report length. Pure; never throws: a descriptor it cannot follow gives an error string.
 */

/** One Input, Output or Feature main item: `count` fields of `size` bits each, from `bitOffset` in its report. */
export interface HidField {
  kind: 'input' | 'output' | 'feature';
  reportId: number;
  /** Bit offset inside the report body (after the report ID byte, when the device numbers its reports). */
  bitOffset: number;
  size: number;
  count: number;
  usagePage: number;
  /** Usages named one by one (low 16 bits; `usagePage` holds the page unless a usage gave its own). */
  usages: number[];
  usageMin?: number | undefined;
  usageMax?: number | undefined;
  logicalMin: number;
  logicalMax: number;
  /** Main item flags: bit 0 constant (padding), bit 1 variable (a bitmap or value, not an array of selectors). */
  flags: number;
}

export interface HidDescriptor {
  fields: HidField[];
  /** True when the descriptor declares report IDs: every report then starts with its ID byte. */
  numbered: boolean;
  /** Top-level application collections as `page << 16 | usage`, e.g. 0x00010006 keyboard, 0x008c0002 scanner. */
  applications: number[];
}

const MAX_ITEMS = 4096;

export function parseHidDescriptor(bytes: Uint8Array): HidDescriptor | { error: string } {
  type Globals = { usagePage: number; logicalMin: number; logicalMax: number; size: number; count: number; reportId: number };
  let g: Globals = { usagePage: 0, logicalMin: 0, logicalMax: 0, size: 0, count: 0, reportId: 0 };
  const stack: Globals[] = [];
  let usages: number[] = [];
  let usageMin: number | undefined;
  let usageMax: number | undefined;
  const offsets = new Map<string, number>();
  const out: HidDescriptor = { fields: [], numbered: false, applications: [] };
  let depth = 0;
  let items = 0;
  for (let i = 0; i < bytes.length; ) {
    if (++items > MAX_ITEMS) return { error: 'descriptor has too many items' };
    const prefix = bytes[i]!;
    if (prefix === 0xfe) {
      // Long item: size byte, tag byte, data. No standard long items exist; skip it.
      const len = bytes[i + 1];
      if (len === undefined) return { error: `long item at byte ${i} is cut off` };
      i += 3 + len;
      continue;
    }
    const sizeCode = prefix & 0x03;
    const size = sizeCode === 3 ? 4 : sizeCode;
    if (i + 1 + size > bytes.length) return { error: `item at byte ${i} is cut off` };
    let u = 0;
    for (let k = 0; k < size; k++) u |= bytes[i + 1 + k]! << (8 * k);
    u >>>= 0;
    // Logical minimum/maximum are signed in the item's own width.
    const signed = size === 0 ? 0 : size === 4 ? u | 0 : (u << (32 - 8 * size)) >> (32 - 8 * size);
    const type = (prefix >> 2) & 0x03;
    const tag = prefix >> 4;
    i += 1 + size;
    if (type === 1) {
      // Global items
      if (tag === 0) g.usagePage = u & 0xffff;
      else if (tag === 1) g.logicalMin = signed;
      else if (tag === 2) g.logicalMax = g.logicalMin >= 0 && signed < 0 ? u : signed;
      else if (tag === 7) g.size = u;
      else if (tag === 8) {
        if (u === 0 || u > 255) return { error: `report ID ${u} is out of range` };
        g.reportId = u;
        out.numbered = true;
      } else if (tag === 9) g.count = u;
      else if (tag === 10) stack.push({ ...g });
      else if (tag === 11) {
        const popped = stack.pop();
        if (!popped) return { error: 'Pop without Push' };
        g = popped;
      }
    } else if (type === 2) {
      // Local items: a 4-byte usage carries its own page in the high half.
      if (tag === 0) usages.push(size === 4 ? u : (g.usagePage << 16) | u);
      else if (tag === 1) usageMin = size === 4 ? u : (g.usagePage << 16) | u;
      else if (tag === 2) usageMax = size === 4 ? u : (g.usagePage << 16) | u;
    } else if (type === 0) {
      if (tag === 8 || tag === 9 || tag === 11) {
        const kind = tag === 8 ? 'input' : tag === 9 ? 'output' : 'feature';
        if (g.size > 32 * 1024 || g.count > 65535) return { error: 'field size or count is out of range' };
        const key = `${kind}:${g.reportId}`;
        const bitOffset = offsets.get(key) ?? 0;
        offsets.set(key, bitOffset + g.size * g.count);
        const pageOf = (x: number | undefined) => (x === undefined ? undefined : x >>> 16);
        out.fields.push({
          kind,
          reportId: g.reportId,
          bitOffset,
          size: g.size,
          count: g.count,
          usagePage: pageOf(usages[0] ?? usageMin) ?? g.usagePage,
          usages: usages.map((x) => x & 0xffff),
          usageMin: usageMin === undefined ? undefined : usageMin & 0xffff,
          usageMax: usageMax === undefined ? undefined : usageMax & 0xffff,
          logicalMin: g.logicalMin,
          logicalMax: g.logicalMax,
          flags: u,
        });
      } else if (tag === 10) {
        if (depth === 0 && u === 1 && usages[0] !== undefined) out.applications.push(usages[0] >>> 0);
        depth++;
      } else if (tag === 12) {
        if (depth === 0) return { error: 'End Collection without Collection' };
        depth--;
      }
      // Local items apply to the next main item only.
      usages = [];
      usageMin = usageMax = undefined;
    }
  }
  return out;
}

/** Bytes of one input report with this ID, the ID byte included when the device numbers its reports. */
export function inputReportLength(d: HidDescriptor, reportId: number): number {
  const bits = d.fields
    .filter((f) => f.kind === 'input' && f.reportId === reportId)
    .reduce((n, f) => Math.max(n, f.bitOffset + f.size * f.count), 0);
  return Math.ceil(bits / 8) + (d.numbered ? 1 : 0);
}

export const USAGE_PAGE_KEYBOARD = 0x07;
export const USAGE_PAGE_BARCODE_SCANNER = 0x8c;

/** Where a keyboard's input report keeps what the decoder reads; everything else (vendor bytes, LEDs) is skipped. */
export interface KeyboardLayout {
  /** Report ID byte that starts each keyboard report, or undefined when the device does not number reports. */
  reportId: number | undefined;
  /** Whole report length in bytes, ID included. */
  length: number;
  /** Byte holding the eight modifier bits (0xE0–0xE7), counted from the start of the report as received. */
  modifiersByte: number | undefined;
  /** First byte of the key array and its number of slots (6 on a boot keyboard, 5 on an Apple one). */
  keysByte: number;
  keySlots: number;
}

/** The 8-byte boot keyboard report: modifiers, reserved, six key slots. */
export const BOOT_KEYBOARD: KeyboardLayout = { reportId: undefined, length: 8, modifiersByte: 0, keysByte: 2, keySlots: 6 };

/** Finds the keyboard input report in a descriptor; undefined when it has none the decoder can read (byte-aligned 8-bit key array). */
export function keyboardLayout(d: HidDescriptor): KeyboardLayout | undefined {
  const isArray = (f: HidField) => (f.flags & 0x03) === 0;
  const keys = d.fields.find(
    (f) => f.kind === 'input' && f.usagePage === USAGE_PAGE_KEYBOARD && isArray(f) && f.size === 8 && f.bitOffset % 8 === 0,
  );
  if (!keys) return undefined;
  const idBytes = d.numbered ? 1 : 0;
  const mods = d.fields.find(
    (f) =>
      f.kind === 'input' &&
      f.reportId === keys.reportId &&
      f.usagePage === USAGE_PAGE_KEYBOARD &&
      (f.flags & 0x02) !== 0 &&
      f.size === 1 &&
      f.count === 8 &&
      f.usageMin === 0xe0 &&
      f.bitOffset % 8 === 0,
  );
  return {
    reportId: d.numbered ? keys.reportId : undefined,
    length: inputReportLength(d, keys.reportId),
    modifiersByte: mods ? idBytes + mods.bitOffset / 8 : undefined,
    keysByte: idBytes + keys.bitOffset / 8,
    keySlots: keys.count,
  };
}

/** Where a HID POS scanner's scanned-data report keeps its fields (HID POS usage tables, page 0x8C). */
export interface HidPosLayout {
  reportId: number;
  length: number;
  /** Byte holding the number of data bytes in this report. */
  lengthByte: number;
  /** First of the three AIM symbology identifier bytes (usages 0xFB–0xFD). */
  aimByte: number;
  /** Decoded data (usage 0xFE): first byte and capacity. */
  dataByte: number;
  dataCapacity: number;
  /** Byte and bit of "decoded data continued" (usage 0xFF). */
  continuedByte: number;
  continuedBit: number;
}

/** The common vendor layout (Honeywell, Zebra, Datalogic in HID POS mode): 64 bytes, report ID 2. */
export const COMMON_HID_POS: HidPosLayout = {
  reportId: 0x02,
  length: 64,
  lengthByte: 1,
  aimByte: 2,
  dataByte: 5,
  dataCapacity: 56,
  continuedByte: 63,
  continuedBit: 0,
};

const SYMBOLOGY_ID_1 = 0xfb;
const DECODED_DATA = 0xfe;
const DATA_CONTINUED = 0xff;

/**
 * Reads a HID POS layout from a descriptor: the report that carries Decoded Data (0xFE), its symbology
 * identifier (0xFB–0xFD) and continuation (0xFF). The data length byte has no usage of its own in the
 * tables; vendors put it as the first byte of the report, which is what we take.
 */
export function hidPosLayout(d: HidDescriptor): HidPosLayout | undefined {
  const inputs = d.fields.filter((f) => f.kind === 'input' && f.usagePage === USAGE_PAGE_BARCODE_SCANNER);
  const has = (f: HidField, usage: number) =>
    f.usages.includes(usage) || (f.usageMin !== undefined && f.usageMax !== undefined && usage >= f.usageMin && usage <= f.usageMax);
  const data = inputs.find((f) => has(f, DECODED_DATA) && f.size === 8 && f.bitOffset % 8 === 0);
  if (!data) return undefined;
  const same = inputs.filter((f) => f.reportId === data.reportId);
  const aim = same.find((f) => has(f, SYMBOLOGY_ID_1) && f.size === 8 && f.bitOffset % 8 === 0);
  const cont = same.find((f) => has(f, DATA_CONTINUED));
  if (!aim || !cont) return undefined;
  const idBytes = d.numbered ? 1 : 0;
  const contBit = cont.bitOffset + cont.usages.indexOf(DATA_CONTINUED) * (cont.flags & 0x02 ? cont.size : 0);
  return {
    reportId: data.reportId,
    length: inputReportLength(d, data.reportId),
    lengthByte: idBytes,
    aimByte: idBytes + aim.bitOffset / 8,
    dataByte: idBytes + data.bitOffset / 8,
    dataCapacity: data.count,
    continuedByte: idBytes + Math.floor(Math.max(0, contBit) / 8),
    continuedBit: Math.max(0, contBit) % 8,
  };
}
