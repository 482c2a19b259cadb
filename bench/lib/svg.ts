import { ratioTo } from './report.js';
import type { Results } from './results.js';
import { formatNumber, formatRatio } from './stats.js';

/** locksmith stands out; the C limit and the baseline are greys; the other anchors share a palette. */
const FIXED: Record<string, string> = {
  locksmith: '#d9480f',
  lease: '#f59f00',
  c: '#343a40',
  'proper-lockfile': '#adb5bd',
};
const PALETTE = ['#1c7ed6', '#37b24d', '#7048e8', '#0ca678', '#c2255c', '#1098ad', '#5c940d'];

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * docs/benchmarks.svg: for each figure, one bar per subject: how many times better than the baseline
 * (proper-lockfile) it is, on a log scale centred on 1× (right of the line: better; left: worse).
 */
export function renderSvg(results: Results): string {
  const width = 900;
  const labelWidth = 190;
  const plotLeft = labelWidth + 10;
  const plotRight = width - 70;
  const barHeight = 14;
  const gap = 4;
  const baseline = results.subjects.find((s) => s.id === results.baseline);
  const others = results.subjects.filter((s) => !FIXED[s.id]);
  const colorOf = new Map(
    results.subjects.map((s) => [s.id, FIXED[s.id] ?? PALETTE[others.indexOf(s) % PALETTE.length]!]),
  );

  const panels = results.figures.map((figure) => ({
    title: figure.short,
    bars: figure.rows
      .map((row) => ({ row, value: ratioTo(figure, row, results.baseline) }))
      .filter((b): b is { row: (typeof figure.rows)[number]; value: number } => b.value !== undefined),
  }));
  const all = panels.flatMap((p) => p.bars.map((b) => b.value));
  const low = Math.floor(Math.log10(Math.min(0.1, ...all)));
  const high = Math.ceil(Math.log10(Math.max(10, ...all)));
  const x = (v: number) => plotLeft + ((Math.log10(v) - low) / (high - low)) * (plotRight - plotLeft);

  const parts: string[] = [];
  let y = 56;
  for (const panel of panels) {
    if (panel.bars.length === 0) continue;
    parts.push(`<text x="10" y="${y + 12}" font-weight="bold">${esc(panel.title)}</text>`);
    y += 20;
    for (const { row, value } of panel.bars) {
      const x0 = x(1);
      const x1 = x(value);
      const color = colorOf.get(row.subject.id) ?? '#868e96';
      parts.push(
        `<text x="${labelWidth}" y="${y + barHeight - 3}" text-anchor="end"${row.subject.id === 'locksmith' || row.subject.id === 'lease' ? ' font-weight="bold"' : ''}>${esc(row.subject.label)}</text>`,
        `<rect x="${Math.min(x0, x1).toFixed(1)}" y="${y}" width="${Math.max(1, Math.abs(x1 - x0)).toFixed(1)}" height="${barHeight}" fill="${color}"/>`,
        `<text x="${(Math.max(x0, x1) + 4).toFixed(1)}" y="${y + barHeight - 3}">${esc(formatRatio(value))}</text>`,
      );
      y += barHeight + gap;
    }
    y += 12;
  }
  const top = 44;
  const axis: string[] = [];
  for (let e = low; e <= high; e++) {
    const v = 10 ** e;
    const xe = x(v).toFixed(1);
    axis.push(
      `<line x1="${xe}" y1="${top}" x2="${xe}" y2="${y}" stroke="${e === 0 ? '#212529' : '#dee2e6'}" stroke-width="${e === 0 ? 1.5 : 1}"/>`,
      `<text x="${xe}" y="${y + 14}" text-anchor="middle" fill="#495057">${e < 0 ? v.toFixed(-e) : formatNumber(v)}×</text>`,
    );
  }
  const height = y + 30;
  const title = `How many times better than ${baseline?.label ?? results.baseline} (log scale; right of 1× is better)`;
  const sub = `${results.date} · ${results.machine.cores} cores · Node ${results.machine.node} · ${results.machine.filesystem}${results.quick ? ' · QUICK MODE (smoke test)' : ''}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<title>${esc(title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="10" y="20" font-size="15" font-weight="bold">${esc(title)}</text>`,
    `<text x="10" y="36" fill="#495057">${esc(sub)}</text>`,
    ...axis,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
