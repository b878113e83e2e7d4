/**
 * `GET /api/v1/openapi.json`: an OpenAPI 3.1 document built from the very zod schemas the routes validate
 * with (z.toJSONSchema), so the reference cannot drift from what the server accepts. Every route must
 * have an entry in OPERATIONS: tests/integration/openapi.test.ts walks express's router stack and fails
 * on a route without one.
 */
import { Router } from 'express';
import { headCheckQuerySchema, headCheckResponseSchema, signedLedgerHeadSchema } from '../../core/wire-audit.ts';
import { z } from 'zod';
import { anomalySettingsSchema } from '../../core/audit/anomalies.ts';
import { anomalyThresholdsSchema } from '../../core/domain.ts';
import { checkoutCreateSchema, checkoutCredentialSchema, checkoutSchema } from '../../core/wire-checkout.ts';
import {
  anomalyReportSchema,
  anomalySettingsViewSchema,
  auditQuerySchema,
  pairingRequestSchema,
  pairingResponseSchema,
  portalMeSchema,
  recomputeReportSchema,
  statementCreateSchema,
  statementListSchema,
  statementSchema,
  statsQuerySchema,
  statsSchema,
  terminalListSchema,
  totalsQuerySchema,
  totalsSchema,
} from '../../core/wire-portal.ts';
import {
  complaintAnswerSchema,
  feedbackListSchema,
  feedbackQuerySchema,
  feedbackRequestSchema,
  memberPasswordRequestSchema,
  memberQrSchema,
  memberRedemptionListSchema,
  memberRedemptionsQuerySchema,
  memberSessionRequestSchema,
  memberSessionSchema,
} from '../../core/wire-member.ts';
import { offlineUploadResultSchema, offlineUploadSchema, signedSnapshotSchema } from '../../core/wire-terminal.ts';
import {
  enrollRequestSchema,
  enrollResponseSchema,
  errorBodySchema,
  quoteRequestSchema,
  quoteSchema,
  redemptionQuerySchema,
  redemptionRequestSchema,
  redemptionSchema,
  sessionRequestSchema,
  settlementQuerySchema,
  settlementSchema,
  voidRequestSchema,
} from '../../core/wire.ts';
import { adminOfferSchemas } from './admin.ts';
import { adminAgreementSchemas } from './admin-agreements.ts';
import { auditTrailSchemas } from './admin-audit-trail.ts';
import { adminCardSchemas } from './admin-cards.ts';
import { adminMemberSchemas } from './admin-members.ts';
import { adminMerchantSchemas } from './admin-merchants.ts';
import { adminUserSchemas } from './admin-users.ts';

/** Who may call an operation: nobody in particular, a paired terminal, a signed-in portal user, or a signed-in member. */
export type Caller = 'anyone' | 'terminal' | 'user' | 'member';

export interface Operation {
  tag: string;
  summary: string;
  caller: Caller;
  body?: z.ZodType;
  /** A body that is not JSON (the member import takes the CSV file itself). */
  bodyType?: 'text/csv';
  query?: z.ZodObject;
  response?: z.ZodType;
  /** Status of the success answer; 200 unless said. */
  status?: number;
  /** The answer is not JSON. */
  produces?: 'text/csv' | 'text/plain';
}

const CSV = { produces: 'text/csv' } as const;
/** `?format=raw`: machine fields instead of the people's file (CONTRACT v2 Everyday use). */
const RAW = { format: z.enum(['raw']).optional() };
const _items = (s: z.ZodType) => z.object({ items: z.array(s) });

/**
 * Keyed `METHOD path` exactly as the routers declare them, relative to /api/v1. The terminal's local
 * API is documented in TERMINAL_OPERATIONS (it is a different process, on the store's machine).
 */
