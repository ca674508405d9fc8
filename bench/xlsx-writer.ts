/**
 * `npm run bench -- xlsx-writer [ROWS] [CASE…]`: writes ROWS synthetic
 * vulnerability rows (default 1,000,000 × 16 columns) with Parapet's xlsx
 * writer, exceljs's streaming WorkbookWriter and plain CSV (or only the
 * CASEs named), each in a child process of its own so that peak RSS is per case.
 * Wall time includes generating the rows, the same work in every case; exceljs
 * deflates at level 1 like Parapet's writer, so that the two are compared fairly.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeXlsxWriter } from '../src/formats/xlsx-writer.ts';
import {
  syntheticColumns,
  syntheticRows,
  writeCsv,
  writeWithExcelJs,
  type BaselineOptions,
  type RowBatches,
} from './support/baselines.ts';

const CASES = {
  'parapet-xlsx': writeWithParapet,
  'exceljs-stream': writeWithExcelJs,
  csv: writeCsv,
} satisfies Record<string, (file: string, batches: RowBatches, options: BaselineOptions) => Promise<number>>;
type CaseName = keyof typeof CASES;

interface CaseResult {
  rows: number;
  seconds: number;
  maxRssMiB: number;
  fileMiB: number;
}

async function writeWithParapet(
  file: string,
  batches: RowBatches,
  options: BaselineOptions,
): Promise<number> {
  const offset = options.utcOffsetMinutes ?? 0;
  const writer = makeXlsxWriter({
    ...options,
    output: createWriteStream(file),
    utcOffsetMinutes: () => offset,
  });
  for await (const batch of batches) await writer.writeRows(batch);
  return (await writer.finish()).rows;
}

function isCase(name: string): name is CaseName {
  return Object.hasOwn(CASES, name);
}

/** In the child: one case, its result as a JSON line on stdout. */
async function runCase(name: CaseName, rows: number, file: string): Promise<void> {
  const options = { columns: syntheticColumns, sheetName: 'Vulnerabilities', utcOffsetMinutes: 480 };
  const started = performance.now();
  const written = await CASES[name](file, syntheticRows(rows), options);
  const result: CaseResult = {
    rows: written,
    seconds: (performance.now() - started) / 1000,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    fileMiB: statSync(file).size / 2 ** 20,
  };
  console.log(JSON.stringify(result));
}

function spawnCase(name: CaseName, rows: number, dir: string): CaseResult {
  const file = join(dir, `${name}.${name === 'csv' ? 'csv' : 'xlsx'}`);
  // Every case runs with the V8 flag Parapet's own processes run with (bin/parapet.js).
  const child = spawnSync(
    process.execPath,
    ['--max-semi-space-size=8', import.meta.filename, '--case', name, String(rows), file],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      encoding: 'utf8',
    },
  );
  if (child.status !== 0) throw new Error(`case ${name} failed with status ${child.status}`);
  rmSync(file, { force: true });
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as CaseResult;
}

const args = process.argv.slice(2);
if (args[0] === '--case') {
  const [, name = '', rows, file = ''] = args;
  if (!isCase(name)) throw new Error(`unknown case "${name}"`);
  await runCase(name, Number(rows), file);
} else {
  const rows = Number(args[0] ?? 1_000_000);
  const names = args.length > 1 ? args.slice(1) : Object.keys(CASES);
  const dir = mkdtempSync(join(tmpdir(), 'parapet-bench-xlsx-'));
  const results = new Map<string, CaseResult>();
  const cells = (values: readonly string[]): string =>
    values.map((v, i) => v.padStart(i === 0 ? 0 : 14)).join('');
  try {
    console.log(
      `${rows} rows × ${syntheticColumns.length} columns; load average ${loadavg()[0]!.toFixed(2)}`,
    );
    console.log(cells(['case          ', 'rows', 'wall s', 'rows/s', 'peak RSS MiB', 'file MiB']));
    for (const name of names) {
      if (!isCase(name)) throw new Error(`unknown case "${name}"; known: ${Object.keys(CASES).join(', ')}`);
      const result = spawnCase(name, rows, dir);
      results.set(name, result);
      console.log(
        cells([
          name.padEnd(14),
          String(result.rows),
          result.seconds.toFixed(1),
          String(Math.round(result.rows / result.seconds)),
          result.maxRssMiB.toFixed(0),
          result.fileMiB.toFixed(1),
        ]),
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const parapet = results.get('parapet-xlsx');
  const exceljs = results.get('exceljs-stream');
  if (parapet && exceljs) {
    console.log(
      `parapet-xlsx is ${(exceljs.seconds / parapet.seconds).toFixed(2)}× as fast as exceljs-stream`,
    );
  }
}
