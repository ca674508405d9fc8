import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import ExcelJS from 'exceljs';
import { makeXlsxWriter, type CellValue, type XlsxColumn, type XlsxWriterOptions } from './xlsx-writer.ts';

const EIGHT_HOURS = 480;
const columns: readonly XlsxColumn[] = [
  { header: 'Host & name', width: 24, type: 'text' },
  { header: 'Score', width: 8, type: 'number' },
  { header: 'First seen', width: 20, type: 'date' },
];

let dir: string;
let files = 0;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'parapet-xlsx-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes `rows` to a new file in one writeRows() call per batch; returns the path and finish()'s result. */
async function writeXlsx(
  batches: readonly (readonly CellValue[])[][],
  options: Partial<XlsxWriterOptions> = {},
): Promise<{ file: string; rows: number; sheets: number }> {
  const file = join(dir, `export-${++files}.xlsx`);
  const writer = makeXlsxWriter({
    columns,
    sheetName: 'Vulnerabilities',
    output: createWriteStream(file),
    utcOffsetMinutes: () => EIGHT_HOURS,
    ...options,
  });
  for (const batch of batches) await writer.writeRows(batch);
  return { file, ...(await writer.finish()) };
}

async function readXlsx(file: string): Promise<ExcelJS.Workbook> {
  return new ExcelJS.Workbook().xlsx.readFile(file);
}

/** The values of a row's first `count` cells, null where empty. */
function cells(row: ExcelJS.Row, count = columns.length): unknown[] {
  return Array.from({ length: count }, (_, i) => row.getCell(i + 1).value);
}

function sheetAt(workbook: ExcelJS.Workbook, index: number): ExcelJS.Worksheet {
  const sheet = workbook.worksheets[index];
  assert.ok(sheet, `sheet ${index} exists`);
  return sheet;
}

test('cells read back with their values and types; the header is bold and frozen, with the widths', async () => {
  const seen = Date.UTC(2024, 0, 2, 3, 4, 5, 678);
  const { file, rows, sheets } = await writeXlsx([
    [
      ['web-01', 9.8, seen],
      ['Ünïcødé 漢字 😀', -3, null],
    ],
    [[null, 0, undefined]],
  ]);
  assert.deepEqual({ rows, sheets }, { rows: 3, sheets: 1 });

  const sheet = sheetAt(await readXlsx(file), 0);
  assert.equal(sheet.name, 'Vulnerabilities');
  assert.equal(sheet.rowCount, 4);
  const header = sheet.getRow(1);
  assert.deepEqual(cells(header), ['Host & name', 'Score', 'First seen']);
  assert.equal(header.getCell(1).font?.bold, true);
  assert.deepEqual(
    sheet.columns.map((column) => column.width),
    [24, 8, 20],
  );
  assert.equal(sheet.views[0]?.state, 'frozen');
  assert.deepEqual(
    sheet.views[0] && { ySplit: sheet.views[0].ySplit, topLeftCell: sheet.views[0].topLeftCell },
    {
      ySplit: 1,
      topLeftCell: 'A2',
    },
  );
  assert.equal(sheet.autoFilter, 'A1:C4');

  const first = sheet.getRow(2);
  assert.equal(first.getCell(1).type, ExcelJS.ValueType.String);
  assert.equal(first.getCell(1).value, 'web-01');
  assert.equal(first.getCell(2).type, ExcelJS.ValueType.Number);
  assert.equal(first.getCell(2).value, 9.8);
  assert.equal(first.getCell(3).type, ExcelJS.ValueType.Date);
  // exceljs reads an Excel date as that wall-clock time in UTC.
  assert.deepEqual(first.getCell(3).value, new Date(seen + EIGHT_HOURS * 60_000));
  assert.equal(first.getCell(3).numFmt, 'yyyy-mm-dd hh:mm:ss');
  assert.deepEqual(cells(sheet.getRow(3)), ['Ünïcødé 漢字 😀', -3, null]);
  assert.deepEqual(cells(sheet.getRow(4)), [null, 0, null]);
});

test('a date takes the offset of its own instant', async () => {
  const winter = Date.UTC(2024, 0, 15, 12);
  const summer = Date.UTC(2024, 6, 15, 12);
  const { file } = await writeXlsx(
    [
      [
        [null, null, winter],
        [null, null, summer],
      ],
    ],
    {
      utcOffsetMinutes: (ms) => (ms < Date.UTC(2024, 2, 31) ? 60 : 120),
    },
  );
  const sheet = sheetAt(await readXlsx(file), 0);
  assert.deepEqual(sheet.getCell('C2').value, new Date(winter + 60 * 60_000));
  assert.deepEqual(sheet.getCell('C3').value, new Date(summer + 120 * 60_000));
});

