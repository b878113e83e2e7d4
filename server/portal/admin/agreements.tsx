/** 协议 Agreements & campaigns: list with budgets, editor (every rule kind and condition), versions, and a preview of a sample sale. */
import { useEffect, useState } from 'preact/hooks';
import { formatYuan } from '../../../core/money.ts';
import { api, qs } from './api.ts';
import type { TabProps } from './types.ts';
import { Bi, ErrorBox, Field, fmtTime, Notice } from './ui.tsx';

type Rule =
  | { kind: 'percent_off'; bps: number }
  | { kind: 'fixed_price'; sku: string; priceFen: number }
  | { kind: 'threshold'; thresholdFen: number; reductionFen: number; repeat: boolean };
interface Offer {
  id: string;
  version: number;
  kind: 'agreement' | 'campaign';
  merchantId: string;
  merchantName?: string;
  orgId: string;
  title: string;
  titleEn?: string;
  rule: Rule;
  conditions: {
    validFrom?: string;
    validTo?: string;
    weekdays?: number[];
    hours?: { from: string; to: string };
    storeIds?: string[];
    memberOrgIds?: string[];
    limits?: { perDay?: number; perMonth?: number; total?: number };
    maxDiscountFen?: number;
  };
  unionShareBps: number;
  budgetFen?: number;
  remainingBudgetFen?: number;
  status: 'active' | 'ended';
  createdAt: string;
}

/** "12.5" → 1250 fen, by string arithmetic (no float on the money path); undefined when empty or malformed. */
export function parseYuan(s: string): number | undefined {
  const m = /^\s*(\d{1,12})(?:\.(\d{1,2}))?\s*$/.exec(s);
  if (!m) return undefined;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}
const yuanText = (fen: number | undefined) => (fen === undefined ? '' : `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`);
const int = (s: string) => (/^\d+$/.test(s.trim()) ? Number(s.trim()) : undefined);

export function ruleText(r: Rule): string {
  if (r.kind === 'percent_off') return `${(10000 - r.bps) / 1000}折 · ${r.bps / 100}% off`;
  if (r.kind === 'fixed_price') return `${r.sku} ${formatYuan(r.priceFen)} 会员价 · fixed price`;
  return `满${r.thresholdFen / 100}减${r.reductionFen / 100}${r.repeat ? '（上不封顶 per multiple）' : ''}`;
}

const WEEKDAYS = ['一', '二', '三', '四', '五', '六', '日'];

interface Form {
  isNew: boolean;
  id: string;
  kind: 'agreement' | 'campaign';
  merchantId: string;
  orgId: string;
  title: string;
  titleEn: string;
  ruleKind: Rule['kind'];
  bps: string;
  sku: string;
  price: string;
  threshold: string;
  reduction: string;
  repeat: boolean;
  validFrom: string;
  validTo: string;
  weekdays: number[];
  hoursFrom: string;
  hoursTo: string;
  storeIds: string[];
  memberOrgIds: string[];
  perDay: string;
  perMonth: string;
  total: string;
  maxDiscount: string;
  unionShareBps: string;
  budget: string;
  status: 'active' | 'ended';
}

function formOf(o: Offer): Form {
  const c = o.conditions ?? {};
  return {
    isNew: false,
    id: o.id,
    kind: o.kind,
    merchantId: o.merchantId,
    orgId: o.orgId,
    title: o.title,
    titleEn: o.titleEn ?? '',
    ruleKind: o.rule.kind,
    bps: o.rule.kind === 'percent_off' ? String(o.rule.bps) : '1000',
    sku: o.rule.kind === 'fixed_price' ? o.rule.sku : '',
    price: o.rule.kind === 'fixed_price' ? yuanText(o.rule.priceFen) : '',
    threshold: o.rule.kind === 'threshold' ? yuanText(o.rule.thresholdFen) : '',
    reduction: o.rule.kind === 'threshold' ? yuanText(o.rule.reductionFen) : '',
    repeat: o.rule.kind === 'threshold' ? o.rule.repeat : false,
    validFrom: c.validFrom ?? '',
    validTo: c.validTo ?? '',
    weekdays: c.weekdays ?? [],
    hoursFrom: c.hours?.from ?? '',
    hoursTo: c.hours?.to ?? '',
    storeIds: c.storeIds ?? [],
    memberOrgIds: c.memberOrgIds ?? [],
    perDay: String(c.limits?.perDay ?? ''),
    perMonth: String(c.limits?.perMonth ?? ''),
    total: String(c.limits?.total ?? ''),
    maxDiscount: yuanText(c.maxDiscountFen),
    unionShareBps: String(o.unionShareBps),
    budget: yuanText(o.budgetFen),
    status: o.status,
  };
}

