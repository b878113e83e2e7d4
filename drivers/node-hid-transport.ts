import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import type { HidDeviceInfo, HidDeviceSpec, HidTransport, HidTransportEvents } from './transport.ts';
import { DeviceNotFoundError, describeSpec } from './transport.ts';

type NodeHid = typeof import('node-hid');
type HIDAsync = import('node-hid').HIDAsync;

/** Why HID is unavailable, in one line with the fix (docs/DRIVERS.md, "Permissions"). */
export const NODE_HID_FIX =
  'install libusb-1.0-0 (apt-get install libusb-1.0-0) and allow access to /dev/hidraw* with the udev rule in docs/DRIVERS.md';

export type NodeHidLoad = { ok: true; hid: NodeHid } | { ok: false; message: string };

let loading: Promise<NodeHidLoad> | undefined;

/** Imports node-hid once, lazily: the native addon may be missing or fail to link, and the terminal must still run. */
export function loadNodeHid(): Promise<NodeHidLoad> {
  loading ??= import('node-hid').then(
    (hid): NodeHidLoad => ({ ok: true, hid: ((hid as { default?: NodeHid }).default ?? hid) as NodeHid }),
    (err: unknown): NodeHidLoad => ({
      ok: false,
      message: `HID devices unavailable: node-hid did not load (${firstLine(err)}); ${NODE_HID_FIX}`,
    }),
  );
  return loading;
}

export type DeviceList = { ok: true; devices: HidDeviceInfo[] } | { ok: false; message: string };

/** Enumerates HID devices with node-hid's async API (enumeration is slow on some hubs; never call it in a tight loop). */
export async function listHidDevices(): Promise<DeviceList> {
  const load = await loadNodeHid();
  if (!load.ok) return load;
  try {
    return { ok: true, devices: await load.hid.devicesAsync() };
  } catch (err) {
    return { ok: false, message: `HID enumeration failed (${firstLine(err)}); ${NODE_HID_FIX}` };
  }
}

class NodeHidTransport extends EventEmitter<HidTransportEvents> implements HidTransport {
  private closed = false;
  constructor(
    private readonly dev: HIDAsync,
    readonly info: HidDeviceInfo,
  ) {
    super();
    dev.on('data', (buf: Buffer) => this.emit('data', new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)));
    dev.on('error', (err: Error) => {
      // node-hid reports an unplug as a read error; the device handle is useless afterwards.
      if (this.closed) return;
      this.emit('error', err);
      void this.close();
    });
  }

  async sendFeatureReport(data: Uint8Array): Promise<void> {
    await this.dev.sendFeatureReport(Buffer.from(data));
  }

  async reportDescriptor(): Promise<Uint8Array> {
    // node-hid 3.4 has no getReportDescriptor(); later versions do. On Linux the kernel publishes it in sysfs.
    const dev = this.dev as HIDAsync & { getReportDescriptor?: () => Promise<Buffer> };
    if (typeof dev.getReportDescriptor === 'function') {
      const buf = await dev.getReportDescriptor();
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    const node = /^\/dev\/(hidraw\d+)$/.exec(this.info.path ?? '');
    if (!node) throw new Error('this platform does not expose the report descriptor');
    return new Uint8Array(await readFile(`/sys/class/hidraw/${node[1]}/device/report_descriptor`));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.dev.close();
    } catch {
      // Closing an unplugged device fails on some platforms; it is gone either way.
    }
    this.emit('close');
  }
}

/** Opens a device through node-hid. Throws DeviceNotFoundError or an Error whose message says why. */
export async function openNodeHid(spec: HidDeviceSpec): Promise<HidTransport> {
  const load = await loadNodeHid();
  if (!load.ok) throw new Error(load.message);
  const { hid } = load;
  let path: string | undefined;
  let info: HidDeviceInfo | undefined;
  if ('path' in spec) path = spec.path;
  else {
    const found = (await hid.devicesAsync(spec.vendorId, spec.productId)).filter(
      (d) => spec.usagePage === undefined || d.usagePage === spec.usagePage,
    );
    // Composite scanners expose several interfaces; the usage page picks the one we decode.
    info = found[0];
    path = info?.path;
  }
  if (!path) throw new DeviceNotFoundError(`no HID device ${describeSpec(spec)} is connected`);
  let dev: HIDAsync;
  try {
    dev = await hid.HIDAsync.open(path);
  } catch (err) {
    throw new Error(`cannot open ${describeSpec(spec)} (${firstLine(err)}); ${NODE_HID_FIX}`);
  }
  try {
    info ??= await dev.getDeviceInfo();
    return new NodeHidTransport(dev, info);
  } catch (err) {
    // A handle we cannot describe would leak the device until the process exits: close it now.
    await dev.close().catch(() => undefined);
    throw new Error(`opened ${describeSpec(spec)} but could not read its details (${firstLine(err)})`);
  }
}

function firstLine(err: unknown): string {
  return String(err instanceof Error ? err.message : err).split('\n')[0]!;
}
