import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { makeSampleReport } from '../../test/support/report-samples.ts';
import { testStateDir } from '../../test/support/state-dir.ts';
import type { ReportDocument } from './report-document.ts';
import { renderReportPdf } from './report-pdf.ts';

const poppler =
  spawnSync('pdftotext', ['-v']).error === undefined && spawnSync('pdftoppm', ['-v']).error === undefined;
const needsPoppler = poppler ? {} : { skip: 'poppler-utils (pdftotext, pdftoppm, pdfinfo) is not installed' };
const dir = join(testStateDir(), 'report-pdf');

async function renderTo(name: string, doc: ReportDocument): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  await renderReportPdf(doc, createWriteStream(file), { creationDate: new Date('2025-06-09T00:00:00Z') });
  return file;
}

function pdfText(file: string, ...args: string[]): string {
  return execFileSync('pdftotext', [...args, file, '-'], { encoding: 'utf8' });
}

/** pdfinfo's fields, e.g. Pages, Title. */
function pdfInfo(file: string): Record<string, string> {
  const info: Record<string, string> = {};
  for (const line of execFileSync('pdfinfo', [file], { encoding: 'utf8' }).split('\n')) {
    const match = /^([^:]+):\s*(.*)$/.exec(line);
    if (match?.[1] && match[2] !== undefined) info[match[1]] = match[2];
  }
  return info;
}

test('a PDF is written and the stream ended, even without poppler', async () => {
  const file = await renderTo('minimal.pdf', { ...makeSampleReport('en', { tableRows: 0 }), sections: [] });
  const bytes = readFileSync(file);
  assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
  assert.match(bytes.subarray(-8).toString(), /%%EOF\s*$/);
});

test(
  'a zh report: Chinese text, headings, numbers and footer extract; the long table flows over pages',
  needsPoppler,
  async () => {
    const doc = makeSampleReport('zh');
    const file = await renderTo('report-zh.pdf', doc);
    const info = pdfInfo(file);
    assert.equal(info.Title, '安全周报');
    assert.equal(info['Page size'], '595.28 x 841.89 pts (A4)');
    const pages = Number(info.Pages);
    assert.ok(pages > 3, `${pages} pages`);

    const text = pdfText(file);
    for (const expected of [
      '安全周报',
      '2025年6月2日 – 2025年6月8日 · 全部主机（128 台）',
      '概览',
      '漏洞趋势',
      '主机明细',
      '修复率',
      '71.0%',
      '较上周 −112',
      '按紧急程度',
      '周一',
      '1,284',
      '75.6%',
      '生产-Web服务器-0001',
      '生产-Web服务器-0300',
      '仅列出存在未处理漏洞的主机。',
      `第 1 页，共 ${pages} 页`,
      `第 ${pages} 页，共 ${pages} 页`,
    ]) {
      assert.ok(text.includes(expected), `"${expected}" in the text`);
    }
    // The header row is repeated on every page the table continues on.
    const lastPage = pdfText(file, '-f', String(pages), '-l', String(pages));
    assert.match(lastPage, /主机名称/);
    assert.equal(text.match(/主机名称/g)?.length, pages - 1, 'the table starts on page 2');
    // Each row's figures (row i: i % 7, 3i % 11, i % 5) come out on its line, right-aligned columns included.
    const layout = pdfText(file, '-layout');
    assert.match(layout, /生产-Web服务器-0123\s+10\.0\.122\.104\s+Windows Server 2019\s+3\s+3\s+2\n/);
  },
);

test('an en report extracts too, and the first page renders to a PNG', needsPoppler, async () => {
  const file = await renderTo('report-en.pdf', makeSampleReport('en'));
  const text = pdfText(file);
  for (const expected of [
    'Weekly security report',
    'Overview',
    'Fix rate',
    'prod-web-server-0300',
    'Page 1 of',
  ]) {
    assert.ok(text.includes(expected), `"${expected}" in the text`);
  }
  const prefix = join(dir, 'report-en-page');
  execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', '-singlefile', file, prefix]);
  const png = readFileSync(`${prefix}.png`);
  assert.deepEqual(
    [...png.subarray(0, 8)],
    [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    'PNG signature',
  );
  // A4 at 60 dpi is 496 × 702 px; a page with text and a chart compresses to tens of kB, a blank one to ~2 kB.
  assert.ok(Math.abs(png.readUInt32BE(16) - 496) <= 1, `width ${png.readUInt32BE(16)}`);
  assert.ok(Math.abs(png.readUInt32BE(20) - 702) <= 1, `height ${png.readUInt32BE(20)}`);
  assert.ok(statSync(`${prefix}.png`).size > 15_000, `${statSync(`${prefix}.png`).size} bytes`);
});

test(
  'characters outside the Simplified Chinese cut come from other Noto Sans SC slices',
  needsPoppler,
  async () => {
    // Traditional hanzi, Cyrillic and an arrow are in other slices; Latin-1 is in the main cut.
    const rare = '掃描報告 · сервер → ünïcode';
    const doc: ReportDocument = {
      ...makeSampleReport('zh', { tableRows: 2 }),
      sections: [
        {
          heading: '繁體標題',
          blocks: [
            { kind: 'paragraph', text: rare },
            { kind: 'table', columns: [{ header: '主機' }], rows: [[rare]] },
          ],
        },
      ],
    };
    const file = await renderTo('fallback-fonts.pdf', doc);
    const text = pdfText(file);
    assert.ok(text.includes('繁體標題'));
    assert.equal(text.split(rare).length - 1, 2, 'paragraph and cell');
    const fonts = execFileSync('pdffonts', [file], { encoding: 'utf8' });
    assert.ok(fonts.trim().split('\n').length - 2 > 3, `fallback fonts embedded:\n${fonts}`);
  },
);

test(
  'long cells wrap inside their column; a very long one is cut with an ellipsis',
  needsPoppler,
  async () => {
    const long = '这是一个很长的漏洞描述，'.repeat(80);
    const file = await renderTo('long-cells.pdf', {
      ...makeSampleReport('zh', { tableRows: 0 }),
      sections: [
        {
          heading: '长文本',
          blocks: [
            {
              kind: 'table',
              columns: [
                { header: '描述', weight: 3 },
                { header: '数量', align: 'right' },
              ],
              rows: [
                [long, '42'],
                ['a-very-long-token-without-any-spaces-'.repeat(4), '7'],
              ],
            },
          ],
        },
      ],
    });
    const text = pdfText(file);
    assert.ok(text.includes('…'));
    assert.ok(text.includes('42') && text.includes('7'));
    assert.ok(!text.includes(long), 'not all 80 repetitions');
  },
);

test('an error of the output stream rejects the promise', async () => {
  const failing = new Writable({
    write(_chunk, _encoding, callback) {
      callback(new Error('disk full'));
    },
  });
  await assert.rejects(renderReportPdf(makeSampleReport('en', { tableRows: 5 }), failing), /disk full/);
});
