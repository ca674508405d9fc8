/**
 * Charts as SVG strings, one module for both renderers: report-html.ts
 * inlines them, report-pdf.ts draws them with svg-to-pdfkit. So the SVG sticks
 * to what svg-to-pdfkit understands (rect, line, path, circle, polyline, text
 * with text-anchor; no CSS, no dominant-baseline: baselines are computed here).
 *
 * Output is deterministic (coordinates rounded to 0.01, no ids, no clock), so
 * the same chart always gives the same bytes. Text widths are estimates (CJK
 * one em, Latin about 0.6 em): labels that would not fit are shortened with
 * an ellipsis or, on a crowded axis, thinned out.
 */
import type { Chart, ChartSeries } from './report-document.ts';

/** Fixed colors for severity / necessity levels and for good/bad tones. */
export const CHART_COLORS = {
  critical: '#9B1C1C',
  high: '#D64531',
  medium: '#E0A106',
  low: '#7A8BA3',
  info: '#B8C2CE',
  good: '#2F855A',
  primary: '#1F4E79',
} as const;

/** Colors for series and slices without their own, in order. */
export const SERIES_PALETTE: readonly string[] = [
  CHART_COLORS.primary,
  '#2A9D8F',
  CHART_COLORS.medium,
  CHART_COLORS.high,
  CHART_COLORS.low,
  '#7A5195',
  '#8AB17D',
  CHART_COLORS.critical,
];

const INK = '#1F2933';
const MUTED = '#616E7C';
const GRID = '#E4E8EE';
const AXIS = '#9AA5B1';
const EMPTY = '#E4E8EE';
const PAD = 8;
const LABEL_SIZE = 11;
const TICK_SIZE = 10;
const VALUE_SIZE = 9;

export interface ChartSvgOptions {
  /** px; the PDF renderer treats them as points */
  width: number;
  height: number;
  /** CSS font-family list for all text, e.g. `"Noto Sans SC", sans-serif` */
  fontFamily: string;
}

/** Escapes text for XML/HTML content and attribute values; drops control characters XML forbids. */
export function escapeXml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Renders a chart as a standalone `<svg>` element of the given size. */
export function renderChartSvg(chart: Chart, options: ChartSvgOptions): string {
  const { width, height } = options;
  let body: string;
  switch (chart.type) {
    case 'bar':
    case 'line':
      body = cartesian(chart, width, height);
      break;
    case 'donut':
      body = donut(chart, width, height);
      break;
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${r(width)}" height="${r(height)}" ` +
    `viewBox="0 0 ${r(width)} ${r(height)}" font-family="${escapeXml(options.fontFamily)}">${body}</svg>`
  );
}

/**
 * Round tick values covering [min, max] in about `count` steps of 1, 2, 2.5 or
 * 5 × 10ⁿ; with `integer`, steps are whole numbers (counts never get a 0.5 tick).
 */
export function niceTicks(min: number, max: number, integer: boolean, count = 5): number[] {
  if (!(max > min)) max = min + 1;
  const rough = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  let step = 10 * magnitude;
  for (const factor of [1, 2, 2.5, 5]) {
    const candidate = factor * magnitude;
    if (candidate >= rough && (!integer || Number.isInteger(candidate))) {
      step = candidate;
      break;
    }
  }
  if (integer) step = Math.max(1, Math.ceil(step));
  const first = Math.floor(min / step + 1e-9);
  const last = Math.ceil(max / step - 1e-9);
  const ticks: number[] = [];
  for (let i = first; i <= last; i++) ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}

const numberFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

/** Tick and value labels: grouped digits, at most two decimals (the same in zh and en). */
export function formatNumber(value: number): string {
  return numberFormat.format(value);
}

const NARROW = new Set(" .,:;'!|ijlrtf()[]-");

/** Estimated width of `text` at `size` (a little generous for Noto Sans): CJK one em, Latin about 0.56 em. */
export function textWidth(text: string, size: number): number {
  let ems = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code >= 0x2e80) ems += 1;
    else if (NARROW.has(char)) ems += 0.3;
    else if (char >= 'A' && char <= 'Z') ems += 0.66;
    else ems += 0.56;
  }
  return ems * size * 1.05;
}

function fit(text: string, maxWidth: number, size: number): string {
  if (textWidth(text, size) <= maxWidth) return text;
  const chars = [...text];
  while (chars.length > 0 && textWidth(chars.join('') + '…', size) > maxWidth) chars.pop();
  return chars.length > 0 ? chars.join('') + '…' : '';
}

