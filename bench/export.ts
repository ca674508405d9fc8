/**
 * `npm run bench -- export [ROWS] [CASE…]`: a vulnerability export of about
 * ROWS findings (default 1,000,000; `Type=cve` of a demo fleet sized for it) end to end through the task engine — create →
 * succeeded, file stored — on SQLite and on a throw-away PostgreSQL, and, as
 * baselines in the same run, the same rows read from the same SQLite database
 * and written by exceljs's streaming writer, by Parapet's writer alone, and as
 * CSV; and the SQLite export again packaged as a .zip (the HSS download). Each case runs in a child process of its own, so peak RSS is per case.
 * The export cases poll the task while it runs, as DescribeVulExportInfo does,
 * and report how steadily its progress rose.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ExportPackaging, ExportSpec } from '../src/domain/exports.ts';
import { makeWorker, type Logger } from '../src/engine/index.ts';
import { makeXlsxWriter, type CellValue } from '../src/formats/xlsx-writer.ts';
import { loadConfig, openApp } from '../src/cli/config.ts';
import type { AppContext } from '../src/services/context.ts';
import { generateDemoData } from '../src/services/demo-data.ts';
import { localizeColumns } from '../src/services/exports/export-source.ts';
import { exportSource } from '../src/services/exports/export-task.ts';
import { describeExport, startExport } from '../src/services/exports/exports.ts';
import { bootstrapRootTenant, findUser, resolveTenant } from '../src/services/identity.ts';
import { makeTaskKinds } from '../src/services/task-kinds.ts';
import { startPostgres } from '../test/support/postgres-server.ts';
import { writeCsv, writeWithExcelJs, type BaselineOptions, type RowBatches } from './support/baselines.ts';

/** What a user exports most: the Linux software vulnerabilities (`ExportVul Type=cve`). */
const SPEC: ExportSpec = { source: 'vul', filter: { types: ['cve'] } };
/** The demo fleet's share of `cve` findings: the fleet is sized so that about ROWS of them are exported. */
const CVE_SHARE = 0.58;
const SERVER_KEY = 'a'.repeat(64);
const NODE_FLAGS = ['--max-semi-space-size=8'];
/** The worker's log, but for the export's own timings (write, hash, store). */
const quiet: Logger = {
  info: (message, fields) => {
    if (message === 'export stored') console.error(`  ${message} ${JSON.stringify(fields)}`);
  },
  warn() {},
  error: (message, fields) => console.error(`  ${message} ${JSON.stringify(fields)}`),
};

interface CaseResult {
  rows: number;
  seconds: number;
  maxRssMiB: number;
  fileMiB: number;
  /** Export cases: progress values seen while polling, in order. */
  progress?: number[];
}

function openBenchApp(databaseUrl: string, dataDir: string): Promise<AppContext> {
  const env = {
    PARAPET_DATA_DIR: dataDir,
    PARAPET_DATABASE_URL: databaseUrl,
    PARAPET_SERVER_KEY: SERVER_KEY,
  };
  return openApp(loadConfig({}, env));
}

async function rootCaller(app: AppContext) {
  const tenant = await resolveTenant(app, undefined);
  const principal = await findUser(app, tenant, 'root');
  return { tenant, principal, accessKeyId: 'bench', sourceIp: '127.0.0.1', secureTransport: false };
}

/** The export through the engine: an in-process worker runs it while this polls it. */
async function runExportCase(
  app: AppContext,
  packaging: ExportPackaging,
): Promise<Omit<CaseResult, 'maxRssMiB'>> {
  const worker = makeWorker({ db: app.db, kinds: makeTaskKinds(app), pollIntervalMs: 50, log: quiet });
  worker.start();
  const caller = await rootCaller(app);
  const started = performance.now();
  const { id } = await startExport(app, caller, SPEC, { lang: 'zh', packaging });
  const progress: number[] = [];
  for (;;) {
    const info = await describeExport(app, caller.tenant.id, id);
    progress.push(info.progress);
    if (info.status === 'succeeded') {
      const seconds = (performance.now() - started) / 1000;
      await worker.stop();
      const task = await app.db.get<{ size: number }>(
        'SELECT a.size FROM artifacts a JOIN tasks t ON t.id = a.task_id WHERE t.id = ?',
        [id],
      );
      return { rows: info.currentCount, seconds, fileMiB: Number(task?.size ?? 0) / 2 ** 20, progress };
    }
    if (info.status !== 'queued' && info.status !== 'running') {
      throw new Error(`export ended ${info.status}: ${info.message}`);
    }
    await sleep(200);
  }
}

/** The same cells the export writes, read the same way, for the writer-only cases. */
async function* exportPages(app: AppContext): AsyncGenerator<CellValue[][]> {
  const { tenant } = await rootCaller(app);
  const source = exportSource(SPEC);
  const { maxId } = await source.snapshot(app.db, tenant.id);
  yield* source.pages(app.db, tenant.id, maxId, 'zh');
}

async function writeWithParapet(
  file: string,
  batches: RowBatches,
  options: BaselineOptions,
): Promise<number> {
  const writer = makeXlsxWriter({
    columns: options.columns,
    sheetName: options.sheetName,
    output: createWriteStream(file),
  });
  for await (const batch of batches) await writer.writeRows(batch);
  return (await writer.finish()).rows;
}