export const OPERATIONS: Record<string, Operation> = {
  'GET /health': {
    tag: 'system',
    summary: '进程在运行 · The process is alive',
    caller: 'anyone',
    response: z.object({ status: z.literal('ok') }),
  },
  'GET /openapi.json': { tag: 'system', summary: '本文档 · This document', caller: 'anyone' },
  'GET /ready': {
    tag: 'system',
    summary: '可以接收请求 · The instance can serve (503 with a reason while starting, draining or refusing writes)',
    caller: 'anyone',
  },
  'POST /session': { tag: 'session', summary: '门户用户登录 · Sign in a portal user', caller: 'anyone', body: sessionRequestSchema },
  'DELETE /session': { tag: 'session', summary: '退出登录 · Sign out: the token stops working', caller: 'user', status: 204 },
  'POST /terminals/enroll': {
    tag: 'terminal',
    summary: '终端配对 · Pair a terminal with its one-time code',
    caller: 'anyone',
    body: enrollRequestSchema,
    response: enrollResponseSchema,
    status: 201,
  },
  'POST /quotes': {
    tag: 'terminal',
    summary: '报价 · Quote the discount for a credential and a sale',
    caller: 'terminal',
    body: quoteRequestSchema,
    response: quoteSchema,
  },
  'GET /terminal/snapshot': {
    tag: 'terminal',
    summary: '离线快照 · Signed offline data for this terminal',
    caller: 'terminal',
    response: signedSnapshotSchema,
  },
  'POST /redemptions/offline': {
    tag: 'terminal',
    summary: '上传离线核销 · Upload redemptions made offline',
    caller: 'terminal',
    body: offlineUploadSchema,
    response: offlineUploadResultSchema,
  },
  'POST /redemptions': {
    tag: 'redemptions',
    summary: '核销 · Redeem a quote, once per idempotency key',
    caller: 'terminal',
    body: redemptionRequestSchema,
    response: redemptionSchema,
    status: 201,
  },
  'GET /redemptions.csv': {
    tag: 'redemptions',
    summary: '核销记录 CSV · The redemption log as CSV (?format=raw for machines)',
    caller: 'user',
    query: redemptionQuerySchema.extend(RAW),
    ...CSV,
  },
  'GET /redemptions': {
    tag: 'redemptions',
    summary: '核销记录 · The redemption log, newest first, cursor paging',
    caller: 'user',
    query: redemptionQuerySchema,
    response: z.object({ items: z.array(redemptionSchema), nextCursor: z.string().nullable() }),
  },
  'GET /redemptions/:id': { tag: 'redemptions', summary: '单笔核销 · One redemption', caller: 'user', response: redemptionSchema },
  'POST /redemptions/:id/void': {
    tag: 'redemptions',
    summary: '撤销核销 · Void a redemption with a reason',
    caller: 'terminal',
    body: voidRequestSchema,
    response: redemptionSchema,
  },
  'GET /reports/settlement': {
    tag: 'union',
    summary: '结算报表 · Union money owed to merchants',
    caller: 'user',
    query: settlementQuerySchema,
    response: settlementSchema,
  },
  'GET /audit/verify': { tag: 'union', summary: '校验哈希链 · Check the hash chain of the ledger', caller: 'user' },
  'GET /audit/head': {
    tag: 'union',
    summary: '签名账本头 · The ledger head (seq, hash, time) signed with the server’s Ed25519 key',
    caller: 'user',
    response: signedLedgerHeadSchema,
  },
  'GET /audit/head/check': {
    tag: 'union',
    summary: '账本延续检查 · Does today’s ledger extend a head you saw before?',
    caller: 'user',
    query: headCheckQuerySchema,
    response: headCheckResponseSchema,
  },
  'GET /agreements': { tag: 'agreements', summary: '协议与活动 · Agreements and campaigns in your scope', caller: 'user' },
  'POST /agreements': {
    tag: 'agreements',
    summary: '新建协议 · Create an agreement or campaign (version 1)',
    caller: 'user',
    body: adminOfferSchemas.offerInput,
    status: 201,
  },
  'PUT /agreements/:id': {
    tag: 'agreements',
    summary: '修改协议（新版本） · Change an agreement: makes a new version',
    caller: 'user',
    body: adminOfferSchemas.offerPatch,
  },
  'GET /agreements/:id/versions/:version': { tag: 'agreements', summary: '协议某一版本 · One version of an agreement', caller: 'user' },
  'GET /portal/me': {
    tag: 'portal',
    summary: '当前用户 · Who is signed in and what they may see',
    caller: 'user',
    response: portalMeSchema,
  },
  'GET /merchant/totals.csv': {
    tag: 'merchant',
    summary: '汇总 CSV · Daily or monthly totals as CSV',
    caller: 'user',
    query: totalsQuerySchema,
    ...CSV,
  },
  'GET /merchant/totals': {
    tag: 'merchant',
    summary: '按日/月汇总 · Daily or monthly totals',
    caller: 'user',
    query: totalsQuerySchema,
    response: totalsSchema,
  },
  'GET /merchant/terminals': {
    tag: 'merchant',
    summary: '终端状态 · Terminals and when each was last seen',
    caller: 'user',
    response: terminalListSchema,
  },
  'POST /merchant/terminals': {
    tag: 'merchant',
    summary: '新增终端 · A new terminal and its pairing code',
    caller: 'user',
    body: pairingRequestSchema,
    response: pairingResponseSchema,
    status: 201,
  },
  'GET /audit/recompute': {
    tag: 'union',
    summary: '复算 · Every redemption recomputed from the agreement version it cites',
    caller: 'user',
    query: auditQuerySchema,
    response: recomputeReportSchema,
  },
  'GET /audit/anomalies': {
    tag: 'union',
    summary: '异常提示 · Anomaly flags, each explained',
    caller: 'user',
    query: auditQuerySchema.extend(anomalySettingsSchema.shape),
    response: anomalyReportSchema,
  },
  'GET /audit/anomaly-settings': {
    tag: 'union',
    summary: '异常提示阈值 · The union’s anomaly thresholds (saved, or the defaults)',
    caller: 'user',
    query: z.object({ orgId: z.string().optional() }),
    response: anomalySettingsViewSchema,
  },
  'PUT /audit/anomaly-settings': {
    tag: 'union',
    summary: '保存异常提示阈值 · Save the union’s anomaly thresholds (its own auditors and admins)',
    caller: 'user',
    query: z.object({ orgId: z.string().optional() }),
    body: anomalyThresholdsSchema,
    response: anomalySettingsViewSchema,
  },
  'GET /stats': {
    tag: 'union',
    summary: '统计 · Person-times, members and money by union, merchant and campaign',
    caller: 'user',
    query: statsQuerySchema,
    response: statsSchema,
  },
  'GET /statements': { tag: 'settlement', summary: '结算单 · Settlement statements', caller: 'user', response: statementListSchema },
  'POST /statements': {
    tag: 'settlement',
    summary: '起草结算单 · Draft a statement for a period',
    caller: 'user',
    body: statementCreateSchema,
    response: statementSchema,
    status: 201,
  },
  'GET /statements/:id.csv': { tag: 'settlement', summary: '结算单 CSV · A statement as CSV', caller: 'user', ...CSV },
  'GET /statements/:id': { tag: 'settlement', summary: '单张结算单 · One statement', caller: 'user', response: statementSchema },
  'POST /statements/:id/approve': {
    tag: 'settlement',
    summary: '审批 · Approve (not by who drafted it)',
    caller: 'user',
    response: statementSchema,
  },
  'POST /statements/:id/pay': { tag: 'settlement', summary: '标记已付 · Mark paid', caller: 'user', response: statementSchema },
  'POST /statements/:id/cancel': { tag: 'settlement', summary: '作废草稿 · Cancel a draft', caller: 'user', response: statementSchema },
  'GET /admin/orgs': { tag: 'admin', summary: '工会 · Unions in your scope', caller: 'user' },
  'GET /admin/members': { tag: 'admin', summary: '会员查询 · Search members', caller: 'user', query: adminMemberSchemas.listQuery },
  'GET /admin/members.csv': {
    tag: 'admin',
    summary: '会员 CSV · Members as CSV',
    caller: 'user',
    query: adminMemberSchemas.listQuery,
    ...CSV,
  },
  'GET /admin/members/import-template.csv': { tag: 'admin', summary: '导入模板 · The import file template', caller: 'user', ...CSV },
  'GET /admin/members/:id': { tag: 'admin', summary: '会员详情 · One member with their cards', caller: 'user' },
  'POST /admin/members/:id/status': {
    tag: 'admin',
    summary: '停用/恢复会员 · Suspend or reinstate a member',
    caller: 'user',
    body: adminMemberSchemas.statusBody,
  },
  'POST /admin/members/import': {
    tag: 'admin',
    summary: '导入会员 · Import members from CSV (all or nothing; dryRun=1 checks only)',
    caller: 'user',
    query: adminMemberSchemas.importQuery,
    bodyType: 'text/csv',
    status: 202,
  },
  'GET /admin/imports/:id': { tag: 'admin', summary: '导入进度 · Progress and report of an import', caller: 'user' },
  'GET /admin/cards': { tag: 'admin', summary: '卡片 · Cards', caller: 'user', query: adminCardSchemas.listQuery },
  'GET /admin/cards.csv': {
    tag: 'admin',
    summary: '卡片 CSV · Cards as CSV',
    caller: 'user',
    query: adminCardSchemas.csvQuery.extend(RAW),
    ...CSV,
  },
  'POST /admin/cards': {
    tag: 'admin',
    summary: '发卡 · Issue a card (the number is kept only as a keyed hash)',
    caller: 'user',
    body: adminCardSchemas.issueBody,
    status: 201,
  },
  'POST /admin/cards/:id/status': {
    tag: 'admin',
    summary: '卡状态 · Activate, report lost or freeze a card (pushed to terminals)',
    caller: 'user',
    body: adminCardSchemas.statusBody,
  },
  'POST /cards/:id/status': {
    tag: 'admin',
    summary: '同上（v1 路径） · The v1 path of POST /admin/cards/:id/status',
    caller: 'user',
    body: adminCardSchemas.statusBody,
  },
  'POST /admin/cards/:id/replace': {
    tag: 'admin',
    summary: '换卡 · Replace a card with a new number',
    caller: 'user',
    body: adminCardSchemas.replaceBody,
    status: 201,
  },
  'GET /admin/audit-trail': {
    tag: 'admin',
    summary: '操作记录 · Every administrative change, with before and after',
    caller: 'user',
    query: auditTrailSchemas.query,
  },
  'GET /admin/audit-trail.csv': {
    tag: 'admin',
    summary: '操作记录 CSV · The audit trail as CSV',
    caller: 'user',
    query: auditTrailSchemas.query.extend(RAW),
    ...CSV,
  },
  'GET /admin/audit-trail/verify': { tag: 'admin', summary: '校验操作记录 · Check the audit trail hash chain', caller: 'user' },
  'GET /admin/agreements': { tag: 'admin', summary: '协议管理 · Agreements with their merchants and signers', caller: 'user' },
  'GET /admin/agreements/:id/versions': { tag: 'admin', summary: '协议版本 · Every version of an agreement', caller: 'user' },
  'POST /admin/agreements/preview': {
    tag: 'admin',
    summary: '预览 · What a sample sale would get, saved or draft agreement',
    caller: 'user',
    body: adminAgreementSchemas.previewSchema,
  },
  'GET /admin/merchants': { tag: 'admin', summary: '商户 · Merchants', caller: 'user' },
  'GET /admin/merchants.csv': { tag: 'admin', summary: '商户 CSV · Merchants as CSV', caller: 'user', ...CSV },
  'POST /admin/merchants': {
    tag: 'admin',
    summary: '新增商户 · A new merchant',
    caller: 'user',
    body: adminMerchantSchemas.merchantBody,
    status: 201,
  },
  'PUT /admin/merchants/:id': {
    tag: 'admin',
    summary: '修改商户：名称、营业时间、单笔上限 · Change a merchant: names, opening hours, sale maximum',
    caller: 'user',
    body: adminMerchantSchemas.merchantUpdateBody,
  },
  'GET /admin/stores': { tag: 'admin', summary: '门店 · Stores', caller: 'user', query: adminMerchantSchemas.byMerchant },
  'POST /admin/stores': {
    tag: 'admin',
    summary: '新增门店 · A new store',
    caller: 'user',
    body: adminMerchantSchemas.storeBody,
    status: 201,
  },
  'PUT /admin/stores/:id': {
    tag: 'admin',
    summary: '修改门店（名称、所在地区）· Rename a store, set its region',
    caller: 'user',
    body: adminMerchantSchemas.storeUpdateBody,
  },
  'GET /admin/terminals': { tag: 'admin', summary: '终端 · Terminals', caller: 'user', query: adminMerchantSchemas.byMerchant },
  'POST /admin/terminals': {
    tag: 'admin',
    summary: '新增终端 · A new terminal and its pairing code',
    caller: 'user',
    body: adminMerchantSchemas.terminalBody,
    status: 201,
  },
  'POST /admin/terminals/:id/re-pair': {
    tag: 'admin',
    summary: '重新配对 · Cut a terminal off and issue a new pairing code',
    caller: 'user',
  },
  'GET /admin/me': { tag: 'admin', summary: '当前管理员 · The signed-in administrator and their union', caller: 'user' },
  'GET /admin/users': { tag: 'admin', summary: '用户 · Users', caller: 'user' },
  'POST /admin/users': { tag: 'admin', summary: '新增用户 · A new user', caller: 'user', body: adminUserSchemas.createBody, status: 201 },
  'PUT /admin/users/:id': {
    tag: 'admin',
    summary: '修改用户 · Change a user: name, role, place, password',
    caller: 'user',
    body: adminUserSchemas.updateBody,
  },
  'POST /admin/terminals/:id/revoke': {
    tag: 'admin',
    summary: '停用终端 · Revoke a terminal: its token, pairing code and socket stop at once',
    caller: 'user',
  },
  'POST /admin/members/:id/activation-code': {
    tag: 'admin',
    summary: '会员激活码 · A one-time activation code for a member',
    caller: 'user',
  },
  'POST /admin/imports/:id/activation-codes': {
    tag: 'admin',
    summary: '导入后的激活码 · Activation codes for the members an import left without a password (CSV, once)',
    caller: 'user',
    ...CSV,
  },
  'POST /admin/members/activation-codes': {
    tag: 'admin',
    summary: '批量激活码 · Activation codes for the members of a union',
    caller: 'user',
    body: z.object({ orgId: z.string().optional() }),
  },
  'POST /member/session': {
    tag: 'member',
    summary: '会员登录 · Member sign-in',
    caller: 'anyone',
    body: memberSessionRequestSchema,
    response: memberSessionSchema,
  },
  'DELETE /member/session': { tag: 'member', summary: '会员退出 · Member sign-out', caller: 'member' },
  'POST /member/password': {
    tag: 'member',
    summary: '修改密码 · Change the member password',
    caller: 'member',
    body: memberPasswordRequestSchema,
  },
  'GET /member/me': { tag: 'member', summary: '当前会员 · The signed-in member', caller: 'member' },
  'GET /member/qr': {
    tag: 'member',
    summary: '会员码 · A QR code for one redemption within 60 s',
    caller: 'member',
    response: memberQrSchema,
  },
  'GET /member/redemptions': {
    tag: 'member',
    summary: "我的核销 · The member's own redemptions, newest first, cursor paging",
    caller: 'member',
    query: memberRedemptionsQuerySchema,
    response: memberRedemptionListSchema,
  },
  'GET /member/offers': { tag: 'member', summary: '我的优惠 · Agreements and campaigns covering the member', caller: 'member' },
  'POST /member/redemptions/:id/feedback': {
    tag: 'member',
    summary: "评价 · Feedback on one of the member's redemptions",
    caller: 'member',
    body: feedbackRequestSchema,
    status: 201,
  },
  'GET /feedback': {
    tag: 'feedback',
    summary: '会员评价 · Member feedback in your scope',
    caller: 'user',
    query: feedbackQuerySchema,
    response: feedbackListSchema,
  },
  'GET /feedback/grades': {
    tag: 'feedback',
    summary: '商户评分 · Merchant grades from feedback',
    caller: 'user',
    query: feedbackQuerySchema.omit({ limit: true, cursor: true }),
  },
  'POST /feedback/:id/answer': { tag: 'feedback', summary: '回复投诉 · Answer a complaint', caller: 'user', body: complaintAnswerSchema },
  'POST /feedback/:id/close': { tag: 'feedback', summary: '关闭投诉 · Close a complaint', caller: 'user' },
};

