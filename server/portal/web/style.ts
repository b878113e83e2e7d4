/** Portal-only styles on top of web/huika.css (tabs, filters, tables, charts, print). */
export const PORTAL_CSS = `
header.bar .logo { font-weight: 800; font-size: 22px; letter-spacing: 2px; background: #fff; color: var(--red); border-radius: 6px; padding: 2px 8px; }
header.bar .who { font-size: 14px; opacity: .95; }
header.bar .en { color: #fff; opacity: .8; }
header.bar button.ghost { background: transparent; color: #fff; border-color: rgba(255,255,255,.5); padding: 5px 10px; font-size: 13px; }
header.bar button.ghost .en { color: #fff; }
button.primary .en { color: #fff; opacity: .85; }
a.button { color: var(--ink); text-decoration: none; display: inline-block; }
.tabs { display: flex; gap: 4px; padding: 0 20px; background: #fff; border-bottom: 1px solid var(--line); }
.tabs .tab { border: none; border-bottom: 3px solid transparent; border-radius: 0; background: none; padding: 12px 16px; font-size: 15px; }
.tabs .tab.active { border-bottom-color: var(--red); color: var(--red); font-weight: 600; }
.card h2 .en, .card h3 .en { font-size: 13px; }
.card h3 { margin: 16px 0 8px; font-size: 15px; }
.filters { display: flex; gap: 10px; flex-wrap: wrap; align-items: flex-end; margin-bottom: 12px; }
.filters label > span { white-space: nowrap; }
.filters input[type=date] { width: 150px; }
.toolbar { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
.toolbar .spacer { flex: 1; }
.table-scroll { overflow-x: auto; }
table.data tbody tr { cursor: default; }
table.data tbody tr.clickable { cursor: pointer; }
table.data tbody tr.clickable:hover { background: #fff6f7; }
table.data tbody tr.selected { background: #ffeef0; }
table.data tbody tr.fresh { animation: fresh 3s ease-out; background: #fff8e1; }
@keyframes fresh { from { background: #ffe08a; } to { background: #fff8e1; } }
table.data td.mono, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; font-size: 12.5px; }
table.data th .en, table.data th span.en { display: block; font-size: 11px; }
table.data tfoot td { font-weight: 600; background: #fafbfc; }
.pill { white-space: nowrap; }
.pill .en { font-size: 10.5px; color: inherit; opacity: .75; }
.pill.info { color: #0b5cad; }
.pill.muted { color: var(--muted); }
.live { font-size: 13px; color: var(--muted); display: inline-flex; align-items: center; gap: 6px; }
.live .dot { width: 9px; height: 9px; border-radius: 50%; background: var(--grey, #9aa4ae); display: inline-block; }
.live.on .dot { background: #1a7f37; box-shadow: 0 0 0 3px #1a7f3733; }
.pager { display: flex; gap: 8px; align-items: center; justify-content: flex-end; margin-top: 10px; font-size: 13px; color: var(--muted); }
.grid2 { display: grid; grid-template-columns: minmax(0, 1fr) 390px; gap: 16px; align-items: start; }
.nowrap { white-space: nowrap; }
@media (max-width: 1100px) { .grid2 { grid-template-columns: 1fr; } }
.grid2 > * { min-width: 0; }
.chart { position: relative; height: 260px; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
.kpis { display: grid; grid-template-columns: repeat(4, 1fr); gap: 12px; margin-bottom: 16px; }
.kpi { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; border-top: 3px solid var(--red); }
.kpi-label { font-size: 13px; color: var(--muted); }
.kpi-value { font-size: 26px; font-weight: 700; font-variant-numeric: tabular-nums; margin-top: 4px; }
dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: 6px 12px; margin: 0 0 12px; font-size: 14px; }
dl.kv dt { color: var(--muted); }
dl.kv dd { margin: 0; word-break: break-all; }
.flag { border-left: 4px solid var(--warn); background: #fffaf0; padding: 8px 12px; margin-bottom: 8px; border-radius: 0 6px 6px 0; font-size: 14px; }
.flag.bad { border-left-color: var(--bad); background: #fff5f5; }
.flag .meta { color: var(--muted); font-size: 12.5px; margin-top: 2px; }
.ok-box { color: var(--ok); background: #eefbf1; border: 1px solid #b7e4c2; padding: 12px 14px; border-radius: 6px; }
.bad-box { color: var(--bad); background: #ffebe9; border: 1px solid #ffcecb; padding: 12px 14px; border-radius: 6px; }
.muted { color: var(--muted); }
.small { font-size: 13px; }
.offer { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.offers { display: grid; grid-template-columns: repeat(auto-fill, minmax(280px, 1fr)); gap: 12px; }
.offer .rule { font-size: 22px; font-weight: 700; color: var(--red); margin: 6px 0; }
.code { font-family: ui-monospace, Menlo, monospace; font-size: 22px; letter-spacing: 2px; background: #fff8e1; border: 1px dashed var(--warn); padding: 8px 12px; border-radius: 6px; display: inline-block; }
.login { max-width: 420px; margin: 8vh auto; }
.login form { display: grid; gap: 12px; }
.login label { display: grid; }
.login input { width: 100%; }
.print-only { display: none; }
@media print { .print-only { display: block; } .tabs, .no-print { display: none !important; } main { max-width: none; } }
`;