const WRITERS = { 'exceljs-alone': writeWithExcelJs, 'parapet-writer': writeWithParapet, csv: writeCsv };
/** `export-sqlite-zip`: the same export packaged as HSS hands it out, a .zip holding the .xlsx. */
const CASES = ['export-sqlite', 'export-sqlite-zip', 'export-postgres', ...Object.keys(WRITERS)];

async function runCase(name: string, databaseUrl: string, dir: string): Promise<void> {
  const app = await openBenchApp(databaseUrl, dir);
  let result: Omit<CaseResult, 'maxRssMiB'>;
  if (name.startsWith('export-')) {
    result = await runExportCase(app, name.endsWith('-zip') ? 'zip' : 'xlsx');
  } else {
    const write = WRITERS[name as keyof typeof WRITERS];
    const source = exportSource(SPEC);
    const file = join(dir, `${name}.${name === 'csv' ? 'csv' : 'xlsx'}`);
    const started = performance.now();
    const rows = await write(file, exportPages(app), {
      columns: localizeColumns(source.columns, 'zh'),
      sheetName: source.sheetName.zh,
    });
    result = { rows, seconds: (performance.now() - started) / 1000, fileMiB: statSync(file).size / 2 ** 20 };
  }
  await app.db.close();
  console.log(JSON.stringify({ ...result, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
}

async function prepare(databaseUrl: string, rows: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'parapet-bench-prepare-'));
  const app = await openBenchApp(databaseUrl, dir);
  await bootstrapRootTenant(app, undefined);
  const { tenant } = await rootCaller(app);
  const started = performance.now();
  const vulns = Math.round(rows / CVE_SHARE);
  await generateDemoData(app.db, { tenantId: tenant.id, hosts: Math.ceil(vulns / 100), vulns, seed: 1 });
  console.log(`  (loaded ${vulns} findings in ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  await app.db.close();
  rmSync(dir, { recursive: true, force: true });
}

function spawnCase(name: string, databaseUrl: string, dir: string): CaseResult {
  // Every case runs with the V8 flag Parapet's own processes run with (bin/parapet.js).
  const child = spawnSync(
    process.execPath,
    [...NODE_FLAGS, import.meta.filename, '--case', name, databaseUrl, dir],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      encoding: 'utf8',
    },
  );
  if (child.status !== 0) throw new Error(`case ${name} failed with status ${child.status}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '') as CaseResult;
}

function describeProgress(progress: number[] | undefined): string {
  if (!progress) return '';
  const steps = progress.slice(1).map((value, i) => value - (progress[i] ?? 0));
  const between = progress.filter((value) => value > 0 && value < 100).length;
  return `  progress: ${progress.length} polls, ${between} between 0 and 100, largest step ${Math.max(...steps)}`;
}

const args = process.argv.slice(2);
if (args[0] === '--case') {
  const [, name = '', databaseUrl = '', dir = ''] = args;
  await runCase(name, databaseUrl, dir);
} else {
  const rows = Number(args[0] ?? 1_000_000);
  const names = args.length > 1 ? args.slice(1) : CASES;
  for (const name of names)
    if (!CASES.includes(name)) throw new Error(`unknown case ${name}; known: ${CASES.join(', ')}`);
  const dir = mkdtempSync(join(tmpdir(), 'parapet-bench-export-'));
  const sqliteUrl = join(dir, 'bench.db');
  const postgres = names.includes('export-postgres') ? await startPostgres() : undefined;
  const results = new Map<string, CaseResult>();
  try {
    if (names.some((name) => name !== 'export-postgres')) await prepare(sqliteUrl, rows);
    if (postgres) await prepare(postgres.url, rows);
    console.log('case             rows       wall s   rows/s    peak RSS MB  file MB');
    for (const name of names) {
      const caseDir = mkdtempSync(join(dir, `${name}-`));
      const result = spawnCase(name, name === 'export-postgres' ? (postgres?.url ?? '') : sqliteUrl, caseDir);
      rmSync(caseDir, { recursive: true, force: true });
      results.set(name, result);
      console.log(
        `${name.padEnd(16)} ${String(result.rows).padEnd(10)} ${result.seconds.toFixed(1).padStart(6)}   ` +
          `${String(Math.round(result.rows / result.seconds)).padStart(7)}   ` +
          `${result.maxRssMiB.toFixed(0).padStart(11)}  ${result.fileMiB.toFixed(1).padStart(7)}` +
          describeProgress(result.progress),
      );
    }
  } finally {
    postgres?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const xlsx = results.get('export-sqlite');
  const zip = results.get('export-sqlite-zip');
  if (xlsx && zip) {
    console.log(
      `export-sqlite-zip takes ${(zip.seconds / xlsx.seconds).toFixed(2)}× the time of export-sqlite`,
    );
  }
  const exceljs = results.get('exceljs-alone');
  for (const name of ['export-sqlite', 'export-postgres']) {
    const result = results.get(name);
    if (result && exceljs) {
      console.log(`${name} is ${(exceljs.seconds / result.seconds).toFixed(2)}× as fast as exceljs-alone`);
    }
  }
}