test("by default a date is in the server's local zone", async () => {
  const seen = Date.UTC(2024, 6, 15, 12, 30);
  const file = join(dir, 'local-zone.xlsx');
  const writer = makeXlsxWriter({ columns, sheetName: 'S', output: createWriteStream(file) });
  await writer.writeRows([[null, null, seen]]);
  await writer.finish();
  const sheet = sheetAt(await readXlsx(file), 0);
  assert.deepEqual(sheet.getCell('C2').value, new Date(seen - new Date(seen).getTimezoneOffset() * 60_000));
});

test('text is escaped, keeps its edge spaces and never becomes a formula; non-finite numbers are empty', async () => {
  const texts = ['a&b<c>"d"', ' lead', 'trail ', '\tboth\n', 'line\r\nbreak', '=1+1', '+1', '-1', '@SUM(A1)'];
  const { file } = await writeXlsx([
    texts.map((text) => [text, 1, 0]),
    [
      [null, Number.NaN, Number.POSITIVE_INFINITY],
      [null, Number.NEGATIVE_INFINITY, Number.NaN],
    ],
  ]);
  const sheet = sheetAt(await readXlsx(file), 0);
  texts.forEach((text, i) => {
    const cell = sheet.getCell(`A${i + 2}`);
    assert.equal(cell.type, ExcelJS.ValueType.String, text);
    assert.equal(cell.value, text);
  });
  for (const address of ['B11', 'C11', 'B12', 'C12'])
    assert.equal(sheet.getCell(address).value, null, address);
});

test('characters illegal in XML are removed and a cell is cut at 32,767 characters, never inside a pair', async () => {
  const emoji = '😀';
  const atBoundary = 'a'.repeat(32_766) + emoji; // the pair would straddle the 32,767th character
  const { file } = await writeXlsx([
    [
      ['\u0001a\u0000b\uFFFEc\uD800d\uDC00e\uFFFF' + emoji, 1, 0],
      [atBoundary, 1, 0],
      ['é'.repeat(40_000), 1, 0],
      ['x'.repeat(32_767), 1, 0],
    ],
  ]);
  const sheet = sheetAt(await readXlsx(file), 0);
  assert.equal(sheet.getCell('A2').value, 'abcde' + emoji);
  assert.equal(sheet.getCell('A3').value, 'a'.repeat(32_766));
  assert.equal(sheet.getCell('A4').value, 'é'.repeat(32_767));
  assert.equal(sheet.getCell('A5').value, 'x'.repeat(32_767));
  assert.equal(sheet.getCell('B5').value, 1);
});

test('columns past Z are lettered AA, AB, …', async () => {
  const wide: XlsxColumn[] = Array.from({ length: 30 }, (_, i) => ({
    header: `H${i + 1}`,
    width: 10,
    type: 'text',
  }));
  const { file } = await writeXlsx([[wide.map((_, i) => `v${i + 1}`)]], { columns: wide });
  const sheet = sheetAt(await readXlsx(file), 0);
  assert.equal(sheet.getCell('Z2').value, 'v26');
  assert.equal(sheet.getCell('AA2').value, 'v27');
  assert.equal(sheet.getCell('AD1').value, 'H30');
  assert.equal(sheet.autoFilter, 'A1:AD2');
});

test('rows roll over to new sheets, each with the header; the workbook lists them all', async () => {
  const rows = Array.from({ length: 5 }, (_, i) => [`host-${i + 1}`, i + 1, null]);
  const { file, ...result } = await writeXlsx([rows.slice(0, 3), rows.slice(3)], { maxRowsPerSheet: 2 });
  assert.deepEqual(result, { rows: 5, sheets: 3 });

  const workbook = await readXlsx(file);
  assert.deepEqual(
    workbook.worksheets.map((sheet) => sheet.name),
    ['Vulnerabilities', 'Vulnerabilities (2)', 'Vulnerabilities (3)'],
  );
  const contents = workbook.worksheets.map((sheet) =>
    Array.from({ length: sheet.rowCount }, (_, i) => cells(sheet.getRow(i + 1), 2)),
  );
  assert.deepEqual(contents, [
    [
      ['Host & name', 'Score'],
      ['host-1', 1],
      ['host-2', 2],
    ],
    [
      ['Host & name', 'Score'],
      ['host-3', 3],
      ['host-4', 4],
    ],
    [
      ['Host & name', 'Score'],
      ['host-5', 5],
    ],
  ]);
  for (const sheet of workbook.worksheets) assert.equal(sheet.views[0]?.state, 'frozen');
});

