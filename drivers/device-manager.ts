import { EventEmitter } from 'node:events';
import type { CardProfile } from '../core/credentials.ts';
import { HidPosDecoder, HONEYWELL_HID_POS_MODE } from './hid-pos-scanner.ts';
import { KeyboardReportDecoder, type KeyboardDecoderOptions } from './hid-keyboard-scanner.ts';
import { decodeMagtekReport } from './msr-hid.ts';
import { hidPosLayout, keyboardLayout, parseHidDescriptor } from './hid-descriptor.ts';
import { maskCredential } from './mask-credential.ts';
import type { Credential, ScannerReply, ScanOutcome } from './scan-result.ts';
import { swipeToCredential } from './swipe.ts';
import { DeviceNotFoundError, describeSpec, type HidDeviceSpec, type HidOpener, type HidTransport } from './transport.ts';

export type DeviceKind = 'hid-pos' | 'hid-keyboard' | 'msr-hid' | 'msr-keyboard';

/** One configured device: what it is, how to find it, and how to decode it. */
export interface DeviceConfig {
  id: string;
  kind: DeviceKind;
  match: HidDeviceSpec;
  /** Feature reports to send after opening, e.g. HONEYWELL_HID_POS_MODE to switch a Honeywell scanner to HID POS. */
  init?: Uint8Array[];
  keyboard?: KeyboardDecoderOptions;
  profiles?: readonly CardProfile[];
}

/** The `device:status` event the cashier page shows (CONTRACT.md, terminal socket.io events). */
export interface DeviceStatus {
  deviceId: string;
  kind: DeviceKind;
  state: 'connected' | 'disconnected' | 'error';
  message: string;
}

/** A read from a device; `outcome.credential` holds raw data for the terminal only — log `masked`, never the raw value. */
export interface DeviceScan {
  deviceId: string;
  kind: DeviceKind;
  outcome: ScanOutcome;
  masked?: Credential;
}

/** A scanner's answer to a menu command or a status report: for the technician's log, never for a checkout. */
export interface DeviceReply {
  deviceId: string;
  kind: DeviceKind;
  reply: ScannerReply;
}

export interface DeviceManagerEvents {
  'device:status': [DeviceStatus];
  scan: [DeviceScan];
  reply: [DeviceReply];
}

/** Timers the manager uses; tests pass a fake clock, production uses the real one. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface DeviceManagerOptions {
  devices: DeviceConfig[];
  /** node-hid's `openNodeHid` in production; the simulator's `FakeHidBus.open` in tests and demos. */
  open: HidOpener;
  clock?: Clock;
  /** Re-open delays: start at `initialMs`, double up to `maxMs`. Default 1 s → 30 s: enumeration is slow, never poll fast. */
  backoff?: { initialMs: number; maxMs: number };
}

type Decoder = {
  push(r: Uint8Array, at: number): ScanOutcome[];
  flush(): ScanOutcome[];
  tick?(at: number): ScanOutcome[];
  deadline?: number | undefined;
};

/** A decoder for the device; `descriptor` is its report descriptor when the transport could read it. */
function makeDecoder(c: DeviceConfig, descriptor?: Uint8Array): Decoder {
  const parsed = descriptor ? parseHidDescriptor(descriptor) : undefined;
  const desc = parsed && !('error' in parsed) ? parsed : undefined;
  switch (c.kind) {
    case 'hid-pos': {
      const layout = desc ? hidPosLayout(desc) : undefined;
      return new HidPosDecoder({ ...(c.profiles ? { profiles: c.profiles } : {}), ...(layout ? { layout } : {}) });
    }
    case 'msr-hid':
      return { push: (r) => [decodeMagtekReport(r, c.profiles)], flush: () => [] };
    case 'hid-keyboard':
    case 'msr-keyboard': {
      const layout = c.keyboard?.layout ?? (desc ? keyboardLayout(desc) : undefined);
      const interpret = c.kind === 'msr-keyboard' ? { interpret: (t: string) => swipeToCredential(t, c.profiles) } : {};
      return new KeyboardReportDecoder({ ...c.keyboard, ...(layout ? { layout } : {}), ...interpret });
    }
  }
}

/**
 * Opens every configured device, decodes its reports, and keeps it open: a read error is an unplug, after
 * which the device is closed and re-opened with back-off. Emits `device:status` on every change and `scan` per read.
 */
