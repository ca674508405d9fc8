/**
 * `npm run bench -- report-data [VULNS]`: collectReportData over a demo fleet
 * of VULNS findings (default 1,000,000 on 100,000 hosts, with 2,000 local
 * images), for a 30-day period, for all hosts and for the "production" group,
 * on SQLite and on a throw-away PostgreSQL; and the whole PDF rendering (data,
 * template, PDF) for all hosts. The baseline, in the same run and
 * on the same data: a plain `SELECT COUNT(*)` over the tenant's findings.
 * Each case runs in a child process of its own, so peak RSS is per case: one
 * warm-up run, then RUNS timed runs, of which the median is shown.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, openApp } from '../src/cli/config.ts';
import type { AppContext } from '../src/services/context.ts';
import { generateDemoData } from '../src/services/demo-data.ts';
import { bootstrapRootTenant, resolveTenant } from '../src/services/identity.ts';
import { collectReportData } from '../src/services/reports/report-data.ts';
import { writeReport } from '../src/services/reports/report-task.ts';
import { recentDaysReport } from '../src/domain/reports.ts';
import { startPostgres } from '../test/support/postgres-server.ts';

const DAY = 86_400_000;
/** The demo fleet's clock, fixed so that every run reports on the same findings. */
const NOW = Date.UTC(2025, 4, 31, 16); // 2025-06-01 00:00 at UTC+8, the zone reported in
const UTC_OFFSET_MINUTES = 480;
const PERIOD = { from: NOW - 30 * DAY, to: NOW };
const GROUP = 'production';
const RUNS = 3;
const PDF_DEFINITION = recentDaysReport('安全月报', 'zh', 30);
/** `pdf-all`: the whole rendering ExportCustomizeReport does — data, template, PDF written to a file. */
const CASES = ['count', 'report-all', 'report-group', 'pdf-all'] as const;
type CaseName = (typeof CASES)[number];
const NODE_FLAGS = ['--max-semi-space-size=8'];

interface CaseResult {
  /** Wall time of each timed run. */
  ms: number[];
  maxRssMiB: number;
  /** What the case found, to show the work was done. */
  summary: string;
}

function openBenchApp(databaseUrl: string, dataDir: string): Promise<AppContext> {
  const env = {
    PARAPET_DATA_DIR: dataDir,
    PARAPET_DATABASE_URL: databaseUrl,
    PARAPET_SERVER_KEY: 'a'.repeat(64),
  };
  return openApp(loadConfig({}, env));
}

async function runCase(name: CaseName, databaseUrl: string, dir: string): Promise<void> {
  const app = await openBenchApp(databaseUrl, dir);
  const tenantId = (await resolveTenant(app, undefined)).id;
  const group = await app.db.get<{ id: number }>(
    'SELECT id FROM host_groups WHERE tenant_id = ? AND name = ?',
    [tenantId, GROUP],
  );
  const run = async (): Promise<string> => {
    if (name === 'count') {
      const row = await app.db.get<{ n: number }>(
        'SELECT COUNT(*) AS n FROM vulnerabilities WHERE tenant_id = ?',
        [tenantId],
      );
      return `${row?.n} findings`;
    }
    if (name === 'pdf-all') {
      const file = join(dir, 'report.pdf');
      const output = createWriteStream(file);
      await writeReport(
        app,
        tenantId,
        { definition: PDF_DEFINITION, format: 'PDF', period: PERIOD, utcOffsetMinutes: UTC_OFFSET_MINUTES },
        output,
      );
      await finished(output);
      return `${(statSync(file).size / 1024).toFixed(0)} KB PDF`;
    }
    const scope = { groupIds: name === 'report-group' ? [group!.id] : [] };
    const data = await collectReportData(app, tenantId, {
      period: PERIOD,
      scope,
      utcOffsetMinutes: UTC_OFFSET_MINUTES,
    });
    return (
      `${data.hosts.total} hosts, ${data.open.total} open, ${data.appendix.total} names, ` +
      `risk ${data.risk.current}, ${data.trend.length} days`
    );
  };
  let summary = await run();
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    summary = await run();
    ms.push(performance.now() - started);
  }
  await app.db.close();
  const result: CaseResult = { ms, maxRssMiB: process.resourceUsage().maxRSS / 1024, summary };
  console.log(JSON.stringify(result));
}

async function prepare(label: string, databaseUrl: string, vulns: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'parapet-bench-prepare-'));
  const app = await openBenchApp(databaseUrl, dir);
  await bootstrapRootTenant(app, undefined);
  const tenantId = (await resolveTenant(app, undefined)).id;
  const started = performance.now();
  const hosts = Math.ceil(vulns / 10);
  await generateDemoData(app.db, { tenantId, hosts, vulns, images: 2_000, seed: 1, now: NOW });
  // What autovacuum would have done by the time anyone reports on a fleet this size.
  if (app.db.dialect === 'postgres') await app.db.exec('VACUUM ANALYZE');
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`  (${label}: loaded ${vulns} findings on ${hosts} hosts in ${seconds} s)`);
  await app.db.close();
  rmSync(dir, { recursive: true, force: true });
}

function spawnCase(name: CaseName, databaseUrl: string, dir: string): CaseResult {
  const child = spawnSync(
    process.execPath,
    [...NODE_FLAGS, import.meta.filename, '--case', name, databaseUrl, dir],
    { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' },
  );
  if (child.status !== 0) throw new Error(`case ${name} failed with status ${child.status}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '') as CaseResult;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(vulns: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'parapet-bench-report-'));
  const postgres = await startPostgres();
  try {
    const databases = { sqlite: join(dir, 'bench.db'), postgres: postgres.url };
    for (const [label, url] of Object.entries(databases)) await prepare(label, url, vulns);
    console.log('database  case           median ms  runs ms              × count  peak RSS MB  result');
    for (const [label, url] of Object.entries(databases)) {
      let baseline = 0;
      for (const name of CASES) {
        const caseDir = mkdtempSync(join(dir, `${name}-`));
        const result = spawnCase(name, url, caseDir);
        rmSync(caseDir, { recursive: true, force: true });
        const ms = median(result.ms);
        if (name === 'count') baseline = ms;
        const runs = result.ms.map((t) => t.toFixed(0)).join(' ');
        console.log(
          `${label.padEnd(9)} ${name.padEnd(14)} ${ms.toFixed(0).padStart(9)}  ${runs.padEnd(20)} ` +
            `${(ms / baseline).toFixed(1).padStart(7)}  ${result.maxRssMiB.toFixed(0).padStart(11)}  ${result.summary}`,
        );
      }
    }
  } finally {
    postgres.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const args = process.argv.slice(2);
if (args[0] === '--case') {
  const [, name = '', databaseUrl = '', dir = ''] = args;
  await runCase(name as CaseName, databaseUrl, dir);
} else {
  await main(Number(args[0] ?? 1_000_000));
}