const blank = (merchantId: string, orgId: string, kind: 'agreement' | 'campaign'): Form => ({
  ...formOf({
    id: '',
    version: 0,
    kind,
    merchantId,
    orgId,
    title: '',
    rule:
      kind === 'campaign'
        ? { kind: 'threshold', thresholdFen: 30000, reductionFen: 10000, repeat: false }
        : { kind: 'percent_off', bps: 1000 },
    conditions: {},
    unionShareBps: kind === 'campaign' ? 10000 : 0,
    status: 'active',
    createdAt: '',
  }),
  isNew: true,
});

/** The form → the API's offer body (money in fen). */
function bodyOf(f: Form) {
  const rule: Rule =
    f.ruleKind === 'percent_off'
      ? { kind: 'percent_off', bps: int(f.bps) ?? 0 }
      : f.ruleKind === 'fixed_price'
        ? { kind: 'fixed_price', sku: f.sku.trim(), priceFen: parseYuan(f.price) ?? -1 }
        : { kind: 'threshold', thresholdFen: parseYuan(f.threshold) ?? 0, reductionFen: parseYuan(f.reduction) ?? 0, repeat: f.repeat };
  const limits = {
    ...(int(f.perDay) ? { perDay: int(f.perDay) } : {}),
    ...(int(f.perMonth) ? { perMonth: int(f.perMonth) } : {}),
    ...(int(f.total) ? { total: int(f.total) } : {}),
  };
  const conditions = {
    ...(f.validFrom ? { validFrom: f.validFrom } : {}),
    ...(f.validTo ? { validTo: f.validTo } : {}),
    ...(f.weekdays.length ? { weekdays: [...f.weekdays].sort() } : {}),
    ...(f.hoursFrom && f.hoursTo ? { hours: { from: f.hoursFrom, to: f.hoursTo } } : {}),
    ...(f.storeIds.length ? { storeIds: f.storeIds } : {}),
    ...(f.memberOrgIds.length ? { memberOrgIds: f.memberOrgIds } : {}),
    ...(Object.keys(limits).length ? { limits } : {}),
    ...(parseYuan(f.maxDiscount) !== undefined ? { maxDiscountFen: parseYuan(f.maxDiscount) } : {}),
  };
  const budgetFen = parseYuan(f.budget);
  return {
    id: f.id.trim(),
    kind: f.kind,
    merchantId: f.merchantId,
    orgId: f.orgId,
    title: f.title.trim(),
    ...(f.titleEn.trim() ? { titleEn: f.titleEn.trim() } : {}),
    rule,
    conditions,
    unionShareBps: int(f.unionShareBps) ?? 0,
    ...(budgetFen !== undefined ? { budgetFen } : {}),
    status: f.status,
  };
}

/** What the preview shows of the server's dry-run answer. */
type PreviewResult = {
  eligible: boolean;
  discountFen: number;
  payableFen: number;
  lines: {
    title: string;
    agreementId: string;
    agreementVersion: number;
    discountFen: number;
    funding: { merchantFen: number; unionFen: number };
  }[];
  skipped: { agreementId: string; message: string; messageZh?: string }[];
};