/** A number for an attribute: rounded to 0.01, never "-0". */
function r(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  return String(rounded === 0 ? 0 : rounded);
}

function text(
  x: number,
  baseline: number,
  content: string,
  attrs: { size: number; anchor?: 'start' | 'middle' | 'end'; fill?: string; bold?: boolean },
): string {
  if (content === '') return '';
  const anchor = attrs.anchor && attrs.anchor !== 'start' ? ` text-anchor="${attrs.anchor}"` : '';
  const weight = attrs.bold ? ' font-weight="bold"' : '';
  return (
    `<text x="${r(x)}" y="${r(baseline)}" font-size="${r(attrs.size)}"${anchor}${weight} ` +
    `fill="${escapeXml(attrs.fill ?? INK)}">${escapeXml(content)}</text>`
  );
}

/** A baseline that centres text of `size` on `y`. */
function middle(y: number, size: number): number {
  return y + size * 0.35;
}

/** A 10×10 colour square centred on `cy`, for legends. */
function swatch(x: number, cy: number, color: string): string {
  return `<rect x="${r(x)}" y="${r(cy - 5)}" width="10" height="10" rx="2" fill="${escapeXml(color)}"/>`;
}

function colorOf(index: number, own: string | undefined): string {
  return own ?? SERIES_PALETTE[index % SERIES_PALETTE.length] ?? INK;
}

/** Legend items flowed in rows from the top left; returns the markup and the height used. */
function legend(items: { label: string; color: string }[], width: number): { svg: string; height: number } {
  const rowHeight = LABEL_SIZE + 6;
  const parts: string[] = [];
  let x = PAD;
  let y = PAD;
  for (const item of items) {
    const label = fit(item.label, width - 2 * PAD - 14, LABEL_SIZE);
    const itemWidth = 14 + textWidth(label, LABEL_SIZE) + 14;
    if (x > PAD && x + itemWidth > width - PAD) {
      x = PAD;
      y += rowHeight;
    }
    const cy = y + rowHeight / 2;
    parts.push(
      swatch(x, cy, item.color),
      text(x + 14, middle(cy, LABEL_SIZE), label, { size: LABEL_SIZE, fill: MUTED }),
    );
    x += itemWidth;
  }
  return { svg: parts.join(''), height: items.length > 0 ? y + rowHeight - PAD : 0 };
}

function valueAt(series: ChartSeries, index: number): number | undefined {
  const value = series.values[index];
  return value !== undefined && Number.isFinite(value) ? value : undefined;
}

/** Bar (grouped or stacked) and line charts: legend, value axis with grid, category axis, marks. */
function cartesian(chart: Extract<Chart, { type: 'bar' | 'line' }>, width: number, height: number): string {
  const { categories, series } = chart;
  const stacked = chart.type === 'bar' && chart.stacked === true;
  const colors = series.map((s, i) => colorOf(i, s.color));
  const items = series.map((s, i) => ({ label: s.name, color: colors[i] ?? INK }));
  const top = series.length > 1 ? legend(items, width) : undefined;

  // The value domain: stacks add up (negative parts are left out), otherwise single values.
  const values: number[] = [0];
  categories.forEach((_, i) => {
    const parts = series.map((s) => valueAt(s, i)).filter((v) => v !== undefined);
    if (stacked) values.push(parts.reduce((sum, v) => sum + Math.max(0, v), 0));
    else values.push(...parts);
  });
  const integer = values.every(Number.isInteger);
  const ticks = niceTicks(Math.min(...values), Math.max(...values), integer);
  const low = ticks[0] ?? 0;
  const high = ticks[ticks.length - 1] ?? 1;

  const tickLabelWidth = Math.max(...ticks.map((t) => textWidth(formatNumber(t), TICK_SIZE)));
  const left = PAD + tickLabelWidth + 6;
  const right = width - PAD;
  const plotTop = PAD + (top ? top.height + 8 : 0) + (chart.type === 'bar' ? VALUE_SIZE + 4 : 4);
  const plotBottom = height - PAD - LABEL_SIZE - 6;
  const y = (value: number): number => plotBottom - ((value - low) / (high - low)) * (plotBottom - plotTop);
  const band = categories.length > 0 ? (right - left) / categories.length : right - left;

  const parts: string[] = [top?.svg ?? ''];
  for (const tick of ticks) {
    const ty = y(tick);
    parts.push(
      `<line x1="${r(left)}" y1="${r(ty)}" x2="${r(right)}" y2="${r(ty)}" stroke="${tick === 0 ? AXIS : GRID}" stroke-width="1"/>`,
      text(left - 6, middle(ty, TICK_SIZE), formatNumber(tick), {
        size: TICK_SIZE,
        anchor: 'end',
        fill: MUTED,
      }),
    );
  }

  // Category labels: every `every`-th one when they would not fit side by side.
  const widest = Math.max(0, ...categories.map((c) => textWidth(c, LABEL_SIZE)));
  const every = Math.max(1, Math.ceil(Math.min(widest, 80) / Math.max(band - 4, 1)));
  const labelWidth = band * every - 4;
  categories.forEach((category, i) => {
    if (i % every !== 0) return;
    const label = fit(category, labelWidth, LABEL_SIZE);
    parts.push(
      text(left + band * (i + 0.5), height - PAD - 2, label, {
        size: LABEL_SIZE,
        anchor: 'middle',
        fill: MUTED,
      }),
    );
  });

  if (chart.type === 'bar') parts.push(bars(categories, series, colors, stacked, { left, band, y }));
  else parts.push(lines(categories, series, colors, { left, band, y }));
  return parts.join('');
}

