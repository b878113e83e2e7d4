/**
 * `huika simulate`: fake hardware against a running terminal, load against a server, or captures on disk.
 *   huika simulate scan  --terminal URL --amount FEN [--confirm] [--via hid-pos|hid-keyboard|msr-hid|msr-keyboard] (--member NO | --card PAN | --swipe PAN | --qr TEXT)
 *     (--via: a terminal started with --simulate makes that fake device send the bytes, through its decoders)
 *   huika simulate load  --server URL [--stores s-minmao-1,…] [--checkouts N]
 *   huika simulate capture --device hid-keyboard|hid-pos|msr-hid --text TEXT [--seed N]   (hid-recorder text on stdout)
 */
import { maskCredential } from '../drivers/mask-credential.ts';
import type { Credential } from '../drivers/scan-result.ts';
import { formatHidRecorder } from '../simulator/capture-writer.ts';
import { cardTracks } from '../simulator/card-data.ts';
import { encodeHidPos } from '../simulator/hid-pos-encoder.ts';
import { encodeKeyboardText } from '../simulator/keyboard-encoder.ts';
import { DEMO_STORES, formatSummary, pairingCodeFor, runLoad } from '../simulator/load.ts';
import { encodeMagtekSwipe } from '../simulator/msr-encoder.ts';
import { seededRng } from '../simulator/rng.ts';
import { TerminalDriver } from '../simulator/terminal-driver.ts';
import { parseFlags, UsageError } from './main.ts';

const OPTIONS = {
  terminal: { type: 'string' },
  server: { type: 'string' },
  amount: { type: 'string' },
  confirm: { type: 'boolean', default: false },
  member: { type: 'string' },
  card: { type: 'string' },
  swipe: { type: 'string' },
  qr: { type: 'string' },
  stores: { type: 'string' },
  checkouts: { type: 'string', default: '50' },
  device: { type: 'string' },
  text: { type: 'string' },
  seed: { type: 'string', default: '1' },
  via: { type: 'string' },
} as const;

function positiveInt(v: string | undefined, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${flag} must be a positive integer`);
  return n;
}

export async function run(argv: string[]): Promise<number> {
  const p = parseFlags({ args: argv, allowPositionals: true, options: OPTIONS });
  const v = p.values;
  const [mode] = p.positionals;
  if (mode === 'capture') {
    if (!v.text) throw new UsageError('capture needs --text');
    const rng = seededRng(positiveInt(v.seed, '--seed'));
    if (v.device === 'hid-keyboard')
      process.stdout.write(
        formatHidRecorder(encodeKeyboardText(v.text, { rng, rollover: 0.3 }), { name: 'Huika simulated keyboard-wedge scanner' }),
      );
    else if (v.device === 'hid-pos')
      process.stdout.write(
        formatHidRecorder(
          encodeHidPos(v.text, ']Q1').map((bytes, i) => ({ atMs: i * 8, bytes })),
          { name: 'Huika simulated HID POS scanner' },
        ),
      );
    else if (v.device === 'msr-hid')
      process.stdout.write(
        formatHidRecorder([{ atMs: 0, bytes: encodeMagtekSwipe(cardTracks(v.text)) }], {
          name: 'Huika simulated MagTek reader',
          vendorId: 0x0801,
          productId: 0x0002,
        }),
      );
    else throw new UsageError('--device must be hid-keyboard, hid-pos or msr-hid');
    return 0;
  }
  if (mode === 'scan') {
    if (!v.terminal) throw new UsageError('scan needs --terminal URL');
    const amountFen = positiveInt(v.amount, '--amount');
    const given = [v.member, v.card, v.swipe, v.qr].filter((x) => x !== undefined);
    if (given.length !== 1) throw new UsageError('give exactly one of --member, --card, --swipe, --qr');
    const credential: Credential =
      v.member !== undefined
        ? { type: 'member_no', data: v.member }
        : v.card !== undefined
          ? { type: 'card_number', data: v.card }
          : v.swipe !== undefined
            ? { type: 'card_track', data: cardTracks(v.swipe).track2 }
            : { type: 'qr', data: v.qr! };
    const t = new TerminalDriver(v.terminal.replace(/\/$/, ''));
    const co = await t
      .startCheckout(amountFen)
      .catch((err: Error) => ({ status: 0, body: { error: String(err.cause ?? err.message) } }) as const);
    if (co.status === 0) return fail('checkout (is the terminal running?)', co);
    if (co.status !== 201 || !('checkoutId' in co.body)) return fail('checkout', co);
    process.stderr.write(
      `checkout ${co.body.checkoutId}: presenting ${JSON.stringify(maskCredential(credential))}${v.via ? ` through the simulated ${v.via}` : ''}\n`,
    );
    let q: Awaited<ReturnType<typeof t.present>>;
    if (v.via) {
      if (!['hid-pos', 'hid-keyboard', 'msr-hid', 'msr-keyboard'].includes(v.via))
        throw new UsageError('--via must be hid-pos, hid-keyboard, msr-hid or msr-keyboard');
      const text = v.swipe !== undefined ? `${cardTracks(v.swipe).track1}${cardTracks(v.swipe).track2}` : credential.data;
      const sent = await t.simulateDevice(v.via, text);
      if (sent.status !== 202) return fail('simulated device (is the terminal running with --simulate?)', sent);
      q = await t.waitForQuote(co.body.checkoutId);
    } else q = await t.present(co.body.checkoutId, credential);
    process.stdout.write(`${JSON.stringify({ step: 'quote', status: q.status, body: q.body })}\n`);
    if (q.status !== 200) return 1;
    if (!v.confirm) return 0;
    const r = await t.confirm(co.body.checkoutId);
    process.stdout.write(`${JSON.stringify({ step: 'confirm', status: r.status, body: r.body })}\n`);
    return r.status < 300 ? 0 : 1;
  }
  if (mode === 'load') {
    if (!v.server) throw new UsageError('load needs --server URL');
    const stores = v.stores
      ? v.stores
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : DEMO_STORES;
    const checkouts = positiveInt(v.checkouts, '--checkouts');
    let lastPaint = 0;
    const summary = await runLoad({
      serverUrl: v.server.replace(/\/$/, ''),
      pairingCodes: stores.map(pairingCodeFor),
      checkoutsPerTerminal: checkouts,
      onProgress: ({ done, total, errors }) => {
        const t = Date.now();
        // Repaint at most 10 times a second: a progress line must not cost the load it measures.
        if (t - lastPaint < 100 && done < total) return;
        lastPaint = t;
        process.stderr.write(`\r${done}/${total} checkouts, ${errors} errors`);
      },
    });
    process.stderr.write('\n');
    process.stdout.write(formatSummary(summary));
    return summary.ops.every((o) => o.count === o.ok) ? 0 : 1;
  }
  throw new UsageError('usage: huika simulate scan|load|capture … (see cli/simulate.ts)');
}

function fail(step: string, r: { status: number; body: unknown }): number {
  process.stderr.write(`huika simulate: ${step} failed with HTTP ${r.status}: ${JSON.stringify(r.body)}\n`);
  return 1;
}
