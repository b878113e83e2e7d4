/** /api/docs: the OpenAPI document the server serves, read by people. A plain page, no inline script (CSP). */
import { useEffect, useState } from 'preact/hooks';
import { mount } from '../../../web/mount.tsx';

type Schema = Record<string, unknown>;
interface Op {
  operationId: string;
  tags: string[];
  summary: string;
  parameters?: Array<{ name: string; in: string; required: boolean; schema: Schema }>;
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: Schema }> }>;
  security?: Array<Record<string, unknown>>;
}
type Paths = Record<string, Record<string, Op>>;
interface Doc {
  info: { title: string; description: string };
  servers: Array<{ url: string }>;
  paths: Paths;
  'x-terminal-local-api'?: { servers: Array<{ url: string }>; paths: Paths };
}

const CALLER: Record<string, string> = {
  terminalToken: '终端令牌 terminal token',
  userToken: '用户令牌 user token',
  memberToken: '会员令牌 member token',
  sessionCookie: '会话 cookie',
};

/** A schema in one line where it is short (`string, date-time`), as indented JSON where it is not. */
function typeOf(s: Schema): string {
  if (Array.isArray(s.enum)) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  const t = Array.isArray(s.type) ? s.type.join('|') : String(s.type ?? (s.anyOf ? 'one of' : 'any'));
  return s.format ? `${t}, ${String(s.format)}` : t;
}

function Operation({ method, path, op, base }: { method: string; path: string; op: Op; base: string }) {
  const [open, setOpen] = useState(false);
  const body = op.requestBody && Object.entries(op.requestBody.content)[0];
  const ok = Object.entries(op.responses).find(([s]) => s.startsWith('2'));
  const okSchema = ok?.[1].content && Object.values(ok[1].content)[0]?.schema;
  return (
    <div class="card api-op" id={op.operationId}>
      <button class="api-op-head" aria-expanded={open} onClick={() => setOpen(!open)}>
        <span class={`pill api-${method}`}>{method.toUpperCase()}</span>{' '}
        <code>
          {base}
          {path}
        </code>{' '}
        <span class="en">{op.summary}</span>
      </button>
      {open && (
        <div class="api-op-body">
          <p>
            调用方 Caller:{' '}
            {op.security
              ? op.security
                  .map((s) =>
                    Object.keys(s)
                      .map((k) => CALLER[k] ?? k)
                      .join(''),
                  )
                  .join(' 或 or ')
              : '无需登录 none'}{' '}
            · 成功 Success: {ok?.[0]}
          </p>
          {op.parameters && (
            <table>
              <thead>
                <tr>
                  <th>参数 parameter</th>
                  <th>位置 in</th>
                  <th>类型 type</th>
                  <th>必填 required</th>
                </tr>
              </thead>
              <tbody>
                {op.parameters.map((p) => (
                  <tr key={p.in + p.name}>
                    <td>
                      <code>{p.name}</code>
                    </td>
                    <td>{p.in}</td>
                    <td>{typeOf(p.schema)}</td>
                    <td>{p.required ? '是 yes' : '否 no'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {body && (
            <>
              <h3>
                请求体 Request body <span class="en">{body[0]}</span>
              </h3>
              <pre>{JSON.stringify(body[1].schema, null, 2)}</pre>
            </>
          )}
          {okSchema && Object.keys(okSchema).length > 0 && (
            <>
              <h3>应答 Response</h3>
              <pre>{JSON.stringify(okSchema, null, 2)}</pre>
            </>
          )}
        </div>
      )}
    </div>
  );
}

function Section({ paths, base }: { paths: Paths; base: string }) {
  const byTag = new Map<string, Array<[string, string, Op]>>();
  for (const [path, ops] of Object.entries(paths))
    for (const [method, op] of Object.entries(ops)) {
      const tag = op.tags[0] ?? 'other';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag)!.push([method, path, op]);
    }
  return (
    <>
      {[...byTag].map(([tag, ops]) => (
        <section key={tag}>
          <h2>{tag}</h2>
          {ops.map(([m, p, op]) => (
            <Operation key={m + p} method={m} path={p} op={op} base={base} />
          ))}
        </section>
      ))}
    </>
  );
}

function App() {
  const [doc, setDoc] = useState<Doc | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    fetch('/api/v1/openapi.json')
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`))))
      .then(setDoc, (e: Error) => setError(`无法读取接口文档 Could not load the API document: ${e.message}`));
  }, []);
  return (
    <>
      <header class="bar">
        <h1>
          惠卡接口文档 <span class="en">Huika API reference</span>
        </h1>
        <span class="spacer" />
        <a class="en" href="/api/v1/openapi.json">
          openapi.json
        </a>
      </header>
      <main>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        {!doc && !error && <p class="loading">加载中… Loading…</p>}
        {doc && (
          <>
            <p>{doc.info.description}</p>
            <Section paths={doc.paths} base={doc.servers[0]?.url ?? ''} />
            {doc['x-terminal-local-api'] && (
              <>
                <h2 class="api-part">
                  终端本地接口 <span class="en">Terminal local API ({doc['x-terminal-local-api'].servers[0]?.url})</span>
                </h2>
                <Section paths={doc['x-terminal-local-api'].paths} base="" />
              </>
            )}
          </>
        )}
      </main>
    </>
  );
}

mount(<App />);
