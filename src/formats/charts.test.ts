import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { escapeXml, niceTicks, renderChartSvg, textWidth } from './charts.ts';
import type { Chart } from './report-document.ts';

const size = { width: 600, height: 240, fontFamily: '"Noto Sans SC", sans-serif' };

interface ParsedSvg {
  root: string;
  texts: string[];
  rect: Record<string, string>[];
  path: Record<string, string>[];
  circle: Record<string, string>[];
  polyline: Record<string, string>[];
}

// Python's XML parser is the judge of well-formedness: it fails on anything unescaped or unbalanced.
const PARSE = `
import json, sys, xml.dom.minidom as minidom
out = []
for svg in json.load(sys.stdin):
    doc = minidom.parseString(svg)
    elements = lambda tag: [dict(e.attributes.items()) for e in doc.getElementsByTagName(tag)]
    texts = [''.join(n.data for n in e.childNodes if n.nodeType == n.TEXT_NODE) for e in doc.getElementsByTagName('text')]
    out.append({'root': doc.documentElement.tagName, 'texts': texts, 'rect': elements('rect'),
                'path': elements('path'), 'circle': elements('circle'), 'polyline': elements('polyline')})
print(json.dumps(out))
`;
const python = spawnSync('python3', ['--version']).error === undefined;
const needsPython = python
  ? {}
  : { skip: 'python3 is not installed (it checks that the SVG is well-formed XML)' };