export class DeviceManager extends EventEmitter<DeviceManagerEvents> {
  private readonly sessions: DeviceSession[];
  constructor(readonly opts: DeviceManagerOptions) {
    super();
    this.sessions = opts.devices.map(
      (c) => new DeviceSession(c, this, opts.clock ?? realClock, opts.backoff ?? { initialMs: 1000, maxMs: 30_000 }),
    );
  }
  start(): void {
    for (const s of this.sessions) s.start();
  }
  async stop(): Promise<void> {
    await Promise.all(this.sessions.map((s) => s.stop()));
  }
  statuses(): DeviceStatus[] {
    return this.sessions.map((s) => s.status);
  }
}

class DeviceSession {
  status: DeviceStatus;
  private transport: HidTransport | undefined;
  private decoder: Decoder;
  private retry: unknown;
  private tickTimer: unknown;
  private delay: number;
  private stopped = true;

  constructor(
    private readonly config: DeviceConfig,
    private readonly mgr: DeviceManager,
    private readonly clock: Clock,
    private readonly backoff: { initialMs: number; maxMs: number },
  ) {
    this.decoder = makeDecoder(config);
    this.delay = backoff.initialMs;
    this.status = { deviceId: config.id, kind: config.kind, state: 'disconnected', message: 'not opened yet' };
  }

  start(): void {
    this.stopped = false;
    void this.open();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.clock.clearTimeout(this.retry);
    this.clock.clearTimeout(this.tickTimer);
    const t = this.transport;
    this.transport = undefined;
    if (t) await t.close().catch(() => undefined);
  }

  private setStatus(state: DeviceStatus['state'], message: string): void {
    if (this.status.state === state && this.status.message === message) return;
    this.status = { deviceId: this.config.id, kind: this.config.kind, state, message };
    this.mgr.emit('device:status', this.status);
  }

  private async open(): Promise<void> {
    if (this.stopped) return;
    let t: HidTransport;
    try {
      t = await this.mgr.opts.open(this.config.match);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.setStatus(err instanceof DeviceNotFoundError ? 'disconnected' : 'error', message);
      return this.scheduleReopen();
    }
    if (this.stopped) return void t.close().catch(() => undefined);
    try {
      // Some scanners get upset by reports in quick succession, so send init reports one at a time.
      for (const r of this.config.init ?? []) await t.sendFeatureReport(r);
    } catch (err) {
      await t.close().catch(() => undefined);
      this.setStatus('error', `${describeSpec(this.config.match)} refused its setup report (${(err as Error).message})`);
      return this.scheduleReopen();
    }
    this.transport = t;
    this.delay = this.backoff.initialMs;
    // Read the layout from the device itself where it will say (node-hid's getReportDescriptor): a fixed 8-byte guess misreads some keyboards.
    const descriptor = await t.reportDescriptor?.().catch(() => undefined);
    this.decoder = makeDecoder(this.config, descriptor);
    t.on('data', (r) => this.onData(r));
    t.once('error', (err) => void this.lost(t, `read failed, device unplugged? (${err.message})`));
    t.once('close', () => void this.lost(t, 'device closed'));
    this.setStatus('connected', `${this.config.kind} ${describeSpec(this.config.match)} ready`);
  }

  private onData(r: Uint8Array): void {
    this.deliver(this.decoder.push(r, this.clock.now()));
    this.armTick();
  }

  private armTick(): void {
    this.clock.clearTimeout(this.tickTimer);
    const deadline = this.decoder.deadline;
    if (deadline === undefined || !this.decoder.tick) return;
    const tick = this.decoder.tick.bind(this.decoder);
    this.tickTimer = this.clock.setTimeout(() => this.deliver(tick(this.clock.now())), Math.max(0, deadline - this.clock.now()) + 1);
  }

  private deliver(outcomes: ScanOutcome[]): void {
    for (const outcome of outcomes) {
      if (!outcome.ok && outcome.reply) {
        this.mgr.emit('reply', { deviceId: this.config.id, kind: this.config.kind, reply: outcome.reply });
        continue;
      }
      this.mgr.emit('scan', {
        deviceId: this.config.id,
        kind: this.config.kind,
        outcome,
        ...(outcome.ok ? { masked: maskCredential(outcome.credential) } : {}),
      });
    }
  }

  private async lost(t: HidTransport, message: string): Promise<void> {
    if (this.transport !== t) return;
    this.transport = undefined;
    this.clock.clearTimeout(this.tickTimer);
    this.deliver(this.decoder.flush());
    await t.close().catch(() => undefined);
    if (this.stopped) return;
    this.setStatus('disconnected', message);
    this.scheduleReopen();
  }

  private scheduleReopen(): void {
    if (this.stopped) return;
    const wait = this.delay;
    this.delay = Math.min(this.backoff.maxMs, this.delay * 2);
    this.retry = this.clock.setTimeout(() => void this.open(), wait);
  }
}

export { HONEYWELL_HID_POS_MODE };