function Preview({ form, orgs, stores }: { form: Form; orgs: TabProps['orgs']; stores: { id: string; name: string }[] }) {
  const [amount, setAmount] = useState('350.00');
  const [sku, setSku] = useState('');
  const [qty, setQty] = useState('1');
  const [unit, setUnit] = useState('');
  const [memberOrgId, setMemberOrgId] = useState(orgs[orgs.length > 1 ? 1 : 0]?.id ?? '');
  const [at, setAt] = useState('');
  const [storeId, setStoreId] = useState('');
  const [result, setResult] = useState<PreviewResult | null>(null);
  const [error, setError] = useState<unknown>();
  async function run() {
    setError(undefined);
    try {
      const amountFen = parseYuan(amount);
      if (amountFen === undefined) throw new Error('金额格式：如 350.00 · Amount like 350.00');
      const unitFen = parseYuan(unit);
      const body = {
        merchantId: form.merchantId,
        ...(storeId ? { storeId } : {}),
        ...(form.id.trim() ? { draft: bodyOf(form) } : {}),
        amountFen,
        ...(sku.trim() && unitFen !== undefined ? { items: [{ sku: sku.trim(), qty: int(qty) ?? 1, unitPriceFen: unitFen }] } : {}),
        memberOrgId,
        ...(at ? { at: `${at}:00+08:00` } : {}),
      };
      setResult(await api('POST', '/admin/agreements/preview', body));
    } catch (err) {
      setError(err);
      setResult(null);
    }
  }
  return (
    <section class="card" data-testid="preview">
      <h2>
        <Bi zh="试算" en="Preview a sample sale" />
      </h2>
      <p class="hint">
        用编辑中的内容（未保存也可）计算一笔消费的优惠，不记录任何数据。{' '}
        <span class="en">Runs the rules engine with the form as it is; records nothing.</span>
      </p>
      <div class="row">
        <Field zh="消费金额 ¥" en="Amount">
          <input value={amount} size={8} onInput={(e) => setAmount((e.target as HTMLInputElement).value)} data-testid="preview-amount" />
        </Field>
        <Field zh="会员所属工会" en="Member's union">
          <select value={memberOrgId} onChange={(e) => setMemberOrgId((e.target as HTMLSelectElement).value)} data-testid="preview-org">
            {orgs.map((o) => (
              <option value={o.id}>{o.name}</option>
            ))}
          </select>
        </Field>
        <Field zh="门店" en="Store">
          <select value={storeId} onChange={(e) => setStoreId((e.target as HTMLSelectElement).value)}>
            <option value="">（第一家 first）</option>
            {stores.map((s) => (
              <option value={s.id}>{s.name}</option>
            ))}
          </select>
        </Field>
        <Field zh="时间（北京时间）" en="When">
          <input type="datetime-local" value={at} onInput={(e) => setAt((e.target as HTMLInputElement).value)} data-testid="preview-at" />
        </Field>
      </div>
      <div class="row" style="margin-top:8px">
        <Field zh="商品编码" en="Item SKU">
          <input value={sku} size={12} onInput={(e) => setSku((e.target as HTMLInputElement).value)} />
        </Field>
        <Field zh="数量" en="Qty">
          <input value={qty} size={3} onInput={(e) => setQty((e.target as HTMLInputElement).value)} />
        </Field>
        <Field zh="单价 ¥" en="Unit price">
          <input value={unit} size={7} onInput={(e) => setUnit((e.target as HTMLInputElement).value)} />
        </Field>
        <button class="primary" onClick={run} data-testid="preview-run">
          试算 Preview
        </button>
      </div>
      <ErrorBox error={error} />
      {result && (
        <div class="result" data-testid="preview-result" data-eligible={String(result.eligible)}>
          <div class="stats">
            <div>
              优惠 Discount<b data-testid="preview-discount">{formatYuan(result.discountFen)}</b>
            </div>
            <div>
              实付 Payable<b>{formatYuan(result.payableFen)}</b>
            </div>
          </div>
          {result.lines.length > 0 && (
            <table>
              <thead>
                <tr>
                  <th>优惠项 Offer</th>
                  <th class="num">优惠 Discount</th>
                  <th class="num">商户承担 Merchant</th>
                  <th class="num">工会承担 Union</th>
                </tr>
              </thead>
              <tbody>
                {result.lines.map((l) => (
                  <tr>
                    <td>
                      {l.title}{' '}
                      <code class="muted">
                        {l.agreementId} v{l.agreementVersion}
                      </code>
                    </td>
                    <td class="num">{formatYuan(l.discountFen)}</td>
                    <td class="num">{formatYuan(l.funding.merchantFen)}</td>
                    <td class="num">{formatYuan(l.funding.unionFen)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {result.skipped.length > 0 && (
            <ul class="muted" style="font-size:13px">
              {result.skipped.map((s) => (
                <li>
                  {s.agreementId}: {s.messageZh ?? ''} {s.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}

export function AgreementsTab({ me, orgs }: TabProps) {
  const [offers, setOffers] = useState<Offer[]>([]);
  const [merchants, setMerchants] = useState<{ id: string; name: string }[]>([]);
  const [stores, setStores] = useState<{ id: string; name: string }[]>([]);
  const [form, setForm] = useState<Form | null>(null);
  const [versions, setVersions] = useState<Offer[]>([]);
  const [error, setError] = useState<unknown>();
  const [msg, setMsg] = useState('');
  const [tick, setTick] = useState(0);

  useEffect(() => {
    api<{ items: Offer[] }>('GET', '/admin/agreements').then((r) => setOffers(r.items), setError);
    api<{ items: { id: string; name: string }[] }>('GET', '/admin/merchants').then((r) => setMerchants(r.items), setError);
  }, [tick]);
  useEffect(() => {
    if (!form?.merchantId) return setStores([]);
    api<{ items: { id: string; name: string }[] }>('GET', `/admin/stores${qs({ merchantId: form.merchantId })}`).then(
      (r) => setStores(r.items),
      () => setStores([]),
    );
  }, [form?.merchantId]);

  function open(o: Offer) {
    setForm(formOf(o));
    setMsg('');
    setError(undefined);
    api<{ items: Offer[] }>('GET', `/admin/agreements/${o.id}/versions`).then((r) => setVersions(r.items), setError);
  }
  const set = <K extends keyof Form>(k: K, v: Form[K]) => setForm((f) => (f ? { ...f, [k]: v } : f));
  const toggle = (k: 'weekdays' | 'storeIds' | 'memberOrgIds', v: never) =>
    setForm((f) =>
      f ? { ...f, [k]: (f[k] as unknown[]).includes(v) ? (f[k] as unknown[]).filter((x) => x !== v) : [...(f[k] as unknown[]), v] } : f,
    );

  async function save() {
    if (!form) return;
    setError(undefined);
    try {
      const body = bodyOf(form);
      const { id, kind: _k, merchantId: _m, ...patch } = body;
      const saved = form.isNew ? await api<Offer>('POST', '/agreements', body) : await api<Offer>('PUT', `/agreements/${id}`, patch);
      setMsg(`已保存为第 ${saved.version} 版，终端已收到更新 · Saved as version ${saved.version}; terminals were told`);
      setTick((t) => t + 1);
      open(saved);
      setMsg(`已保存为第 ${saved.version} 版，终端已收到更新 · Saved as version ${saved.version}; terminals were told`);
    } catch (err) {
      setError(err);
    }
  }

  const inp = (k: keyof Form, extra: Record<string, unknown> = {}) => ({
    value: form![k] as string,
    onInput: (e: Event) => set(k, (e.target as HTMLInputElement).value as never),
    disabled: !me.canWrite,
    ...extra,
  });

  return (
    <>
      <section class="card">
        <h2>
          <Bi zh="协议与活动" en="Agreements & campaigns" />
        </h2>
        <table data-testid="offers">
          <thead>
            <tr>
              <th>名称 Title</th>
              <th>商户 Merchant</th>
              <th>类型 Kind</th>
              <th>规则 Rule</th>
              <th class="num">版本 Ver.</th>
              <th class="num">预算余额 Budget left</th>
              <th>状态</th>
            </tr>
          </thead>
          <tbody>
            {offers.map((o) => (
              <tr class={form?.id === o.id && !form.isNew ? 'sel' : ''} data-offer={o.id}>
                <td>
                  <button class="link" onClick={() => open(o)}>
                    {o.title}
                  </button>{' '}
                  <code class="muted">{o.id}</code>
                </td>
                <td>{o.merchantName}</td>
                <td>{o.kind === 'campaign' ? '工会活动 Campaign' : '商户协议 Agreement'}</td>
                <td>{ruleText(o.rule)}</td>
                <td class="num">v{o.version}</td>
                <td class="num">
                  {o.budgetFen !== undefined ? `${formatYuan(o.remainingBudgetFen ?? 0)} / ${formatYuan(o.budgetFen)}` : '—'}
                </td>
                <td>{o.status === 'active' ? <span class="pill ok">生效 Active</span> : <span class="pill muted">已结束 Ended</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {me.canWrite && (
          <div class="row" style="margin-top:12px">
            <button
              onClick={() => {
                setForm(blank(merchants[0]?.id ?? '', me.user.orgId ?? '', 'agreement'));
                setVersions([]);
                setMsg('');
              }}
              data-testid="new-agreement"
            >
              + 新协议 New agreement
            </button>
            <button
              onClick={() => {
                setForm(blank(merchants[0]?.id ?? '', me.user.orgId ?? '', 'campaign'));
                setVersions([]);
                setMsg('');
              }}
            >
              + 新工会活动 New campaign
            </button>
          </div>
        )}
      </section>
      {form && (
        <div class="grid2">
          <section class="card" data-testid="editor">
            <h2>
              {form.isNew ? (
                <Bi zh="新建" en="New" />
              ) : (
                <Bi zh={`编辑 ${form.id}（保存即生成新版本）`} en="Edit: saving makes a new version" />
              )}
            </h2>
            <div class="row">
              <Field zh="编号" en="Id">
                <input {...inp('id')} disabled={!form.isNew || !me.canWrite} placeholder="a-tea" data-testid="offer-id" />
              </Field>
              <Field zh="类型" en="Kind">
                <select
                  value={form.kind}
                  disabled={!form.isNew}
                  onChange={(e) => set('kind', (e.target as HTMLSelectElement).value as Form['kind'])}
                >
                  <option value="agreement">商户协议 Agreement</option>
                  <option value="campaign">工会活动 Campaign</option>
                </select>
              </Field>
              <Field zh="商户" en="Merchant">
                <select
                  value={form.merchantId}
                  disabled={!form.isNew}
                  onChange={(e) => set('merchantId', (e.target as HTMLSelectElement).value)}
                >
                  {merchants.map((m) => (
                    <option value={m.id}>{m.name}</option>
                  ))}
                </select>
              </Field>
              <Field zh="签约工会" en="Signed by">
                <select value={form.orgId} disabled={!me.canWrite} onChange={(e) => set('orgId', (e.target as HTMLSelectElement).value)}>
                  {orgs.map((o) => (
                    <option value={o.id}>{o.name}</option>
                  ))}
                </select>
              </Field>
            </div>
            <div class="row" style="margin:10px 0">
              <Field zh="名称" en="Title" wide>
                <input {...inp('title')} data-testid="offer-title" />
              </Field>
              <Field zh="英文名称" en="Title (English)" wide>
                <input {...inp('titleEn')} />
              </Field>
            </div>
            <fieldset>
              <legend>规则 Rule</legend>
              <div class="row">
                <Field zh="规则类型" en="Rule kind">
                  <select
                    value={form.ruleKind}
                    disabled={!me.canWrite}
                    onChange={(e) => set('ruleKind', (e.target as HTMLSelectElement).value as Rule['kind'])}
                    data-testid="rule-kind"
                  >
                    <option value="percent_off">折扣 Percent off</option>
                    <option value="fixed_price">会员价 Fixed price (SKU)</option>
                    <option value="threshold">满减 Threshold</option>
                  </select>
                </Field>
                {form.ruleKind === 'percent_off' && (
                  <Field zh={`优惠基点（${(10000 - (int(form.bps) ?? 0)) / 1000}折）`} en="bps off (1000 = 9折)">
                    <input {...inp('bps')} size={6} data-testid="rule-bps" />
                  </Field>
                )}
                {form.ruleKind === 'fixed_price' && (
                  <>
                    <Field zh="商品编码" en="SKU">
                      <input {...inp('sku')} size={12} />
                    </Field>
                    <Field zh="会员价 ¥" en="Price">
                      <input {...inp('price')} size={8} />
                    </Field>
                  </>
                )}
                {form.ruleKind === 'threshold' && (
                  <>
                    <Field zh="满 ¥" en="Threshold">
                      <input {...inp('threshold')} size={8} data-testid="rule-threshold" />
                    </Field>
                    <Field zh="减 ¥" en="Reduction">
                      <input {...inp('reduction')} size={8} data-testid="rule-reduction" />
                    </Field>
                    <label class="check">
                      <input
                        type="checkbox"
                        checked={form.repeat}
                        disabled={!me.canWrite}
                        onChange={(e) => set('repeat', (e.target as HTMLInputElement).checked)}
                      />
                      每满都减 <span class="en">per multiple</span>
                    </label>
                  </>
                )}
              </div>
            </fieldset>
            <fieldset>
              <legend>条件 Conditions</legend>
              <div class="row">
                <Field zh="开始日期" en="Valid from">
                  <input type="date" {...inp('validFrom')} />
                </Field>
                <Field zh="结束日期" en="Valid to">
                  <input type="date" {...inp('validTo')} />
                </Field>
                <Field zh="时段" en="Hours">
                  <span class="row" style="gap:4px">
                    <input type="time" {...inp('hoursFrom')} />–<input type="time" {...inp('hoursTo')} />
                  </span>
                </Field>
              </div>
              <div class="row weekdays" style="margin-top:8px">
                <span class="muted" style="font-size:13px">
                  星期 <span class="en">Weekdays (none = every day)</span>
                </span>
                {WEEKDAYS.map((d, i) => (
                  <label>
                    <input
                      type="checkbox"
                      checked={form.weekdays.includes(i + 1)}
                      disabled={!me.canWrite}
                      onChange={() => toggle('weekdays', (i + 1) as never)}
                      data-testid={`weekday-${i + 1}`}
                    />
                    周{d}
                  </label>
                ))}
              </div>
              <div class="row weekdays" style="margin-top:8px">
                <span class="muted" style="font-size:13px">
                  门店 <span class="en">Stores (none = all)</span>
                </span>
                {stores.map((s) => (
                  <label>
                    <input
                      type="checkbox"
                      checked={form.storeIds.includes(s.id)}
                      disabled={!me.canWrite}
                      onChange={() => toggle('storeIds', s.id as never)}
                    />
                    {s.name}
                  </label>
                ))}
              </div>
              <div class="row weekdays" style="margin-top:8px">
                <span class="muted" style="font-size:13px">
                  会员工会 <span class="en">Member unions (none = whole signer subtree)</span>
                </span>
                {orgs.map((o) => (
                  <label>
                    <input
                      type="checkbox"
                      checked={form.memberOrgIds.includes(o.id)}
                      disabled={!me.canWrite}
                      onChange={() => toggle('memberOrgIds', o.id as never)}
                    />
                    {o.name}
                  </label>
                ))}
              </div>
              <div class="row" style="margin-top:8px">
                <Field zh="每人每日" en="Per day">
                  <input {...inp('perDay')} size={4} />
                </Field>
                <Field zh="每人每月" en="Per month">
                  <input {...inp('perMonth')} size={4} />
                </Field>
                <Field zh="每人总计" en="In total">
                  <input {...inp('total')} size={4} />
                </Field>
                <Field zh="单笔最高优惠 ¥" en="Max discount">
                  <input {...inp('maxDiscount')} size={8} data-testid="max-discount" />
                </Field>
              </div>
            </fieldset>
            <fieldset>
              <legend>资金 Funding</legend>
              <div class="row">
                <Field zh="工会承担（基点）" en="Union share, bps (10000 = all)">
                  <input {...inp('unionShareBps')} size={6} />
                </Field>
                <Field zh="工会预算 ¥" en="Union budget">
                  <input {...inp('budget')} size={12} />
                </Field>
                <Field zh="状态" en="Status">
                  <select
                    value={form.status}
                    disabled={!me.canWrite}
                    onChange={(e) => set('status', (e.target as HTMLSelectElement).value as Form['status'])}
                  >
                    <option value="active">生效 Active</option>
                    <option value="ended">结束 Ended</option>
                  </select>
                </Field>
              </div>
            </fieldset>
            <ErrorBox error={error} />
            {msg && <Notice>{msg}</Notice>}
            {me.canWrite && (
              <button class="primary" onClick={save} data-testid="offer-save">
                {form.isNew ? '创建 Create' : '保存新版本 Save new version'}
              </button>
            )}
          </section>
          <div>
            <Preview form={form} orgs={orgs} stores={stores} />
            {versions.length > 0 && (
              <section class="card" data-testid="versions">
                <h2>
                  <Bi zh="历史版本" en="Versions" />
                </h2>
                <table>
                  <thead>
                    <tr>
                      <th>版本</th>
                      <th>时间 Saved</th>
                      <th>规则 Rule</th>
                    </tr>
                  </thead>
                  <tbody>
                    {[...versions].reverse().map((v) => (
                      <tr>
                        <td>v{v.version}</td>
                        <td>{fmtTime(v.createdAt)}</td>
                        <td>
                          {v.title} · {ruleText(v.rule)}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </section>
            )}
          </div>
        </div>
      )}
    </>
  );
}
