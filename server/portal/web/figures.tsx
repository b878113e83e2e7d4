/**
 * The figures both portals show: a row of key numbers, a bar chart of a few series over labels, and the
 * table beneath it with bilingual headers, right-aligned numbers and an optional total row. The merchant's
 * totals and the union's statistics are these three pieces with their own columns.
 */
import type { ComponentChildren } from 'preact';
import { ChartBox, Kpi } from './lib.tsx';

export interface Column<R> {
  zh: string;
  en: string;
  /** Right-aligned (figures). */
  num?: boolean;
  cell: (row: R) => ComponentChildren;
  /** The total row's cell; columns without one are left empty, and a `footLabel` spans the leading ones. */
  foot?: ComponentChildren;
}

/** A data table: `data-table` names it for tests and styles. */
export function FigureTable<R>({
  name,
  columns,
  rows,
  footLabel,
}: {
  name: string;
  columns: Column<R>[];
  rows: readonly R[];
  /** 合计 Total: shown when some column has a foot, spanning the columns before the first one that has. */
  footLabel?: string;
}) {
  const firstFoot = columns.findIndex((c) => c.foot !== undefined);
  return (
    <table class="data" data-table={name}>
      <thead>
        <tr>
          {columns.map((c) => (
            <th class={c.num ? 'num' : undefined}>
              {c.zh}
              <span class="en">{c.en}</span>
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr>
            {columns.map((c) => (
              <td class={c.num ? 'num' : undefined}>{c.cell(r)}</td>
            ))}
          </tr>
        ))}
      </tbody>
      {firstFoot >= 0 && (
        <tfoot>
          <tr>
            {firstFoot > 0 && <td colSpan={firstFoot}>{footLabel ?? '合计 Total'}</td>}
            {columns.slice(firstFoot).map((c) => (
              <td class={c.num ? 'num' : undefined}>{c.foot ?? ''}</td>
            ))}
          </tr>
        </tfoot>
      )}
    </table>
  );
}

export interface Series {
  /** Bilingual, with the unit: '销售额 Sales (¥)'. */
  label: string;
  data: number[];
  color: string;
  /** Series with the same stack sit on one bar. */
  stack?: string;
}

/** A bar chart of some series over labels, legend below; `horizontal` with stacked percentages for budgets. */
export function BarChart({
  label,
  labels,
  series,
  wholeNumbers,
  percentStacked,
}: {
  label: string;
  labels: string[];
  series: Series[];
  /** Counts: a y axis from zero in whole steps. */
  wholeNumbers?: boolean;
  /** Horizontal bars stacked to 100%. */
  percentStacked?: boolean;
}) {
  return (
    <ChartBox
      label={label}
      config={{
        type: 'bar',
        data: {
          labels,
          datasets: series.map((s) => ({
            label: s.label,
            data: s.data,
            backgroundColor: s.color,
            ...(s.stack ? { stack: s.stack } : {}),
          })),
        },
        options: {
          plugins: { legend: { position: 'bottom' } },
          ...(wholeNumbers ? { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } } : {}),
          ...(percentStacked
            ? {
                indexAxis: 'y' as const,
                scales: { x: { stacked: true, max: 100, ticks: { callback: (v: string | number) => `${v}%` } }, y: { stacked: true } },
              }
            : {}),
        },
      }}
    />
  );
}

/** The key numbers above a chart. */
export function Kpis({ items, panel }: { items: Array<[zh: string, en: string, value: string | number]>; panel?: string }) {
  return (
    <div class="kpis" {...(panel ? { 'data-panel': panel } : {})}>
      {items.map(([zh, en, value]) => (
        <Kpi zh={zh} en={en} value={value} />
      ))}
    </div>
  );
}
