/**
 * Living member codes at the server: how many it verifies a second (parse, device lookup in a real
 * embedded store, key unwrap, HMAC, time step), and the size of the code as a QR symbol at level M.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import QRCode from 'qrcode';
import { derivedKeys, makeMemberCode, MEMBER_CODE_LENGTH, stepOf, unbase32 } from '../core/member-code.ts';
import { loadOrCreateSecrets } from '../server/security/secrets.ts';
import { newDeviceId, nodeHmac, unwrapDeviceKey, verifyMemberCode, wrapDeviceKey } from '../server/security/member-code.ts';
import { EmbeddedStore } from '../server/store/embedded-store.ts';

export interface MemberCodeBench {
  devices: number;
  verified: number;
  perSecond: number;
  /** What a forged code costs: refused at the MAC. */
  forgedPerSecond: number;
  length: number;
  version: number;
  modules: number;
  mode: string;
}

export async function benchMemberCode(opts: { devices?: number; seconds?: number } = {}): Promise<MemberCodeBench> {
  const devices = opts.devices ?? 10_000;
  const ms = (opts.seconds ?? 2) * 1000;
  const dir = mkdtempSync(join(tmpdir(), 'huika-bench-member-'));
  const secrets = loadOrCreateSecrets(dir);
  const now = Date.now();
  const step = stepOf(now);
  const codes: string[] = [];
  const records = [];
  // The devices go straight into member-side.json before the store opens: registering 10,000 one by one
  // would be 10,000 durable writes of a growing file, and only the lookup is measured.
  for (let i = 0; i < devices; i++) {
    const id = newDeviceId();
    const key = randomBytes(32);
    records.push({
      id,
      memberId: `mbr-${i}`,
      keyWrapped: wrapDeviceKey(secrets, id, key),
      createdAt: new Date(now).toISOString(),
      revokedAt: null,
    });
    codes.push(makeMemberCode(nodeHmac, derivedKeys(nodeHmac, key), unbase32(id)!, step));
  }
  writeFileSync(
    join(dir, 'member-side.json'),
    JSON.stringify({ format: 'huika-member-side/1', credentials: [], devices: records, feedback: [] }),
  );
  const store = await EmbeddedStore.open({ dir });
  try {
    const keyOf = async (id: string) => {
      const d = await store.memberSide.device(id);
      return d && !d.revokedAt ? unwrapDeviceKey(secrets, d.id, d.keyWrapped) : undefined;
    };
    const time = async (make: (i: number) => string) => {
      let n = 0;
      const end = performance.now() + ms;
      const t0 = performance.now();
      while (performance.now() < end) {
        for (let k = 0; k < 200; k++, n++) {
          const r = await verifyMemberCode(make(n), now, keyOf);
          if (r.ok !== (make === good)) throw new Error('member code bench: unexpected verdict');
        }
      }
      return { n, perSecond: (n / (performance.now() - t0)) * 1000 };
    };
    const good = (i: number) => codes[i % codes.length]!;
    const forged = (i: number) => {
      const c = codes[i % codes.length]!;
      return c.slice(0, 20) + (c[20] === 'A' ? 'B' : 'A') + c.slice(21);
    };
    const ok = await time(good);
    const bad = await time(forged);
    const qr = QRCode.create(codes[0]!, { errorCorrectionLevel: 'M' });
    return {
      devices,
      verified: ok.n,
      perSecond: ok.perSecond,
      forgedPerSecond: bad.perSecond,
      length: MEMBER_CODE_LENGTH,
      version: qr.version,
      modules: qr.modules.size,
      mode: qr.segments.map((s) => s.mode.id).join('+'),
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function memberCodeLines(m: MemberCodeBench, fmt: (n: number, d?: number) => string): string[] {
  return [
    '',
    `| living member code (HK2) at the server, ${fmt(m.devices)} devices | verified | codes/s | forged codes refused/s | length | QR version (level M) | modules | mode |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    `| parse, device lookup, key unwrap, HMAC, time step (one core) | ${fmt(m.verified)} | ${fmt(m.perSecond)} | ${fmt(m.forgedPerSecond)} | ${m.length} | ${m.version} | ${m.modules}×${m.modules} | ${m.mode} |`,
  ];
}
