import { MAGTEK_REPORT_LENGTH, MAGTEK_TRACK_FIELD } from '../drivers/msr-hid.ts';

export interface MagtekSwipeSpec {
  track1?: string;
  track2?: string;
  track3?: string;
  /** Per-track decode status; non-zero marks a track the head could not read (its data is then empty). */
  status?: [number, number, number];
  encodeType?: number;
}

/** One swipe → the single 337-byte report a MagTek USB HID swipe reader sends (layout in drivers/msr-hid.ts). */
export function encodeMagtekSwipe(s: MagtekSwipeSpec): Uint8Array {
  const r = new Uint8Array(MAGTEK_REPORT_LENGTH);
  const status = s.status ?? [0, 0, 0];
  const tracks = [s.track1, s.track2, s.track3].map((t, i) => (status[i] ? '' : (t ?? '')));
  r.set(status, 0);
  tracks.forEach((t, i) => {
    const bytes = new TextEncoder().encode(t).subarray(0, MAGTEK_TRACK_FIELD);
    r[3 + i] = bytes.length;
    r.set(bytes, 7 + i * MAGTEK_TRACK_FIELD);
  });
  r[6] = s.encodeType ?? 0;
  return r;
}

/** What a keyboard-emulation reader types for a swipe; an unreadable track is sent as `%E?` / `;E?`. */
export function msrKeyboardText(s: MagtekSwipeSpec): string {
  const st = s.status ?? [0, 0, 0];
  const t1 = s.track1 === undefined ? '' : st[0] ? '%E?' : s.track1;
  const t2 = s.track2 === undefined ? '' : st[1] ? ';E?' : s.track2;
  return t1 + t2;
}
