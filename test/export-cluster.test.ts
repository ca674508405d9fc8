/**
 * Parapet as a cluster: two `parapet serve` nodes and two `parapet worker`
 * processes, each with its own data dir, sharing one PostgreSQL database and
 * one S3 bucket (s3rver). Exports asked for on node 1 are run by whichever
 * worker claims them and are polled and downloaded through node 2.
 * PostgreSQL only: several hosts cannot share a SQLite file.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import ExcelJS from 'exceljs';
import { HANDLED_STATUSES } from '../src/domain/vulnerabilities.ts';
import { openDatabase, type Database } from '../src/persistence/database.ts';
import {
  makeDataDir,
  startParapet,
  startParapetWorker,
  type ParapetProcess,
  type ParapetWorkerProcess,
} from './support/parapet-process.ts';
import { startS3Server, type S3Server } from './support/s3-server.ts';
import { makeSasClient, type ClientKind, type SasClient } from './support/sas-clients.ts';

const FLEET = ['--hosts', '100', '--vulns', '40000', '--seed', '5'];
const HANDLED = HANDLED_STATUSES.join(', ');

interface ExportCase {
  client: ClientKind;
  params: Record<string, string>;
  /** The same selection in SQL over `vulnerabilities v`, to count the expected rows. */
  where: string;
}

// Different filters, so the dedupe of identical requests does not merge any two.
const CASES: ExportCase[] = [
  { client: 'openapi-v3', params: { Type: 'cve', Lang: 'en' }, where: `v.type = 'cve'` },
  {
    client: 'openapi-v1',
    params: { Type: 'cve', Necessity: 'asap,later', Dealed: 'n' },
    where: `v.type = 'cve' AND v.necessity IN ('asap', 'later') AND v.status NOT IN (${HANDLED})`,
  },
  { client: 'pop-core', params: { Type: 'app', AttachTypes: 'sca' }, where: `v.type IN ('app', 'sca')` },
  {
    client: 'openapi-v3',
    params: { Type: 'cve', Necessity: 'nntf' },
    where: `v.type = 'cve' AND v.necessity = 'nntf'`,
  },
  { client: 'openapi-v1', params: { Type: 'sca', Lang: 'en' }, where: `v.type = 'sca'` },
  {
    client: 'pop-core',
    params: { Type: 'cve', Dealed: 'y' },
    where: `v.type = 'cve' AND v.status IN (${HANDLED})`,
  },
];

interface TaskRow {
  id: number;
  status: string;
  attempts: number;
  lease_owner: string | null;
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * ExportVul; while the tenant already has MAX_UNFINISHED_EXPORTS (5) queued or
 * running, Parapet answers Throttling.ExportLimit and this retries, as a client should.
 */
async function startExport(client: SasClient, params: Record<string, string>): Promise<number> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return Number((await client.call('ExportVul', params)).Id);
    } catch (err) {
      if ((err as { code?: string }).code !== 'Throttling.ExportLimit' || Date.now() > deadline) throw err;
      await sleep(200);
    }
  }
}

async function waitForSuccess(client: SasClient, id: number): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 40_000;
  for (;;) {
    const info = await client.call('DescribeVulExportInfo', { ExportId: id });
    if (info.ExportStatus === 'success') return info;
    if (info.ExportStatus === 'failed' || Date.now() > deadline) {
      throw new Error(`export ${id} did not succeed: ${JSON.stringify(info)}`);
    }
    await sleep(100);
  }
}

/**
 * Data rows across every sheet (each repeats the header), read with exceljs's
 * whole-file reader: its streaming reader hung now and then under load.
 */
async function countDataRows(body: Buffer): Promise<number> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(body as unknown as ArrayBuffer);
  let rows = 0;
  for (const sheet of workbook.worksheets) {
    sheet.eachRow((row) => {
      if (row.number === 1) return;
      assert.equal(typeof (row.values as unknown[])[4], 'string', `row ${row.number} has a host UUID`);
      rows += 1;
    });
  }
  return rows;
}

async function download(link: string): Promise<Buffer> {
  const response = await fetch(link);
  assert.equal(response.status, 200, link);
  return Buffer.from(await response.arrayBuffer());
}

