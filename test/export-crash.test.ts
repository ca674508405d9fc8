/**
 * A worker killed mid-export (SIGKILL) on each database: nothing is served
 * while the task is orphaned, another worker takes it over once the lease runs
 * out, and the one file that comes out is whole — every matching row once,
 * the bytes the artifacts row vouches for.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import ExcelJS from 'exceljs';
import { openDatabase, type Database } from '../src/persistence/database.ts';
import { dialects } from './support/databases.ts';
import {
  startParapet,
  startParapetWorker,
  type ParapetProcess,
  type ParapetWorkerProcess,
} from './support/parapet-process.ts';
import { makeSasClient, type SasClient } from './support/sas-clients.ts';

const LEASE_SECONDS = 3;
/** About 57k cve rows: an export of several seconds on a 2-core machine, so there is time to aim the kill. */
const FLEET = ['--hosts', '400', '--vulns', '100000', '--seed', '11'];
/**
 * The kill lands between these (in %). The lower bound is well above what an
 * attempt first reports (after its first pages, a few %), so the second
 * attempt's first reports are visibly below it: that is how the restart shows.
 */
const KILL_FROM = 20;
const KILL_BY = 80;

interface Sample {
  status: string;
  progress: number;
  current: number;
  /** Which worker was alive when the answer came. */
  phase: 'A' | 'B';
}

interface TaskRow {
  tenant_id: number;
  status: string;
  attempts: number;
  lease_owner: string | null;
}

interface ArtifactRow {
  sha256: string;
  size: number;
}

