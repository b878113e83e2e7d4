/** 会员 Members: CSV import (dry run, progress, per-row errors, all or nothing), search, suspend/reinstate, export. */
import { useEffect, useState } from 'preact/hooks';
import { api, download, qs, token, uploadCsv } from './api.ts';
import { saveBlob } from '../../../web/browser-util.ts';
import type { ImportJob, MemberView, TabProps } from './types.ts';
import { Bi, CARD_STATUS, Empty, ErrorBox, Field, MEMBER_STATUS, Notice, Pill } from './ui.tsx';

const FIELD_ZH: Record<string, string> = {
  member_no: '会员号',
  name: '姓名',
  union_id: '工会编号',
  status: '状态',
  card_pan: '卡号',
  card_status: '卡状态',
  first_password: '初始密码',
  '(file)': '文件',
};
const PAGE = 20;

function ImportCard({ onImported }: { onImported: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [dryRun, setDryRun] = useState(true);
  const [job, setJob] = useState<ImportJob | null>(null);
  const [error, setError] = useState<unknown>();
  const running = job?.state === 'running';

  async function start() {
    if (!file) return;
    setError(undefined);
    setJob(null);
    try {
      let j = await uploadCsv<ImportJob>(`/admin/members/import${qs({ dryRun: dryRun ? 1 : 0, fileName: file.name })}`, file);
      setJob(j);
      while (j.state === 'running') {
        await new Promise((r) => setTimeout(r, 150));
        j = await api<ImportJob>('GET', `/admin/imports/${j.id}`);
        setJob(j);
      }
      if (j.written) onImported();
    } catch (err) {
      setError(err);
    }
  }

  /** The import's activation codes, made on this click and shown once: the server keeps only their hashes. */
  async function importCodes() {
    if (!job) return;
    try {
      const res = await fetch(`/api/v1/admin/imports/${job.id}/activation-codes`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token() ?? ''}`, 'content-type': 'application/json' },
        body: '{}',
      });
      if (!res.ok) throw new Error(`激活码下载失败 Could not download the activation codes (${res.status})`);
      saveBlob(await res.blob(), `activation-codes-${job.fileName.replace(/\.csv$/i, '')}.csv`);
      setJob(await api<ImportJob>('GET', `/admin/imports/${job.id}`));
    } catch (err) {
      setError(err);
    }
  }

  const pct = job && job.total > 0 ? Math.round((job.processed / job.total) * 100) : 0;
  return (
    <section class="card" id="import">
      <h2>
        <Bi zh="从会员信息库导入" en="Import from the member information database (CSV)" />
      </h2>
      <p class="hint">
        每行一名会员；任何一行有错则整个文件都不写入。建议先“仅检查”。{' '}
        <span class="en">One member per row; if any row is wrong nothing is written. Check first with a dry run.</span>
      </p>
      <p class="hint">
        可选列“初始密码 first_password”：会员首次登录后须修改；未填的会员导入后可下载一次性激活码。{' '}
        <span class="en">
          Optional column first_password: changed at the member's first sign-in. Members without one get one-time activation codes to
          download after the import.
        </span>
      </p>
      <div class="grid2">
        <div>
          <div class="row">
            <Field zh="CSV 文件" en="CSV file" wide>
              <input
                type="file"
                accept=".csv,text/csv"
                data-testid="import-file"
                onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0] ?? null)}
              />
            </Field>
          </div>
          <div class="row" style="margin-top:10px">
            <label class="check">
              <input
                type="checkbox"
                checked={dryRun}
                data-testid="dry-run"
                onChange={(e) => setDryRun((e.target as HTMLInputElement).checked)}
              />
              仅检查，不写入 <span class="en">Dry run (check only)</span>
            </label>
            <button class="primary" disabled={!file || running} onClick={start} data-testid="start-import">
              {dryRun ? '开始检查 Check file' : '开始导入 Import'}
            </button>
            <button class="link" onClick={() => download('/admin/members/import-template.csv', 'member-import-template.csv')}>
              下载模板 <span class="en">Template</span>
            </button>
          </div>
        </div>
        <table class="cols">
          <thead>
            <tr>
              <th>列 Column</th>
              <th>内容 Content</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <td>
                <code>member_no</code> 会员号
              </td>
              <td>10位，末位校验 · 10 digits, Luhn</td>
            </tr>
            <tr>
              <td>
                <code>name</code> 姓名
              </td>
              <td>必填 · required</td>
            </tr>
            <tr>
              <td>
                <code>union_id</code> 工会编号
              </td>
              <td>如 org-kd · your subtree</td>
            </tr>
            <tr>
              <td>
                <code>status</code> 状态
              </td>
              <td>active 正常 / suspended 停用</td>
            </tr>
            <tr>
              <td>
                <code>card_pan</code> 卡号
              </td>
              <td>可选，仅存加密摘要 · optional, hashed</td>
            </tr>
            <tr>
              <td>
                <code>card_status</code> 卡状态
              </td>
              <td>issued / activated / lost / frozen</td>
            </tr>
            <tr>
              <td>
                <code>first_password</code> 初始密码
              </td>
              <td>可选，至少8位，首次登录须改 · optional, 8+, changed at first sign-in</td>
            </tr>
          </tbody>
        </table>
      </div>
      <ErrorBox error={error} />
      {job && (
        <div data-testid="import-job" data-state={job.state}>
          <div class={`progress ${job.state === 'done' ? (job.errorCount ? 'failed' : 'done') : ''}`}>
            <div style={{ width: `${job.state === 'done' ? 100 : pct}%` }} />
          </div>
          <div class="muted" data-testid="progress">
            {job.processed.toLocaleString()} / {job.total.toLocaleString()} 行 rows ·{' '}
            {{
              reading: '读取 reading',
              checking: '检查 checking',
              hashing: '加密初始密码 hashing first passwords',
              writing: '写入 writing',
              finished: '完成 finished',
            }[job.phase] ?? job.phase}
          </div>
          {job.state === 'done' && job.errorCount === 0 && job.summary && (
            <Notice tone={job.written ? 'ok' : 'warn'}>
              {job.written ? '导入完成 · Imported: ' : '检查通过，未写入 · Dry run passed, nothing written: '}
              新增会员 {job.summary.membersCreated} created · 更新 {job.summary.membersUpdated} updated · 未变{' '}
              {job.summary.membersUnchanged} unchanged · 发卡 {job.summary.cardsIssued} cards issued · 卡状态更新 {job.summary.cardsUpdated}{' '}
              cards updated
              {job.firstPasswords && (
                <div data-testid="first-passwords">
                  初始密码 {job.firstPasswords.set} 人已设置
                  {job.firstPasswords.skipped ? `，${job.firstPasswords.skipped} 人已有密码未改` : ''} ·{' '}
                  <span class="en">
                    First passwords set for {job.firstPasswords.set}
                    {job.firstPasswords.skipped ? `; ${job.firstPasswords.skipped} already had a password, left as it was` : ''}; each is
                    changed at the first sign-in.
                  </span>
                </div>
              )}
              {job.activationCodes && (
                <div data-testid="import-activation-codes">
                  {job.activationCodes.downloadedAt ? (
                    <>
                      激活码已下载（仅一次） · <span class="en">Activation codes downloaded (once only)</span>
                    </>
                  ) : (
                    <>
                      {job.activationCodes.pending} 名会员尚无密码 ·{' '}
                      <span class="en">{job.activationCodes.pending} members have no password yet </span>
                      <button type="button" data-action="import-activation-codes" onClick={importCodes}>
                        下载激活码（仅一次） <span class="en">Download their activation codes (once)</span>
                      </button>
                    </>
                  )}
                </div>
              )}
            </Notice>
          )}
          {job.state === 'failed' && <div class="error">{job.message}</div>}
          {job.errorCount > 0 && (
            <>
              <div class="error" data-testid="import-refused">
                发现 {job.errorCount} 处错误，整个文件未写入。请修改后重新上传。{' '}
                <span class="en">
                  {job.errorCount} {job.errorCount === 1 ? 'problem' : 'problems'} found; nothing was written. Fix the file and upload it
                  again.
                </span>
              </div>
              <div class="table-wrap" style="margin-top:10px">
                <table data-testid="import-errors">
                  <thead>
                    <tr>
                      <th class="num">行 Line</th>
                      <th>字段 Field</th>
                      <th>内容 Value</th>
                      <th>问题 Problem</th>
                    </tr>
                  </thead>
                  <tbody>
                    {job.errors.map((e) => (
                      <tr>
                        <td class="num">{e.line}</td>
                        <td>
                          {FIELD_ZH[e.field] ?? ''} <code>{e.field}</code>
                        </td>
                        <td>{e.value ?? ''}</td>
                        <td>{e.message}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
        </div>
      )}
    </section>
  );
}

type MemberPage = { items: MemberView[]; total: number; totalIsLowerBound?: boolean; nextCursor?: string };

export function MembersTab({ me, orgs }: TabProps) {
  const [q, setQ] = useState('');
  const [orgId, setOrgId] = useState('');
  const [status, setStatus] = useState('');
  // Keyset paging: the cursor each page after the first starts from (the page before's nextCursor); Prev pops one.
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const offset = cursors.length * PAGE;
  const [data, setData] = useState<MemberPage | null>(null);
  const [error, setError] = useState<unknown>();
  const [tick, setTick] = useState(0);
  const filters = { q, orgId, status };

  useEffect(() => {
    api<MemberPage>('GET', `/admin/members${qs({ ...filters, ...(cursor ? { cursor } : {}), limit: PAGE })}`)
      .then((d) => {
        setData(d);
        setError(undefined);
      })
      .catch(setError);
  }, [tick, cursors]);

  const search = (e?: Event) => {
    e?.preventDefault();
    setCursors([]);
    setTick((t) => t + 1);
  };

  const [issued, setIssued] = useState<{ memberNo: string; name: string; code: string }>();

  /** Resets the member's password: a one-time activation code, shown here once; every phone of the member is signed out. */
  async function resetPassword(m: MemberView) {
    if (!confirm(`重置密码 Reset the password of ${m.name} (${m.memberNo})? 其手机将退出登录 Their phones are signed out.`)) return;
    try {
      const r = await api<{ activationCode: string }>('POST', `/admin/members/${m.id}/activation-code`, {});
      setIssued({ memberNo: m.memberNo, name: m.name, code: r.activationCode });
    } catch (err) {
      setError(err);
    }
  }

  /** Activation codes for every active member in the filter's union who has no password yet (after an import), as a CSV to hand out. */
  async function activationCodes() {
    try {
      const res = await fetch('/api/v1/admin/members/activation-codes', {
        method: 'POST',
        headers: { authorization: `Bearer ${token() ?? ''}`, 'content-type': 'application/json' },
        body: JSON.stringify(orgId ? { orgId } : {}),
      });
      if (!res.ok) throw new Error(`激活码生成失败 Could not issue activation codes (${res.status})`);
      saveBlob(await res.blob(), 'activation-codes.csv');
    } catch (err) {
      setError(err);
    }
  }

  async function setMemberStatus(m: MemberView, next: 'active' | 'suspended') {
    const verb = next === 'suspended' ? '停用 Suspend' : '恢复 Reinstate';
    if (!confirm(`${verb}: ${m.name} (${m.memberNo})?`)) return;
    try {
      await api('POST', `/admin/members/${m.id}/status`, { status: next });
      setTick((t) => t + 1);
    } catch (err) {
      setError(err);
    }
  }

  return (
    <>
      {me.canWrite && <ImportCard onImported={() => setTick((t) => t + 1)} />}
      <section class="card">
        <h2>
          <Bi zh="会员查询" en="Find members" />
        </h2>
        <form class="row" onSubmit={search}>
          <Field zh="会员号 / 姓名 / 卡号后四位" en="Member no., name or card last 4" wide>
            <input
              value={q}
              onInput={(e) => setQ((e.target as HTMLInputElement).value)}
              data-testid="member-q"
              placeholder="5133… / 张伟 / 0015"
            />
          </Field>
          <Field zh="工会" en="Union">
            <select value={orgId} onChange={(e) => setOrgId((e.target as HTMLSelectElement).value)}>
              <option value="">全部 All</option>
              {orgs.map((o) => (
                <option value={o.id}>{o.name}</option>
              ))}
            </select>
          </Field>
          <Field zh="状态" en="Status">
            <select value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value)}>
              <option value="">全部 All</option>
              <option value="active">正常 Active</option>
              <option value="suspended">停用 Suspended</option>
            </select>
          </Field>
          <button class="primary" data-testid="member-search">
            查询 Search
          </button>
          <button type="button" onClick={() => download(`/admin/members.csv${qs(filters)}`, 'members.csv').catch(setError)}>
            导出 CSV <span class="en">Export</span>
          </button>
        </form>
        {me.canWrite && (
          <p class="row">
            <button type="button" data-action="activation-codes" onClick={activationCodes}>
              为未设密码的会员生成激活码 <span class="en">Activation codes for members without a password (CSV)</span>
            </button>
          </p>
        )}
        {issued && (
          <Notice>
            <span data-testid="activation-code">
              {issued.name}（{issued.memberNo}）的激活码 <strong>{issued.code}</strong>
              ：仅显示这一次，请交给会员本人，首次登录后须设置新密码。
              <span class="en">
                {' '}
                Activation code for {issued.memberNo}: shown this once; hand it to the member, who chooses a new password at first sign-in.
              </span>
            </span>
          </Notice>
        )}
        <ErrorBox error={error} />
        {data && data.items.length === 0 && <Empty zh="没有符合条件的会员" en="No members match" />}
        {data && data.items.length > 0 && (
          <>
            <table style="margin-top:12px" data-testid="members">
              <thead>
                <tr>
                  <th>会员号 Member no.</th>
                  <th>姓名 Name</th>
                  <th>工会 Union</th>
                  <th>状态 Status</th>
                  <th>卡片 Cards</th>
                  {me.canWrite && <th />}
                </tr>
              </thead>
              <tbody>
                {data.items.map((m) => (
                  <tr data-member={m.memberNo}>
                    <td>
                      <code>{m.memberNo}</code>
                    </td>
                    <td>{m.name}</td>
                    <td>{m.orgName}</td>
                    <td>
                      <Pill map={MEMBER_STATUS} value={m.status} />
                    </td>
                    <td>
                      {m.cards.length === 0 && <span class="muted">—</span>}
                      {m.cards.map((c) => (
                        <div>
                          ****{c.last4} <Pill map={CARD_STATUS} value={c.status} />
                        </div>
                      ))}
                    </td>
                    {me.canWrite && (
                      <td class="actions">
                        {m.status === 'active' ? (
                          <button class="danger" onClick={() => setMemberStatus(m, 'suspended')}>
                            停用 Suspend
                          </button>
                        ) : (
                          <button onClick={() => setMemberStatus(m, 'active')}>恢复 Reinstate</button>
                        )}
                        <button data-action="reset-password" onClick={() => resetPassword(m)}>
                          重置密码 <span class="en">Reset password</span>
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
            <div class="pager">
              第 {offset + 1}–{offset + data.items.length} 条，共 {data.total.toLocaleString()}
              {data.totalIsLowerBound ? '+' : ''} 条{' '}
              <span class="en">
                of {data.total.toLocaleString()}
                {data.totalIsLowerBound ? '+' : ''}
              </span>
              <button
                class="small"
                data-action="members-prev"
                disabled={cursors.length === 0}
                onClick={() => setCursors(cursors.slice(0, -1))}
              >
                上一页 Prev
              </button>
              <button
                class="small"
                data-action="members-next"
                disabled={!data.nextCursor}
                onClick={() => data.nextCursor && setCursors([...cursors, data.nextCursor])}
              >
                下一页 Next
              </button>
            </div>
          </>
        )}
      </section>
    </>
  );
}