/** The terminal's local API, for the store's POS (served by `huika terminal`, loopback by default). */
export const TERMINAL_OPERATIONS: Record<string, Operation> = {
  'POST /checkouts': {
    tag: 'terminal local API',
    summary: '开始结账 · Start a checkout',
    caller: 'anyone',
    body: checkoutCreateSchema,
    response: checkoutSchema,
    status: 201,
  },
  'POST /checkouts/:id/credential': {
    tag: 'terminal local API',
    summary: '提交卡号/会员号/二维码 · Pass what the POS read; answers the quote',
    caller: 'anyone',
    body: checkoutCredentialSchema,
    response: quoteSchema,
  },
  'GET /checkouts/:id': {
    tag: 'terminal local API',
    summary: '结账状态 · A checkout and its state',
    caller: 'anyone',
    response: checkoutSchema,
  },
  'POST /checkouts/:id/confirm': {
    tag: 'terminal local API',
    summary: '确认核销 · Redeem the quote (offline: queued on disk first)',
    caller: 'anyone',
  },
  'POST /checkouts/:id/cancel': { tag: 'terminal local API', summary: '取消 · Cancel a checkout', caller: 'anyone' },
};

/** `/redemptions/:id` → `/redemptions/{id}` and the names of its path parameters. */
export function openApiPath(expressPath: string): { path: string; params: string[] } {
  const params: string[] = [];
  const path = expressPath.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_m, name: string) => {
    params.push(name);
    return `{${name}}`;
  });
  return { path, params };
}

