/**
 * ReportDocument → one standalone HTML5 page: inline CSS, charts as inline
 * SVG (charts.ts), no scripts, no external resources, so the file can be
 * mailed or archived as is. It prints on A4: section headings stay with their
 * content, rows and charts are not split, table headers repeat on each page
 * and, where the browser supports @page margin boxes, the page footer shows
 * `pageFooter` with the page number.
 */
import { CHART_COLORS, escapeXml, renderChartSvg } from './charts.ts';
import type { Chart, ReportBlock, ReportDocument, Tone } from './report-document.ts';

const FONT_STACK = {
  zh: '"Noto Sans SC", "PingFang SC", "Microsoft YaHei", "Source Han Sans SC", sans-serif',
  en: '"Noto Sans", "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif',
};
const CHART_WIDTH = 720;
const CHART_HEIGHT: Record<Chart['type'], number> = { bar: 300, line: 300, donut: 230 };
const TONE_COLORS: Record<Tone, string> = {
  good: CHART_COLORS.good,
  bad: '#B42318',
  neutral: CHART_COLORS.primary,
};

/** Renders `doc` as a complete HTML document (UTF-8). */
export function renderReportHtml(doc: ReportDocument): string {
  const fonts = FONT_STACK[doc.lang];
  const sections = doc.sections.map(
    (section) =>
      `<section>\n<h2>${escapeXml(section.heading)}</h2>\n` +
      section.blocks.map((block) => renderBlock(block, fonts)).join('\n') +
      `\n</section>`,
  );
  return [
    '<!DOCTYPE html>',
    `<html lang="${doc.lang === 'zh' ? 'zh-CN' : 'en'}">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeXml(doc.title)}</title>`,
    `<style>${stylesheet(fonts, doc.pageFooter)}</style>`,
    '</head>',
    '<body>',
    '<main class="report">',
    '<header class="title-block">',
    `<h1>${escapeXml(doc.title)}</h1>`,
    `<p class="subtitle">${escapeXml(doc.subtitle)}</p>`,
    `<p class="generated">${escapeXml(doc.generatedAt)}</p>`,
    '</header>',
    ...sections,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function renderBlock(block: ReportBlock, fonts: string): string {
  switch (block.kind) {
    case 'paragraph':
      return `<p>${escapeXml(block.text).replace(/\r?\n/g, '<br>')}</p>`;
    case 'metrics':
      return (
        '<div class="metrics">' +
        block.items
          .map(
            (item) =>
              `<div class="metric" style="border-left-color: ${TONE_COLORS[item.tone ?? 'neutral']}">` +
              `<div class="label">${escapeXml(item.label)}</div>` +
              `<div class="value">${escapeXml(item.value)}</div>` +
              (item.note
                ? `<div class="note tone-${item.tone ?? 'neutral'}">${escapeXml(item.note)}</div>`
                : '') +
              '</div>',
          )
          .join('') +
        '</div>'
      );
    case 'chart': {
      const svg = renderChartSvg(block.chart, {
        width: CHART_WIDTH,
        height: CHART_HEIGHT[block.chart.type],
        fontFamily: fonts,
      });
      return `<figure class="chart">\n<figcaption>${escapeXml(block.title)}</figcaption>\n${svg}\n</figure>`;
    }
    case 'table':
      return renderTable(block);
  }
}

function renderTable(table: Extract<ReportBlock, { kind: 'table' }>): string {
  const weights = table.columns.map((c) => (c.weight !== undefined && c.weight > 0 ? c.weight : 1));
  const total = weights.reduce((sum, w) => sum + w, 0);
  const cls = (i: number): string => (table.columns[i]?.align === 'right' ? ' class="num"' : '');
  const cols = weights.map((w) => `<col style="width: ${((w / total) * 100).toFixed(2)}%">`).join('');
  const head = table.columns.map((c, i) => `<th${cls(i)}>${escapeXml(c.header)}</th>`).join('');
  const rows = table.rows.map(
    (row) =>
      `<tr>${table.columns.map((_, i) => `<td${cls(i)}>${escapeXml(row[i] ?? '')}</td>`).join('')}</tr>`,
  );
  return (
    `<table>\n<colgroup>${cols}</colgroup>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>` +
    (table.note ? `\n<p class="table-note">${escapeXml(table.note)}</p>` : '')
  );
}

/** `pageFooter` as a CSS `content` value: strings around counter(page) / counter(pages). */
function footerContent(pageFooter: string): string {
  return pageFooter
    .split(/(\{page\}|\{pages\})/)
    .filter((part) => part !== '')
    .map((part) => {
      if (part === '{page}') return 'counter(page)';
      if (part === '{pages}') return 'counter(pages)';
      // Hex escapes keep quotes, backslashes, newlines and "</style>" out of the CSS string.
      return `"${part.replace(/["\\<>\n\r]/g, (c) => `\\${c.charCodeAt(0).toString(16)} `)}"`;
    })
    .join(' ');
}

function stylesheet(fonts: string, pageFooter: string): string {
  const { primary, good } = CHART_COLORS;
  return `
@page { size: A4; margin: 18mm 16mm 20mm;
  @bottom-right { content: ${footerContent(pageFooter)}; font: 8pt ${fonts}; color: #616e7c; } }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; background: #eef1f5; color: #1f2933; font: 14px/1.6 ${fonts}; }
.report { max-width: 860px; margin: 24px auto; padding: 40px 48px; background: #fff; box-shadow: 0 1px 4px rgba(31, 41, 51, 0.12); }
.title-block { border-bottom: 1px solid #d5dbe3; padding-bottom: 16px; margin-bottom: 8px; }
.title-block::before { content: ""; display: block; width: 48px; height: 5px; background: ${primary}; margin-bottom: 18px; }
h1 { font-size: 30px; line-height: 1.3; margin: 0 0 6px; }
.subtitle { font-size: 15px; color: #616e7c; margin: 0; }
.generated { font-size: 12px; color: #616e7c; margin: 2px 0 0; }
h2 { font-size: 19px; color: ${primary}; margin: 32px 0 14px; padding-bottom: 6px; border-bottom: 1px solid #d5dbe3; break-after: avoid; }
p { margin: 0 0 12px; }
.metrics { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: 12px; margin: 0 0 16px; break-inside: avoid; }
.metric { background: #f4f6f9; border-left: 4px solid ${primary}; padding: 12px 14px; }
.metric .label { font-size: 12px; color: #616e7c; }
.metric .value { font-size: 28px; font-weight: 700; line-height: 1.3; font-variant-numeric: tabular-nums; }
.metric .note { font-size: 12px; color: #616e7c; }
.metric .note.tone-good { color: ${good}; }
.metric .note.tone-bad { color: #b42318; }
.chart { margin: 0 0 20px; break-inside: avoid; }
.chart figcaption { font-weight: 700; font-size: 14px; margin-bottom: 4px; }
.chart svg { display: block; width: 100%; height: auto; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; font-size: 12px; margin: 0 0 6px; border-bottom: 1px solid #d5dbe3; }
thead { display: table-header-group; }
th { background: ${primary}; color: #fff; font-weight: 700; text-align: left; padding: 6px 8px; }
td { padding: 5px 8px; vertical-align: top; overflow-wrap: anywhere; }
tbody tr:nth-child(even) td { background: #f4f6f9; }
tr { break-inside: avoid; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.table-note { font-size: 12px; color: #616e7c; margin-bottom: 16px; }
@media print {
  body { background: #fff; font-size: 10pt; }
  .report { max-width: none; margin: 0; padding: 0; box-shadow: none; }
}
`;
}