function parse(...svgs: string[]): ParsedSvg[] {
  const result = spawnSync('python3', ['-c', PARSE], { input: JSON.stringify(svgs), encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as ParsedSvg[];
}

function only(parsed: ParsedSvg[]): ParsedSvg {
  const [first] = parsed;
  assert.ok(first);
  return first;
}

/** Bars are the rects that are not 10×10 legend swatches. */
function bars(svg: ParsedSvg): { height: number; y: number; fill: string }[] {
  return svg.rect
    .filter((rect) => rect.width !== '10')
    .map((rect) => ({ height: Number(rect.height), y: Number(rect.y), fill: rect.fill ?? '' }));
}

test('every kind of chart, including odd data, is well-formed SVG of the requested size', needsPython, () => {
  const charts: Chart[] = [
    { type: 'bar', categories: ['a', 'b'], series: [{ name: 's', values: [1, 2] }] },
    {
      type: 'bar',
      categories: ['a', 'b'],
      series: [
        { name: 's', values: [1, 2] },
        { name: 't', values: [3, 4] },
      ],
      stacked: true,
    },
    { type: 'line', categories: ['a', 'b', 'c'], series: [{ name: 's', values: [1, Number.NaN, 3] }] },
    {
      type: 'donut',
      slices: [
        { label: 'x', value: 3 },
        { label: 'y', value: 1 },
      ],
      centerLabel: '4\ntotal',
    },
    { type: 'bar', categories: [], series: [] },
    { type: 'line', categories: ['a'], series: [{ name: 's', values: [] }] },
    { type: 'bar', categories: ['a', 'b'], series: [{ name: 's', values: [0, 0] }] },
    { type: 'bar', categories: ['a', 'b'], series: [{ name: 's', values: [-5, 10] }] },
    { type: 'donut', slices: [] },
    { type: 'donut', slices: [{ label: 'all', value: 7 }] },
  ];
  const parsed = parse(...charts.map((chart) => renderChartSvg(chart, size)));
  assert.equal(parsed.length, charts.length);
  for (const svg of parsed) assert.equal(svg.root, 'svg');
  assert.match(
    renderChartSvg(charts[0] as Chart, size),
    /^<svg [^>]*width="600" height="240" viewBox="0 0 600 240"/,
  );
});

test('labels are escaped and read back unchanged; control characters are dropped', needsPython, () => {
  const nasty = `<b>&"quoted" 'x'</b>`;
  const svg = renderChartSvg(
    {
      type: 'bar',
      categories: [nasty],
      series: [
        { name: nasty, values: [1] },
        { name: 'b\u0001', values: [2] },
      ],
    },
    { ...size, fontFamily: `"Noto" <&>` },
  );
  assert.doesNotMatch(svg, /<b>/);
  assert.match(svg, /&#60;b&#62;&#38;&#34;quoted&#34; &#39;x&#39;&#60;\/b&#62;/);
  const { texts } = only(parse(svg));
  assert.ok(texts.includes(nasty), `a label reads "${nasty}": ${JSON.stringify(texts)}`);
  assert.ok(texts.includes('b'));
  assert.equal(escapeXml('a\u0000b\u001Fc\td'), 'abc\td');
});

test('bar heights are proportional to the values; stacks add up', needsPython, () => {
  const grouped = only(
    parse(
      renderChartSvg(
        { type: 'bar', categories: ['a', 'b', 'c'], series: [{ name: 's', values: [10, 20, 40] }] },
        size,
      ),
    ),
  );
  const [a, b, c] = bars(grouped).map((bar) => bar.height);
  assert.ok(a && b && c);
  assert.ok(Math.abs(b / a - 2) < 0.01 && Math.abs(c / a - 4) < 0.01, `heights ${a}, ${b}, ${c}`);
  assert.deepEqual(grouped.texts.slice(-3), ['10', '20', '40'], 'values above the bars');

  const stacked = only(
    parse(
      renderChartSvg(
        {
          type: 'bar',
          categories: ['a', 'b'],
          series: [
            { name: 'high', values: [3, 0], color: '#ff0000' },
            { name: 'low', values: [1, 8], color: '#0000ff' },
          ],
          stacked: true,
        },
        size,
      ),
    ),
  );
  const segments = bars(stacked);
  assert.deepEqual(
    segments.map((s) => s.fill),
    ['#ff0000', '#0000ff', '#0000ff'],
    'a zero segment is not drawn',
  );
  const [high, low, tall] = segments;
  assert.ok(high && low && tall);
  assert.ok(Math.abs(high.height / low.height - 3) < 0.01);
  assert.ok(Math.abs(tall.height / (high.height + low.height) - 2) < 0.01);
  assert.ok(Math.abs(low.y + low.height - high.y) < 0.02, 'the second segment sits on the first');
  assert.ok(
    stacked.texts.includes('high') && stacked.texts.includes('4') && stacked.texts.includes('8'),
    'legend and totals',
  );
});

test('empty and zero data draw an axis or an empty ring, without bars or NaN', needsPython, () => {
  const svgs = [
    renderChartSvg({ type: 'bar', categories: [], series: [] }, size),
    renderChartSvg({ type: 'bar', categories: ['a'], series: [{ name: 's', values: [0] }] }, size),
    renderChartSvg({ type: 'donut', slices: [{ label: 'none', value: 0 }] }, size),
  ];
  for (const svg of svgs) assert.doesNotMatch(svg, /NaN|Infinity|undefined/);
  const [empty, zero, ring] = parse(...svgs);
  assert.ok(empty && zero && ring);
  assert.equal(bars(empty).length, 0);
  assert.deepEqual(empty.texts, ['0', '1'], 'a 0–1 axis');
  assert.equal(bars(zero).length, 0);
  assert.equal(ring.path.length, 0);
  assert.equal(ring.circle.length, 1, 'a grey ring');
  assert.ok(ring.texts.includes('–'), 'no share without a total');
});

test('a line chart breaks at missing values; a donut has one path per non-zero slice', needsPython, () => {
  const line = only(
    parse(
      renderChartSvg(
        {
          type: 'line',
          categories: ['a', 'b', 'c', 'd', 'e'],
          series: [{ name: 's', values: [1, 2, Number.NaN, 4, 5] }],
        },
        size,
      ),
    ),
  );
  assert.equal(line.polyline.length, 2);
  assert.equal(line.circle.length, 4);
  const donut = only(
    parse(
      renderChartSvg(
        {
          type: 'donut',
          slices: [
            { label: 'a', value: 1 },
            { label: 'b', value: 0 },
            { label: 'c', value: 3 },
          ],
          centerLabel: '4',
        },
        size,
      ),
    ),
  );
  assert.equal(donut.path.length, 2);
  assert.ok(donut.texts.includes('25.0%') && donut.texts.includes('75.0%') && donut.texts.includes('0.0%'));
});

test('the same chart gives the same bytes', () => {
  const chart: Chart = {
    type: 'line',
    categories: ['周一', '周二'],
    series: [{ name: '新增', values: [1 / 3, 2 / 3] }],
  };
  assert.equal(renderChartSvg(chart, size), renderChartSvg(structuredClone(chart), size));
  assert.doesNotMatch(renderChartSvg(chart, size), /\d\.\d{3}/, 'coordinates rounded to 0.01');
});

test('nice ticks are round, cover the data and stay whole for counts', () => {
  assert.deepEqual(niceTicks(0, 197, true), [0, 50, 100, 150, 200]);
  assert.deepEqual(niceTicks(0, 3, true), [0, 1, 2, 3]);
  assert.deepEqual(niceTicks(0, 0, true), [0, 1]);
  assert.deepEqual(niceTicks(0, 0.7, false), [0, 0.2, 0.4, 0.6, 0.8]);
  assert.deepEqual(niceTicks(-5, 10, true), [-5, 0, 5, 10]);
  assert.deepEqual(niceTicks(0, 1_234_567, true), [0, 250_000, 500_000, 750_000, 1_000_000, 1_250_000]);
});

test('text width estimates make CJK characters wider than Latin ones', () => {
  assert.ok(textWidth('漏洞', 10) > 1.5 * textWidth('ab', 10));
  assert.ok(textWidth('Windows', 10) > textWidth('illicit', 10));
});