interface Scales {
  left: number;
  band: number;
  y: (value: number) => number;
}

function bars(
  categories: string[],
  series: ChartSeries[],
  colors: string[],
  stacked: boolean,
  s: Scales,
): string {
  const parts: string[] = [];
  const group = s.band * 0.7;
  const barWidth = stacked ? group : group / Math.max(1, series.length);
  const showValues = textWidth('0000', VALUE_SIZE) <= barWidth + 4;
  categories.forEach((_, i) => {
    const x0 = s.left + s.band * i + (s.band - group) / 2;
    let base = 0;
    series.forEach((serie, j) => {
      const raw = valueAt(serie, i);
      if (raw === undefined) return;
      const value = stacked ? Math.max(0, raw) : raw;
      const from = stacked ? base : 0;
      const to = from + value;
      const x = stacked ? x0 : x0 + j * barWidth;
      const [y1, y2] = [s.y(Math.max(from, to)), s.y(Math.min(from, to))];
      if (y2 - y1 > 0) {
        parts.push(
          `<rect x="${r(x)}" y="${r(y1)}" width="${r(Math.max(barWidth - 1, 1))}" height="${r(y2 - y1)}" fill="${escapeXml(colors[j] ?? INK)}"/>`,
        );
      }
      if (!stacked && showValues) {
        const label = formatNumber(raw);
        parts.push(text(x + barWidth / 2, y1 - 3, label, { size: VALUE_SIZE, anchor: 'middle', fill: INK }));
      }
      base = to;
    });
    if (stacked && showValues && series.length > 0) {
      parts.push(
        text(x0 + group / 2, s.y(base) - 3, formatNumber(base), { size: VALUE_SIZE, anchor: 'middle' }),
      );
    }
  });
  return parts.join('');
}

function lines(categories: string[], series: ChartSeries[], colors: string[], s: Scales): string {
  const parts: string[] = [];
  const dots = categories.length <= 40;
  series.forEach((serie, j) => {
    const color = escapeXml(colors[j] ?? INK);
    // A missing or non-finite value breaks the line into segments.
    let segment: string[] = [];
    const flush = (): void => {
      if (segment.length > 1) {
        parts.push(
          `<polyline points="${segment.join(' ')}" fill="none" stroke="${color}" stroke-width="2"/>`,
        );
      }
      segment = [];
    };
    categories.forEach((_, i) => {
      const value = valueAt(serie, i);
      if (value === undefined) return flush();
      const x = s.left + s.band * (i + 0.5);
      segment.push(`${r(x)},${r(s.y(value))}`);
      if (dots) parts.push(`<circle cx="${r(x)}" cy="${r(s.y(value))}" r="2.5" fill="${color}"/>`);
    });
    flush();
  });
  return parts.join('');
}

