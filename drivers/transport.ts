import type { EventEmitter } from 'node:events';

/** What enumeration tells us about a HID device (the subset of node-hid's `Device` we rely on). */
export interface HidDeviceInfo {
  vendorId: number;
  productId: number;
  path?: string | undefined;
  product?: string | undefined;
  manufacturer?: string | undefined;
  serialNumber?: string | undefined;
  usagePage?: number | undefined;
  usage?: number | undefined;
  interface?: number | undefined;
}

/** Events every transport emits: one input report per 'data', a read failure, and the end of the device. */
export interface HidTransportEvents {
  data: [report: Uint8Array];
  error: [err: Error];
  close: [];
}

/**
 * A byte pipe to one HID device: node-hid in production, a fake in the simulator and tests.
 * Input reports arrive as 'data' with the report ID first where the device numbers its reports.
 * After 'error' the transport is dead (treat it as unplugged); 'close' follows exactly once.
 */
export interface HidTransport extends Pick<EventEmitter<HidTransportEvents>, 'on' | 'off' | 'once'> {
  readonly info: HidDeviceInfo;
  sendFeatureReport(data: Uint8Array): Promise<void>;
  /** The device's HID report descriptor, where the transport can read it (node-hid: `getReportDescriptor()`). */
  reportDescriptor?(): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** Opens a transport for a device spec; node-hid's adapter and the simulator both provide one. */
export type HidOpener = (spec: HidDeviceSpec) => Promise<HidTransport>;

/** How configuration names a device: an OS path, or a vendor/product id pair (first match). */
export type HidDeviceSpec = { path: string } | { vendorId: number; productId: number; usagePage?: number };

export function describeSpec(spec: HidDeviceSpec): string {
  if ('path' in spec) return spec.path;
  const hex = (n: number) => n.toString(16).padStart(4, '0');
  return `${hex(spec.vendorId)}:${hex(spec.productId)}`;
}

/** Thrown by an opener when the device is simply not there (unplugged, not yet enumerated): retried quietly. */
export class DeviceNotFoundError extends Error {
  override readonly name = 'DeviceNotFoundError';
}
