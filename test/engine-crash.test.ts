/**
 * Real worker processes on one database: a worker killed mid-task (SIGKILL)
 * is taken over once its lease runs out and the effect still happens once;
 * two workers sharing a queue never run a task twice or at the same time.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createTask, getTask, type Task } from '../src/engine/tasks.ts';
import { openDatabase, type Database, type Dialect } from '../src/persistence/database.ts';
import { migrate } from '../src/persistence/migrate.ts';
import { createDatabaseUrl, dialects } from './support/databases.ts';
import { waitFor } from './support/wait-for.ts';
import { addTenant, createRecordTables, makeStepsKind, type RunRecord } from './fixtures/engine-helpers.ts';

const workerScript = fileURLToPath(new URL('./fixtures/engine-worker.ts', import.meta.url));
const LEASE_MS = 1_000;

interface WorkerProcess {
  owner: string;
  child: ChildProcess;
  exited: Promise<number | null>;
}

interface Setup {
  db: Database;
  url: string;
  workers: WorkerProcess[];
  logs: string[];
}

async function spawnWorker(setup: Setup, owner: string, concurrency: number, tenantConcurrency: number) {
  const child = spawn(process.execPath, [workerScript], {
    env: {
      ...process.env,
      ENGINE_DB_URL: setup.url,
      ENGINE_WORKER_OWNER: owner,
      ENGINE_LEASE_MS: String(LEASE_MS),
      ENGINE_CONCURRENCY: String(concurrency),
      ENGINE_TENANT_CONCURRENCY: String(tenantConcurrency),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.on('data', (chunk) => setup.logs.push(`[${owner}] ${String(chunk)}`));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const worker = { owner, child, exited };
  setup.workers.push(worker);
  let out = '';
  child.stdout?.on('data', (chunk) => (out += String(chunk)));
  await Promise.race([
    waitFor(`worker ${owner} to start`, () => Promise.resolve(out.includes('ready')), 10_000),
    exited.then((code) => Promise.reject(new Error(`worker ${owner} exited early (${code})`))),
  ]);
  return worker;
}

/** A fresh migrated database that separate processes can open; kills leftover workers and prints their logs on failure. */
async function withSetup(dialect: Dialect, fn: (setup: Setup) => Promise<void>): Promise<void> {
  const url = await createDatabaseUrl(dialect, import.meta.filename);
  const db = await openDatabase({ url });
  const setup: Setup = { db, url, workers: [], logs: [] };
  try {
    await migrate(db);
    await createRecordTables(db);
    await fn(setup);
  } catch (err) {
    console.error(setup.logs.join(''));
    throw err;
  } finally {
    for (const worker of setup.workers) if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
    await Promise.all(setup.workers.map((worker) => worker.exited));
    await db.close();
  }
}

async function stopGracefully(worker: WorkerProcess): Promise<void> {
  worker.child.kill('SIGTERM');
  assert.equal(await worker.exited, 0, `worker ${worker.owner} exits cleanly on SIGTERM`);
}

async function runsOf(db: Database): Promise<RunRecord[]> {
  return db.all<RunRecord>('SELECT * FROM engine_test_runs ORDER BY task_id, started_at');
}