/** A donut with its legend (label, value, share) to the right. */
function donut(chart: Extract<Chart, { type: 'donut' }>, width: number, height: number): string {
  const slices = chart.slices.map((slice, i) => ({
    ...slice,
    value: Number.isFinite(slice.value) && slice.value > 0 ? slice.value : 0,
    color: colorOf(i, slice.color),
  }));
  const total = slices.reduce((sum, slice) => sum + slice.value, 0);
  const outer = Math.max(10, Math.min(height - 2 * PAD, width * 0.45) / 2);
  const inner = outer * 0.62;
  const cx = PAD + outer;
  const cy = height / 2;
  const ring = (color: string): string =>
    `<circle cx="${r(cx)}" cy="${r(cy)}" r="${r((outer + inner) / 2)}" fill="none" stroke="${escapeXml(color)}" stroke-width="${r(outer - inner)}"/>`;

  const parts: string[] = [];
  if (total === 0) parts.push(ring(EMPTY));
  let angle = -Math.PI / 2;
  for (const slice of slices) {
    if (slice.value === 0) continue;
    const sweep = (slice.value / total) * 2 * Math.PI;
    if (sweep > 2 * Math.PI - 1e-6) parts.push(ring(slice.color));
    else parts.push(arc(cx, cy, outer, inner, angle, angle + sweep, slice.color));
    angle += sweep;
  }
  if (chart.centerLabel) {
    // The first line large and bold (the figure), further lines small (what it counts).
    const [first = '', ...rest] = chart.centerLabel.split('\n');
    const size = Math.min(18, Math.max(9, inner / 3));
    const small = size * 0.65;
    let lineY = cy - (size * 1.2 + rest.length * small * 1.3) / 2 + size * 0.6;
    parts.push(
      text(cx, middle(lineY, size), fit(first, inner * 1.85, size), { size, anchor: 'middle', bold: true }),
    );
    lineY += size * 0.6 + small * 0.65;
    for (const line of rest) {
      parts.push(
        text(cx, middle(lineY, small), fit(line, inner * 1.85, small), {
          size: small,
          anchor: 'middle',
          fill: MUTED,
        }),
      );
      lineY += small * 1.3;
    }
  }

  // Legend rows beside the donut, vertically centred, as many as fit: label, value, share.
  const legendLeft = cx + outer + 24;
  const shareWidth = textWidth('100.0%', LABEL_SIZE);
  const valueWidth = Math.max(0, ...slices.map((slice) => textWidth(formatNumber(slice.value), LABEL_SIZE)));
  const labelWidth = Math.max(0, ...slices.map((slice) => textWidth(slice.label, LABEL_SIZE)));
  const legendRight = Math.min(width - PAD, legendLeft + 16 + labelWidth + 24 + valueWidth + 12 + shareWidth);
  const rowHeight = LABEL_SIZE + 9;
  const rows = Math.min(slices.length, Math.max(1, Math.floor((height - 2 * PAD) / rowHeight)));
  const legendTop = cy - (rows * rowHeight) / 2;
  slices.slice(0, rows).forEach((slice, i) => {
    const rowMiddle = legendTop + rowHeight * (i + 0.5);
    const rowY = middle(rowMiddle, LABEL_SIZE);
    const share = total > 0 ? `${((slice.value / total) * 100).toFixed(1)}%` : '–';
    const labelRoom = legendRight - shareWidth - valueWidth - 24 - (legendLeft + 16);
    parts.push(
      swatch(legendLeft, rowMiddle, slice.color),
      text(legendLeft + 16, rowY, fit(slice.label, labelRoom, LABEL_SIZE), { size: LABEL_SIZE }),
      text(legendRight - shareWidth - 12, rowY, formatNumber(slice.value), {
        size: LABEL_SIZE,
        anchor: 'end',
      }),
      text(legendRight, rowY, share, { size: LABEL_SIZE, anchor: 'end', fill: MUTED }),
    );
  });
  return parts.join('');
}

function arc(
  cx: number,
  cy: number,
  outer: number,
  inner: number,
  from: number,
  to: number,
  color: string,
): string {
  const point = (radius: number, angle: number): string =>
    `${r(cx + radius * Math.cos(angle))} ${r(cy + radius * Math.sin(angle))}`;
  const large = to - from > Math.PI ? 1 : 0;
  return (
    `<path d="M${point(outer, from)} A${r(outer)} ${r(outer)} 0 ${large} 1 ${point(outer, to)} ` +
    `L${point(inner, to)} A${r(inner)} ${r(inner)} 0 ${large} 0 ${point(inner, from)} Z" ` +
    `fill="${escapeXml(color)}" stroke="#FFFFFF" stroke-width="1"/>`
  );
}