/** Polls DescribeVulExportInfo every 50 ms, recording each answer, until `done` holds. */
async function pollUntil(
  client: SasClient,
  id: number,
  samples: Sample[],
  phase: Sample['phase'],
  done: (info: Record<string, unknown>) => boolean,
  timeoutMs: number,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const info = await client.call('DescribeVulExportInfo', { ExportId: id });
    samples.push({
      status: String(info.ExportStatus),
      progress: Number(info.Progress),
      current: Number(info.CurrentCount),
      phase,
    });
    if (done(info)) return info;
    if (info.ExportStatus === 'success' || info.ExportStatus === 'failed') {
      throw new Error(`export ${id} ended before the expected state: ${JSON.stringify(info)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(
    `export ${id}: no expected state within ${timeoutMs} ms; last ${JSON.stringify(samples.at(-1))}`,
  );
}

/** Indexes i where samples[i] is lower than samples[i - 1]. */
function drops(values: number[]): number[] {
  return values.flatMap((value, i) => (i > 0 && value < (values[i - 1] ?? 0) ? [i] : []));
}

/**
 * Parses the workbook (exceljs's whole-file reader: its streaming reader hung
 * now and then under load); returns `uuid|name` of every data row, in order.
 */
async function readFindingKeys(body: Buffer): Promise<string[]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(body as unknown as ArrayBuffer);
  const keys: string[] = [];
  for (const sheet of workbook.worksheets) {
    sheet.eachRow((row) => {
      const values = row.values as unknown[]; // 1-based
      if (row.number === 1) {
        assert.equal(values[1], 'Host name', 'each sheet starts with the header row');
        return;
      }
      // Columns 4 and 7: host UUID and vulnerability ID (the name).
      keys.push(`${String(values[4])}|${String(values[7])}`);
    });
  }
  return keys;
}

/** Files in the task's directory of the local artifact store, if it exists. */
function storedFiles(parapet: ParapetProcess, tenantId: number, taskId: number): string[] {
  const dir = join(
    String(parapet.env.PARAPET_DATA_DIR),
    'artifacts',
    'tenants',
    `${tenantId}`,
    'tasks',
    `${taskId}`,
  );
  return existsSync(dir) ? readdirSync(dir) : [];
}

for (const dialect of dialects) {
  test(`a worker SIGKILLed mid-export is taken over after its lease; one whole file is served (${dialect})`, async () => {
    const serverKey = randomBytes(32).toString('hex');
    const parapet = await startParapet(dialect, import.meta.filename, {
      PARAPET_SERVE_WORKER: 'false',
      PARAPET_SERVER_KEY: serverKey,
    });
    // The workers share the node's data dir, so their temporary files are in its work
    // directory, where the test can see what a crash leaves.
    const tmpDir = join(String(parapet.env.PARAPET_DATA_DIR), 'tmp');
    const workerEnv = { ...parapet.env, PARAPET_TASK_LEASE_SECONDS: String(LEASE_SECONDS) };
    const workers: ParapetWorkerProcess[] = [];
    let db: Database | undefined;
    try {
      parapet.cli(['demo-data', ...FLEET]);
      db = await openDatabase({ url: parapet.databaseUrl });
      const a = await startParapetWorker(workerEnv);
      workers.push(a);
      const client = makeSasClient('openapi-v3', parapet.endpoint, parapet.rootKey);
      const started = await client.call('ExportVul', { Type: 'cve', Lang: 'en' });
      const id = Number(started.Id);
      const samples: Sample[] = [];

      const aimed = await pollUntil(
        client,
        id,
        samples,
        'A',
        (info) => info.ExportStatus === 'exporting' && Number(info.Progress) >= KILL_FROM,
        30_000,
      );
      assert.ok(Number(aimed.Progress) <= KILL_BY, `caught at ${String(aimed.Progress)} %: load more rows`);
      assert.equal(await a.kill('SIGKILL'), null, 'worker A died of the signal');

      const task = await db.get<TaskRow>('SELECT * FROM tasks WHERE id = ?', [id]);
      assert.ok(task);
      assert.deepEqual([task.status, task.attempts, task.lease_owner], ['running', 1, a.owner]);
      const orphaned = await client.call('DescribeVulExportInfo', { ExportId: id });
      assert.equal(orphaned.ExportStatus, 'exporting');
      assert.equal(orphaned.Link, undefined, 'no link while the task is orphaned');
      const artifactsWhileDead = await db.all('SELECT id FROM artifacts WHERE task_id = ?', [id]);
      assert.equal(artifactsWhileDead.length, 0, 'no artifacts row while the task is orphaned');
      assert.deepEqual(
        storedFiles(parapet, task.tenant_id, id).filter((name) => !/^\..*\.tmp$/.test(name)),
        [],
        'no finished object in the artifact store, at most a store temp file',
      );
      const tempDirs = () => readdirSync(tmpDir).filter((name) => name.startsWith(`parapet-export-${id}-`));
      assert.equal(tempDirs().length, 1, 'A was killed while writing its temporary file');

      const b = await startParapetWorker(workerEnv);
      workers.push(b);
      const info = await pollUntil(client, id, samples, 'B', (i) => i.ExportStatus === 'success', 40_000);

      const expectedKeys = (
        await db.all<{ uuid: string; name: string }>(
          `SELECT h.uuid, v.name FROM vulnerabilities v JOIN hosts h ON h.id = v.host_id
           WHERE v.tenant_id = ? AND v.type = 'cve'`,
          [task.tenant_id],
        )
      ).map((row) => `${row.uuid}|${row.name}`);
      assert.ok(expectedKeys.length > 50_000, `${expectedKeys.length} cve findings`);
      assert.equal(info.TotalCount, expectedKeys.length);
      assert.equal(info.CurrentCount, expectedKeys.length);
      assert.equal(info.Progress, 100);

      const finished = await db.get<TaskRow>('SELECT * FROM tasks WHERE id = ?', [id]);
      assert.deepEqual(
        [finished?.status, finished?.attempts, finished?.lease_owner],
        ['succeeded', 2, b.owner],
      );
      const artifacts = await db.all<ArtifactRow>('SELECT sha256, size FROM artifacts WHERE task_id = ?', [
        id,
      ]);
      assert.equal(artifacts.length, 1, 'exactly one artifacts row');
      const [artifact] = artifacts;
      assert.ok(artifact);

      const response = await fetch(String(info.Link));
      assert.equal(response.status, 200);
      const body = Buffer.from(await response.arrayBuffer());
      assert.equal(body.length, Number(artifact.size));
      assert.equal(createHash('sha256').update(body).digest('hex'), artifact.sha256);
      const keys = await readFindingKeys(body);
      assert.equal(keys.length, info.TotalCount, 'data rows = TotalCount');
      const expected = new Set(expectedKeys);
      assert.equal(new Set(keys).size, keys.length, 'no row twice');
      assert.equal(
        keys.filter((key) => !expected.has(key)).length,
        0,
        'every row is a matching finding (so, with the counts equal, every finding is there)',
      );

      // Progress is per attempt: the new attempt's claim resets it (and CurrentCount) to 0, so a
      // poller sees it fall exactly once, after A died, and rise steadily on either side of that.
      const progress = samples.map((s) => s.progress);
      const falls = drops(progress);
      assert.equal(falls.length, 1, `progress fell once: ${progress.join(' ')}`);
      const restart = falls[0] ?? 0;
      assert.equal(samples[restart]?.phase, 'B', 'the fall came with the second attempt');
      assert.ok(Number(orphaned.Progress) >= Number(aimed.Progress));
      assert.ok(
        samples.every((s, i) => s.phase === 'A' || i >= restart || s.progress === orphaned.Progress),
        'while nobody held the task, its progress stood still',
      );
      assert.deepEqual(drops(samples.map((s) => s.current)), falls, 'CurrentCount restarted with Progress');
      assert.equal(progress.at(-1), 100);
      assert.ok(
        samples.every((s) => s.progress < 100 || s.status === 'success'),
        '100 % only once succeeded',
      );

      // B removed A's temporary file (left by the crash) before starting, and its own when done.
      assert.equal(tempDirs().length, 0);
      assert.equal(await b.stop(), 0, 'worker B exits cleanly on SIGTERM');
      assert.equal(await parapet.stop(), 0, 'parapet serve exits cleanly on SIGTERM');
    } catch (err) {
      console.error([parapet.output(), ...workers.map((w) => w.output())].join('\n---\n'));
      throw err;
    } finally {
      await Promise.all(workers.map((worker) => worker.kill('SIGKILL')));
      await parapet.stop('SIGKILL');
      await db?.close();
    }
  });
}
