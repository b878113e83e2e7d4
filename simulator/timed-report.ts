/** An input report and when the device sends it, in ms from the start of the scan. */
export interface TimedReport {
  atMs: number;
  bytes: Uint8Array;
}
