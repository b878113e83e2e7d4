import { EventEmitter } from 'node:events';
import type { Clock } from '../drivers/device-manager.ts';
import {
  DeviceNotFoundError,
  describeSpec,
  type HidDeviceInfo,
  type HidDeviceSpec,
  type HidOpener,
  type HidTransport,
  type HidTransportEvents,
} from '../drivers/transport.ts';
import type { TimedReport } from './timed-report.ts';

/** A transport that emits whatever reports it is told to, as a real device's node-hid handle would. */
export class FakeHidTransport extends EventEmitter<HidTransportEvents> implements HidTransport {
  readonly featureReports: Uint8Array[] = [];
  closed = false;
  constructor(
    readonly info: HidDeviceInfo,
    private readonly descriptor?: Uint8Array,
  ) {
    super();
  }
  /** The device's report descriptor, as node-hid or sysfs would give it; a device plugged without one cannot say. */
  async reportDescriptor(): Promise<Uint8Array> {
    if (!this.descriptor) throw new Error('no report descriptor');
    return this.descriptor;
  }
  /** One input report, now. */
  send(report: Uint8Array): void {
    if (!this.closed) this.emit('data', report);
  }
  /** A read error, as node-hid reports an unplug; the handle is dead afterwards. */
  failRead(message = 'could not read from HID device'): void {
    if (this.closed) return;
    this.emit('error', new Error(message));
    void this.close();
  }
  async sendFeatureReport(data: Uint8Array): Promise<void> {
    if (this.closed) throw new Error('device is closed');
    this.featureReports.push(data);
  }
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.emit('close');
  }
}

/** A fake device on the fake bus: survives unplug/replug; `transport` is the handle currently open, if any. */
export class FakeHidDevice {
  transport: FakeHidTransport | undefined;
  plugged = true;
  /** Reject the next opens with this message (e.g. a permission error), as node-hid would. */
  openError: string | undefined;
  constructor(
    readonly info: HidDeviceInfo,
    readonly descriptor?: Uint8Array,
  ) {}

  /** Sends reports at their `atMs` offsets from now on `clock`; resolves when all were sent. */
  play(reports: TimedReport[], clock: Clock): Promise<void> {
    return new Promise((resolve) => {
      let left = reports.length;
      if (left === 0) resolve();
      const start = reports[0]?.atMs ?? 0;
      for (const r of reports) {
        clock.setTimeout(() => {
          this.transport?.send(r.bytes);
          if (--left === 0) resolve();
        }, r.atMs - start);
      }
    });
  }
  /** Sends reports right away, in order (for tests that do not care about timing). */
  sendAll(reports: Array<Uint8Array | TimedReport>): void {
    for (const r of reports) this.transport?.send(r instanceof Uint8Array ? r : r.bytes);
  }
  unplug(): void {
    this.plugged = false;
    this.transport?.failRead('device disconnected');
    this.transport = undefined;
  }
  replug(): void {
    this.plugged = true;
  }
}

/** The simulator's stand-in for node-hid: a device list and an opener with the same contract as openNodeHid. */
export class FakeHidBus {
  readonly devices: FakeHidDevice[] = [];

  plug(info: HidDeviceInfo, descriptor?: Uint8Array): FakeHidDevice {
    const d = new FakeHidDevice({ path: `sim://${this.devices.length + 1}`, ...info }, descriptor);
    this.devices.push(d);
    return d;
  }

  list(): HidDeviceInfo[] {
    return this.devices.filter((d) => d.plugged).map((d) => d.info);
  }

  readonly open: HidOpener = async (spec: HidDeviceSpec): Promise<HidTransport> => {
    const d = this.devices.find(
      (x) =>
        x.plugged &&
        ('path' in spec
          ? x.info.path === spec.path
          : x.info.vendorId === spec.vendorId &&
            x.info.productId === spec.productId &&
            (spec.usagePage === undefined || x.info.usagePage === spec.usagePage)),
    );
    if (!d) throw new DeviceNotFoundError(`no HID device ${describeSpec(spec)} is connected`);
    if (d.openError) throw new Error(d.openError);
    if (d.transport && !d.transport.closed) throw new Error(`${describeSpec(spec)} is already open`);
    d.transport = new FakeHidTransport(d.info, d.descriptor);
    return d.transport;
  };
}
