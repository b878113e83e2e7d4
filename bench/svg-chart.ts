/** A horizontal bar chart as a standalone SVG, so docs/BENCHMARKS.md can show figures people compare. */
export function barChartSvg(title: string, unit: string, bars: ReadonlyArray<{ label: string; value: number }>): string {
  const width = 720;
  const labelW = 230;
  const barH = 26;
  const gap = 10;
  const top = 44;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const height = top + bars.length * (barH + gap) + 16;
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const rows = bars
    .map((b, i) => {
      const y = top + i * (barH + gap);
      const w = Math.max(2, ((width - labelW - 110) * b.value) / max);
      return `<text x="${labelW - 8}" y="${y + 18}" text-anchor="end">${esc(b.label)}</text>
<rect x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${i === 0 ? '#9aa5b1' : '#c8102e'}" rx="3"/>
<text x="${(labelW + w + 6).toFixed(1)}" y="${y + 18}">${b.value.toLocaleString('en-US', { maximumFractionDigits: 1 })} ${esc(unit)}</text>`;
    })
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="14">
<rect width="100%" height="100%" fill="#fff"/>
<text x="12" y="26" font-size="16" font-weight="bold">${esc(title)}</text>
${rows}
</svg>
`;
}
