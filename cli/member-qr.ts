/**
 * `huika member-qr MEMBER_NO --data DIR`: a fresh member QR token, as a member's phone would show it.
 * Reads only the data directory's keys and members, so it works beside a running server.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import QRCode from 'qrcode';
import { isMemberNo } from '../core/credentials.ts';
import { issueMemberQr, QR_TTL_SECONDS } from '../server/security/member-qr.ts';
import { loadOrCreateSecrets } from '../server/security/secrets.ts';
import { readState } from '../server/store/state-file.ts';
import { parseFlags, UsageError } from './main.ts';

export async function run(argv: string[]): Promise<number> {
  const parsed = parseFlags({ args: argv, allowPositionals: true, options: { data: { type: 'string' }, 'no-draw': { type: 'boolean' } } });
  const memberNo = parsed.positionals[0];
  if (!memberNo || parsed.positionals.length > 1) throw new UsageError('usage: huika member-qr MEMBER_NO --data DIR');
  if (!isMemberNo(memberNo)) throw new UsageError(`${memberNo} is not a member number (10 digits, last one a Luhn check digit)`);
  const dir = resolve(parsed.values.data ?? process.env.HUIKA_DATA ?? '.huika/server');
  if (!existsSync(join(dir, 'secrets.json'))) {
    process.stderr.write(`huika member-qr: ${dir} holds no server data (start the server on it first)\n`);
    return 1;
  }
  // Snapshot plus journal: a member added since the last fold is only in state.journal.
  const state = readState(join(dir, 'state.json'));
  if (!state.members?.some((m) => m.memberNo === memberNo)) {
    process.stderr.write(`huika member-qr: no member ${memberNo} in ${dir}\n`);
    return 1;
  }
  const token = issueMemberQr(loadOrCreateSecrets(dir), memberNo);
  process.stdout.write(`${token}\n`);
  if (!parsed.values['no-draw']) {
    const art = await QRCode.toString(token, { type: 'terminal', small: true, errorCorrectionLevel: 'M' });
    process.stderr.write(`${art}valid for ${QR_TTL_SECONDS} s, for one redemption\n`);
  }
  return 0;
}
