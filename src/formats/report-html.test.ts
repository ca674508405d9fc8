import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeSampleReport } from '../../test/support/report-samples.ts';
import type { ReportDocument } from './report-document.ts';
import { renderReportHtml } from './report-html.ts';

const EVIL = `<script>alert("x&y")</script>`;
const ESCAPED = '&#60;script&#62;alert(&#34;x&#38;y&#34;)&#60;/script&#62;';

function evilReport(): ReportDocument {
  return {
    lang: 'en',
    title: EVIL,
    subtitle: EVIL,
    generatedAt: EVIL,
    pageFooter: `"; } </style>${EVIL} {page}/{pages}`,
    sections: [
      {
        heading: EVIL,
        blocks: [
          { kind: 'paragraph', text: `${EVIL}\nsecond line` },
          { kind: 'metrics', items: [{ label: EVIL, value: EVIL, note: EVIL, tone: 'bad' }] },
          {
            kind: 'chart',
            title: EVIL,
            chart: { type: 'bar', categories: [EVIL], series: [{ name: EVIL, values: [1] }] },
          },
          { kind: 'table', columns: [{ header: EVIL }], rows: [[EVIL]], note: EVIL },
        ],
      },
    ],
  };
}

test('a zh report is a complete page in Chinese with every section, metric, chart and row', () => {
  const doc = makeSampleReport('zh');
  const html = renderReportHtml(doc);
  assert.match(html, /^<!DOCTYPE html>\n<html lang="zh-CN">/);
  assert.match(html, /<meta charset="utf-8">/);
  assert.match(html, /<title>安全周报<\/title>/);
  assert.match(html, /<h1>安全周报<\/h1>/);
  for (const section of doc.sections)
    assert.ok(html.includes(`<h2>${section.heading}</h2>`), section.heading);
  assert.equal(html.match(/<section>/g)?.length, doc.sections.length);
  assert.equal(html.match(/<div class="metric"/g)?.length, 4);
  assert.equal(html.match(/<figure class="chart">\n<figcaption>[^<]+<\/figcaption>\n<svg /g)?.length, 3);
  assert.equal(html.match(/<tr>/g)?.length, 1 + 300, 'header and 300 rows');
  assert.match(
    html,
    /<td>生产-Web服务器-0300<\/td><td>10\.1\.49\.93<\/td><td>Alibaba Cloud Linux 3<\/td><td class="num">5<\/td>/,
  );
  assert.match(html, /<th class="num">高危<\/th>/, 'numeric columns are right-aligned');
  assert.match(html, /font: 14px\/1\.6 "Noto Sans SC", "PingFang SC", "Microsoft YaHei"/);
  assert.match(html, /content: "第 " counter\(page\) " 页，共 " counter\(pages\) " 页"/);
});

test('an en report says lang="en" and puts a Latin font first', () => {
  const html = renderReportHtml(makeSampleReport('en', { tableRows: 3 }));
  assert.match(html, /<html lang="en">/);
  assert.match(html, /<h2>Vulnerability trends<\/h2>/);
  assert.match(html, /font: 14px\/1\.6 "Noto Sans", /);
  assert.equal(html.match(/<tr>/g)?.length, 1 + 3);
});

test('all text is escaped, in the body, the charts and the page footer', () => {
  const html = renderReportHtml(evilReport());
  assert.doesNotMatch(html, /<script/i);
  assert.equal(html.match(/<\/style>/g)?.length, 1, 'the footer cannot close the stylesheet');
  // title, h1, subtitle, generatedAt, h2, paragraph, metric ×3, figcaption, category label, th, td, note
  assert.equal(html.split(ESCAPED).length - 1, 14);
  assert.match(html, /second line/);
  assert.match(html, /&#60;script&#62;alert\(&#34;x&#38;y&#34;\)&#60;\/script&#62;<br>second line/);
});

test('the page is self-contained: no scripts, links, images or URLs', () => {
  for (const html of [
    renderReportHtml(makeSampleReport('zh', { tableRows: 5 })),
    renderReportHtml(evilReport()),
  ]) {
    assert.doesNotMatch(html, /\b(src|href)\s*=|url\(|@import|<link|<img|<iframe|<object/i);
    const urls = html.match(/\b[a-z]+:\/\/[^\s"'<>]+/gi) ?? [];
    assert.deepEqual([...new Set(urls)], ['http://www.w3.org/2000/svg'], 'only the SVG namespace name');
  }
});

test('print rules: A4 pages, headings kept with their content, rows and charts not split', () => {
  const html = renderReportHtml(makeSampleReport('en', { tableRows: 1 }));
  assert.match(html, /@page \{ size: A4;/);
  assert.match(html, /h2 \{[^}]*break-after: avoid/);
  assert.match(html, /tr \{ break-inside: avoid; \}/);
  assert.match(html, /\.chart \{[^}]*break-inside: avoid/);
  assert.match(html, /thead \{ display: table-header-group; \}/);
});
