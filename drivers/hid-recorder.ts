/** hid-tools' `hid-recorder` text captures: `E: <seconds> <byte count> <hex bytes…>` per input report. */
export interface CapturedReport {
  /** Seconds since the recording started, as written. */
  time: number;
  bytes: Uint8Array;
}

export interface CaptureParse {
  reports: CapturedReport[];
  /** Lines that start with `E:` but are not a valid report (line numbers are 1-based). */
  errors: Array<{ line: number; message: string }>;
  name?: string;
  /** From the `I: <bus> <vendor> <product>` line, when present. */
  ids?: { bus: number; vendorId: number; productId: number };
  /** The report descriptor from the `R: <length> <hex bytes…>` line (continued on following lines when wrapped). */
  descriptor?: Uint8Array;
}

export function parseHidRecorder(text: string): CaptureParse {
  const out: CaptureParse = { reports: [], errors: [] };
  // The descriptor being read: a mail or a terminal may wrap `R:` over several lines of bare hex.
  let desc: { want: number; bytes: number[]; line: number } | undefined;
  const endDescriptor = () => {
    if (!desc) return;
    if (desc.bytes.length === desc.want) out.descriptor = Uint8Array.from(desc.bytes);
    else out.errors.push({ line: desc.line, message: `R: says ${desc.want} bytes but holds ${desc.bytes.length}` });
    desc = undefined;
  };
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (desc && /^([0-9a-fA-F]{2}\s*)+$/.test(line)) {
      desc.bytes.push(...line.split(/\s+/).map((h) => parseInt(h, 16)));
      if (desc.bytes.length >= desc.want) endDescriptor();
      continue;
    }
    endDescriptor();
    if (line.startsWith('R:')) {
      const [n, ...hex] = line.slice(2).trim().split(/\s+/);
      const want = Number(n);
      if (!Number.isInteger(want) || want < 0 || want > 4096 || !hex.every((h) => /^[0-9a-fA-F]{2}$/.test(h))) {
        out.errors.push({ line: i + 1, message: 'expected "R: <length> <hex bytes…>"' });
        continue;
      }
      desc = { want, bytes: hex.map((h) => parseInt(h, 16)), line: i + 1 };
      if (desc.bytes.length >= want) endDescriptor();
    } else if (line.startsWith('N:')) out.name = line.slice(2).trim();
    else if (line.startsWith('I:')) {
      const [bus, vid, pid] = line
        .slice(2)
        .trim()
        .split(/\s+/)
        .map((h) => parseInt(h, 16));
      if (bus !== undefined && vid !== undefined && pid !== undefined && ![bus, vid, pid].some(Number.isNaN)) {
        out.ids = { bus, vendorId: vid, productId: pid };
      }
    } else if (line.startsWith('E:')) {
      const [t, n, ...hex] = line.slice(2).trim().split(/\s+/);
      const time = Number(t);
      const count = Number(n);
      const problem =
        !Number.isFinite(time) || !Number.isInteger(count)
          ? 'expected "E: <seconds> <byte count> <hex bytes…>"'
          : hex.length !== count
            ? `says ${count} bytes but holds ${hex.length}`
            : !hex.every((h) => /^[0-9a-fA-F]{2}$/.test(h))
              ? 'bytes must be two hex digits each'
              : undefined;
      if (problem) out.errors.push({ line: i + 1, message: problem });
      else out.reports.push({ time, bytes: Uint8Array.from(hex.map((h) => parseInt(h, 16))) });
    }
  }
  endDescriptor();
  return out;
}