// Query strings and bodies are documented as the caller writes them (io: 'input'): defaults optional,
// coercions and transforms before they run. Refinements cannot be expressed and are left out.
function jsonSchema(s: z.ZodType): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any', reused: 'inline' }) as Record<
    string,
    unknown
  >;
  return rest; // OpenAPI 3.1's dialect is 2020-12 already
}
const ERROR_REF = { $ref: '#/components/schemas/Error' };

function operationObject(key: string, op: Operation, server: boolean): Record<string, unknown> {
  const [method, expressPath] = key.split(' ') as [string, string];
  const { params } = openApiPath(expressPath);
  const parameters: unknown[] = params.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
  if (op.query) {
    const q = jsonSchema(op.query) as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, schema] of Object.entries(q.properties ?? {}))
      parameters.push({ name, in: 'query', required: q.required?.includes(name) ?? false, schema });
  }
  const status = String(op.status ?? 200);
  const okContent = op.produces
    ? { [`${op.produces}; charset=utf-8`]: { schema: { type: 'string' } } }
    : op.response
      ? { 'application/json': { schema: jsonSchema(op.response) } }
      : status === '204'
        ? undefined
        : { 'application/json': { schema: {} } };
  const out: Record<string, unknown> = {
    operationId: `${method.toLowerCase()}${expressPath.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
    tags: [op.tag],
    summary: op.summary,
    ...(parameters.length ? { parameters } : {}),
    responses: {
      [status]: { description: 'success · 成功', ...(okContent ? { content: okContent } : {}) },
      ...(op.body || op.query || params.length
        ? {
            '400': {
              description: 'VALIDATION_FAILED, with the failing field paths in details',
              content: { 'application/json': { schema: ERROR_REF } },
            },
          }
        : {}),
      ...(op.caller !== 'anyone'
        ? { '401': { description: 'no or expired token', content: { 'application/json': { schema: ERROR_REF } } } }
        : {}),
      default: { description: 'an error: see docs/ERRORS.md for every code', content: { 'application/json': { schema: ERROR_REF } } },
    },
  };
  if (op.body) out.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(op.body) } } };
  if (op.bodyType) out.requestBody = { required: true, content: { [op.bodyType]: { schema: { type: 'string' } } } };
  if (server && op.caller !== 'anyone')
    out.security =
      op.caller === 'terminal'
        ? [{ terminalToken: [] }]
        : op.caller === 'member'
          ? [{ memberToken: [] }]
          : [{ userToken: [] }, { sessionCookie: [] }];
  return out;
}

function pathsOf(ops: Record<string, Operation>, server: boolean) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [key, op] of Object.entries(ops)) {
    const [method, expressPath] = key.split(' ') as [string, string];
    const p = (paths[openApiPath(expressPath).path] ??= {});
    p[method.toLowerCase()] = operationObject(key, op, server);
  }
  return paths;
}

let cached: Record<string, unknown> | undefined;

/** The whole document; built once (the schemas do not change while the process runs). */
export function openApiDocument(): Record<string, unknown> {
  cached ??= {
    openapi: '3.1.0',
    info: {
      title: 'Huika 惠卡 server API',
      version: '2',
      description:
        '会员优惠终端系统的服务端接口。The server API of Huika, generated from the zod schemas the server validates with. Money is integer fen; times are ISO 8601 with offset; errors are {"error":{"code","message","details"?}} (docs/ERRORS.md). docs/API.md is the contract in prose. The terminal local API (for a store\'s POS) is under x-terminal-local-api.',
    },
    servers: [{ url: '/api/v1' }],
    paths: pathsOf(OPERATIONS, true),
    components: {
      schemas: { Error: jsonSchema(errorBodySchema) },
      securitySchemes: {
        terminalToken: { type: 'http', scheme: 'bearer', description: 'the token POST /terminals/enroll answered' },
        userToken: { type: 'http', scheme: 'bearer', description: 'the token POST /session answered' },
        memberToken: { type: 'http', scheme: 'bearer', description: 'the token POST /member/session answered' },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'huika_session', description: 'set by the portal pages on sign-in' },
      },
    },
    'x-terminal-local-api': { servers: [{ url: 'http://127.0.0.1:8090/api/v1' }], paths: pathsOf(TERMINAL_OPERATIONS, false) },
  };
  return cached;
}

export function openApiRouter(): Router {
  const r = Router();
  r.get('/openapi.json', (_req, res) => {
    res.set('Cache-Control', 'no-cache').json(openApiDocument());
  });
  return r;
}