test('two serve nodes and two workers share PostgreSQL and S3: exports made on node 1 download from node 2 (postgres only)', async () => {
  let s3: S3Server | undefined;
  const nodes: ParapetProcess[] = [];
  const workers: ParapetWorkerProcess[] = [];
  let db: Database | undefined;
  try {
    s3 = await startS3Server();
    const shared: NodeJS.ProcessEnv = {
      ...s3.env,
      PARAPET_SERVE_WORKER: 'false',
      PARAPET_SERVER_KEY: randomBytes(32).toString('hex'),
    };
    const node1 = await startParapet('postgres', import.meta.filename, shared);
    nodes.push(node1);
    const node2 = await startParapet('postgres', import.meta.filename, {
      ...shared,
      PARAPET_DATABASE_URL: node1.env.PARAPET_DATABASE_URL,
    });
    nodes.push(node2);
    assert.notEqual(node1.env.PARAPET_DATA_DIR, node2.env.PARAPET_DATA_DIR, 'the nodes share no files');
    workers.push(
      ...(await Promise.all(
        [1, 2].map(() => startParapetWorker({ ...node1.env, PARAPET_DATA_DIR: makeDataDir() })),
      )),
    );
    node1.cli(['demo-data', ...FLEET]);
    db = await openDatabase({ url: node1.databaseUrl });

    const on = (node: ParapetProcess, kind: ClientKind) => makeSasClient(kind, node.endpoint, node.rootKey);
    const ids: number[] = [];
    for (const c of CASES) ids.push(await startExport(on(node1, c.client), c.params));
    assert.equal(new Set(ids).size, CASES.length, 'six distinct exports');

    for (const [i, c] of CASES.entries()) {
      const id = ids[i] ?? 0;
      const info = await waitForSuccess(on(node2, c.client), id);
      const link = new URL(String(info.Link));
      assert.equal(link.host, node2.endpoint, 'polled on node 2, the link names node 2');
      const body = await download(link.toString());
      assert.deepEqual(
        readdirSync(String(node2.env.PARAPET_DATA_DIR)),
        [],
        'node 2 streamed it from the bucket',
      );

      const expected: { n: number } | undefined = await db.get(
        `SELECT COUNT(*) AS n FROM vulnerabilities v WHERE ${c.where}`,
      );
      assert.equal(info.TotalCount, Number(expected?.n), JSON.stringify(c.params));
      assert.equal(await countDataRows(body), info.TotalCount, JSON.stringify(c.params));
      const artifacts: Array<{ sha256: string }> = await db.all(
        'SELECT sha256 FROM artifacts WHERE task_id = ?',
        [id],
      );
      assert.deepEqual(
        artifacts.map((a) => a.sha256),
        [createHash('sha256').update(body).digest('hex')],
        'one artifact, the bytes node 2 served',
      );

      if (i === 0) {
        // A link node 1 signed is good on node 2: the nodes share PARAPET_SERVER_KEY.
        const fromNode1 = new URL(
          String((await on(node1, c.client).call('DescribeVulExportInfo', { ExportId: id })).Link),
        );
        assert.equal(fromNode1.host, node1.endpoint);
        const viaNode2 = new URL(fromNode1.pathname, node2.url).toString();
        assert.deepEqual(await download(viaNode2), body);
      }
    }

    const tasks = await db.all<TaskRow>(
      `SELECT id, status, attempts, lease_owner FROM tasks WHERE id IN (${ids.join(', ')}) ORDER BY id`,
    );
    assert.deepEqual(
      tasks.map((t) => [t.status, t.attempts]),
      ids.map(() => ['succeeded', 1]),
      'every export ran once',
    );
    // Both workers were polling (each second when idle) before the exports were asked for. A worker
    // runs at most 2 exports at once, and the first ones take well over a second each (1.4–2.2 s
    // measured on 2 cores), so the other worker's next poll still finds queued ones.
    assert.deepEqual(
      [...new Set(tasks.map((t) => t.lease_owner))].sort(),
      workers.map((w) => w.owner).sort(),
      'both workers ran exports',
    );

    for (const worker of workers) assert.equal(await worker.stop(), 0, 'a worker exits cleanly on SIGTERM');
    for (const node of nodes) assert.equal(await node.stop(), 0, 'a node exits cleanly on SIGTERM');
  } catch (err) {
    console.error([...nodes, ...workers].map((p) => p.output()).join('\n---\n'));
    throw err;
  } finally {
    await Promise.all([
      ...workers.map((worker) => worker.kill('SIGKILL')),
      ...nodes.map((node) => node.stop('SIGKILL')),
    ]);
    await db?.close();
    await s3?.stop();
  }
});