test('sheet names are mended to what Excel accepts', async () => {
  const { file } = await writeXlsx(
    [
      [
        ['a', 1, 0],
        ['b', 2, 0],
      ],
    ],
    {
      sheetName: "'Vulns: [prod/eu]*? — a name longer than 31 characters'",
      maxRowsPerSheet: 1,
    },
  );
  const names = (await readXlsx(file)).worksheets.map((sheet) => sheet.name);
  assert.deepEqual(names, ['Vulns_ _prod_eu___ — a name lon', 'Vulns_ _prod_eu___ — a name (2)']);
});

test('an empty export is a header row', async () => {
  const { file, ...result } = await writeXlsx([]);
  assert.deepEqual(result, { rows: 0, sheets: 1 });
  const sheet = sheetAt(await readXlsx(file), 0);
  assert.equal(sheet.rowCount, 1);
  assert.deepEqual(cells(sheet.getRow(1)), ['Host & name', 'Score', 'First seen']);
});

test('abort rejects the pending writeRows and destroys the output', async () => {
  // An output that takes one write and never finishes it: backpressure soon makes writeRows wait.
  let written = 0;
  const output = new Writable({ write: () => void written++ });
  const writer = makeXlsxWriter({ columns, sheetName: 'Stuck', output });
  const rows = Array.from({ length: 50_000 }, (_, i) => [
    `host-${i}-${Math.random()}`,
    Math.random(),
    Date.now(),
  ]);
  let settled = false;
  const pending = writer.writeRows(rows).finally(() => (settled = true));
  while (written === 0) await new Promise((resolve) => setTimeout(resolve, 10));
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(settled, false, 'writeRows waits for the output');
  writer.abort(new Error('cancelled by the user'));
  await assert.rejects(pending, /cancelled by the user/);
  assert.equal(output.destroyed, true);
  await assert.rejects(writer.finish(), /cancelled by the user/);
  await assert.rejects(writer.writeRows([['x', 1, 0]]), /cancelled by the user/);
});

test('an output that fails makes writeRows or finish reject with its error', async () => {
  const output = createWriteStream(join(dir, 'no-such-dir', 'export.xlsx'));
  const writer = makeXlsxWriter({ columns, sheetName: 'S', output });
  await assert.rejects(
    (async () => {
      await writer.writeRows([['a', 1, 0]]);
      await writer.finish();
    })(),
    { code: 'ENOENT' },
  );
});

test('writeRows must be awaited before the next call', async () => {
  const writer = makeXlsxWriter({
    columns,
    sheetName: 'S',
    output: createWriteStream(join(dir, 'busy.xlsx')),
  });
  // Enough rows to fill a chunk, after which writeRows lets the event loop turn.
  const rows = Array.from({ length: 2_000 }, (_, i) => [`host-${i}`, i, 0]);
  const first = writer.writeRows(rows);
  await assert.rejects(writer.writeRows([['b', 2, 0]]), /previous writeRows/);
  await first;
  assert.deepEqual(await writer.finish(), { rows: 2_000, sheets: 1 });
});

const libreoffice = spawnSync('libreoffice', ['--version']).error ? 'libreoffice is not on PATH' : false;

test('LibreOffice opens the file and reads the same cells', { skip: libreoffice }, async () => {
  const seen = Date.UTC(2024, 0, 2, 3, 4, 5);
  const { file } = await writeXlsx(
    [
      [
        ['a, "quoted" & <b>', 1.5, seen],
        ['_x0041_ stays literal', -2, null],
        [' Ünïcødé 😀', null, seen],
        ['on the second sheet', 4, seen],
      ],
    ],
    { maxRowsPerSheet: 3 },
  );
  const outDir = await mkdtemp(join(dir, 'csv-'));
  // A profile of its own, so that concurrent conversions do not clash; 76 = UTF-8.
  const converted = spawnSync(
    'libreoffice',
    [
      `-env:UserInstallation=file://${join(outDir, 'profile')}`,
      '--headless',
      '--convert-to',
      'csv:Text - txt - csv (StarCalc):44,34,76',
      '--outdir',
      outDir,
      file,
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );
  assert.equal(converted.status, 0, converted.stderr);
  const csv = await readFile(
    join(
      outDir,
      file
        .split('/')
        .at(-1)!
        .replace(/\.xlsx$/, '.csv'),
    ),
    'utf8',
  );
  // Only the first sheet is converted.
  assert.equal(
    csv,
    'Host & name,Score,First seen\n' +
      '"a, ""quoted"" & <b>",1.5,2024-01-02 11:04:05\n' +
      '_x0041_ stays literal,-2,\n' +
      ' Ünïcødé 😀,,2024-01-02 11:04:05\n',
  );
});