for (const dialect of dialects) {
  test(`a worker killed mid-task is taken over after its lease; the effect happens once (${dialect})`, async () => {
    await withSetup(dialect, async (setup) => {
      const { db } = setup;
      const [a, b] = await Promise.all([spawnWorker(setup, 'a', 1, 4), spawnWorker(setup, 'b', 1, 4)]);
      const tenant = await addTenant(db, 'alpha');
      const task = await createTask(db, {
        tenantId: tenant,
        kind: makeStepsKind(db, 'test', 1),
        params: { steps: 6, stepMs: 200 },
      });

      const progressed = await waitFor('progress mid-task', async () => {
        const row = await getTask(db, tenant, task.id);
        return row && row.doneCount >= 1 && row;
      });
      const victim = [a, b].find((worker) => worker?.owner === progressed.leaseOwner);
      const survivor = victim === a ? b : a;
      assert.ok(victim && survivor);
      victim.child.kill('SIGKILL');
      await victim.exited;
      const abandoned = await getTask(db, tenant, task.id);
      assert.equal(abandoned?.leaseOwner, victim.owner, 'nobody takes over a lease before it runs out');

      const done = await waitFor(
        'the survivor to finish the task',
        async () => {
          const row = await getTask(db, tenant, task.id);
          return row?.status === 'succeeded' && row;
        },
        15_000,
      );
      assert.deepEqual([done.attempts, done.leaseOwner, done.progress], [2, survivor.owner, 100]);
      const effects = await db.all<{ task_id: number; owner: string }>(
        'SELECT task_id, owner FROM engine_test_effects',
      );
      assert.deepEqual(
        effects.map((effect) => [effect.task_id, effect.owner]),
        [[task.id, survivor.owner]],
      );
      const runs = await runsOf(db);
      assert.deepEqual(
        runs.map((run) => [run.owner, run.attempt, run.ended_at === null]),
        [
          [victim.owner, 1, true],
          [survivor.owner, 2, false],
        ],
      );
      assert.ok(
        runs[1] && runs[1].started_at >= (abandoned?.leaseExpiresAt ?? Infinity),
        'the second attempt started only after the lease expired',
      );
      await stopGracefully(survivor);
    });
  });

  test(`two worker processes run 20 tasks: each once, never two at a time, tenant cap held (${dialect})`, async () => {
    await withSetup(dialect, async (setup) => {
      const { db } = setup;
      const tenantCap = 2;
      const workers = await Promise.all([
        spawnWorker(setup, 'a', 3, tenantCap),
        spawnWorker(setup, 'b', 3, tenantCap),
      ]);
      const tenants = [await addTenant(db, 'alpha'), await addTenant(db, 'beta')];
      const kind = makeStepsKind(db, 'test', 1);
      const tasks: Task[] = [];
      for (let i = 0; i < 20; i++) {
        const tenantId = tenants[i % 2] ?? 0;
        tasks.push(await createTask(db, { tenantId, kind, params: { steps: 3, stepMs: 60 } }));
      }

      for (const task of tasks) {
        const done = await waitFor(
          `task ${task.id}`,
          async () => {
            const row = await getTask(db, task.tenantId, task.id);
            return row?.status === 'succeeded' && row;
          },
          15_000,
        );
        assert.equal(done.attempts, 1);
      }
      const effects = await db.all<{ task_id: number }>(
        'SELECT task_id FROM engine_test_effects ORDER BY task_id',
      );
      assert.deepEqual(
        effects.map((effect) => effect.task_id),
        tasks.map((task) => task.id),
      );

      const runs = await runsOf(db);
      for (const task of tasks) {
        const attempts = runs.filter((run) => run.task_id === task.id);
        assert.ok(attempts.length >= 1);
        attempts.forEach((run, i) => {
          const next = attempts[i + 1];
          assert.ok(
            next === undefined || (run.ended_at ?? Infinity) <= next.started_at,
            `task ${task.id} overlapped`,
          );
        });
      }
      const owners = new Set(runs.map((run) => run.owner));
      assert.deepEqual([...owners].sort(), ['a', 'b'], 'both workers took tasks');
      for (const tenantId of tenants) {
        const taskIds = new Set(tasks.filter((task) => task.tenantId === tenantId).map((task) => task.id));
        const most = mostAtOnce(runs.filter((run) => taskIds.has(run.task_id)));
        assert.equal(most, tenantCap, `tenant ${tenantId} ran up to ${most} tasks at once`);
      }
      await Promise.all(workers.map(stopGracefully));
    });
  });
}

/** The largest number of runs in progress at one instant. */
function mostAtOnce(runs: RunRecord[]): number {
  const events = runs.flatMap((run) => [
    { at: run.started_at, change: 1 },
    { at: run.ended_at ?? Infinity, change: -1 },
  ]);
  events.sort((x, y) => x.at - y.at || x.change - y.change);
  let now = 0;
  let most = 0;
  for (const event of events) most = Math.max(most, (now += event.change));
  return most;
}
