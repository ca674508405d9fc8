/**
 * The worker loop in-process on both databases: outcomes, retries, progress
 * throttling, cancel, deadlines, timeouts, zombies, shutdown, and bugs that
 * must not stop the loop.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { TaskInterruptedError } from '../src/engine/attempt.ts';
import { PROGRESS_INTERVAL_MS } from '../src/engine/progress-reporter.ts';
import { PermanentTaskError, defineTaskKind, type TaskKind } from '../src/engine/registry.ts';
import { cancelTask, claimTask, createTask, getTask, type Task } from '../src/engine/tasks.ts';
import { makeWorker, type Worker, type WorkerOptions } from '../src/engine/worker.ts';
import type { Database, SqlValue } from '../src/persistence/database.ts';
import { waitFor } from './support/wait-for.ts';
import { dialects, openTestDatabase } from './support/databases.ts';
import { addTenant, createRecordTables, makeMemoryLogger, makeStepsKind } from './fixtures/engine-helpers.ts';

for (const dialect of dialects) {
  describe(`engine worker (${dialect})`, () => {
    let db: Database;
    let tenant: number;
    const workers: Worker[] = [];
    const log = makeMemoryLogger();

    test.beforeEach(async () => {
      db = await openTestDatabase(dialect, import.meta.filename);
      tenant = await addTenant(db, 'alpha');
      log.lines.length = 0;
    });
    test.afterEach(async () => {
      await Promise.all(workers.splice(0).map((worker) => worker.stop({ graceMs: 0 })));
      await db.close();
    });

    function startWorker(kinds: TaskKind[], options: Partial<WorkerOptions> = {}): Worker {
      const worker = makeWorker({
        db,
        kinds,
        pollIntervalMs: 20,
        leaseMs: 2_000,
        heartbeatMs: 40,
        log,
        ...options,
      });
      workers.push(worker);
      worker.start();
      return worker;
    }

    async function create<P>(kind: TaskKind<P>, params: P, extra: { deadlineAt?: number } = {}) {
      return createTask(db, { tenantId: tenant, kind, params, ...extra });
    }

    function finalOf(task: Task, timeoutMs = 5_000): Promise<Task> {
      return waitFor(
        `task ${task.id} to finish`,
        async () => {
          const row = await getTask(db, tenant, task.id);
          return row && ['succeeded', 'failed', 'timed_out', 'cancelled'].includes(row.status) && row;
        },
        timeoutMs,
      );
    }

    /** A kind whose handler waits until its signal aborts, and records why. */
    function makeWaitingKind(name: string, options: { timeoutMs?: number; maxAttempts?: number } = {}) {
      const reasons: unknown[] = [];
      const started: number[] = [];
      const kind = defineTaskKind<object, never>({
        kind: name,
        timeoutMs: options.timeoutMs ?? 60_000,
        maxAttempts: options.maxAttempts ?? 1,
        concurrency: 2,
        retryDelayMs: 0,
        async run(_params, ctx) {
          started.push(ctx.taskId);
          try {
            await sleep(60_000, undefined, { signal: ctx.signal });
          } finally {
            reasons.push(ctx.signal.reason);
          }
          throw new Error('unreachable');
        },
      });
      return { kind, reasons, started };
    }

    test('runs a task to success with its result and full progress', async () => {
      await createRecordTables(db);
      startWorker([makeStepsKind(db, 'w', 1)]);
      const task = await create(makeStepsKind(db, 'w', 1), { steps: 3, stepMs: 10 });
      const done = await finalOf(task);
      assert.equal(done.status, 'succeeded');
      assert.deepEqual(done.result, { steps: 3 });
      assert.deepEqual([done.progress, done.doneCount, done.totalCount, done.attempts], [100, 3, 3, 1]);
      assert.equal(done.errorCode, undefined);
      assert.ok(done.finishedAt !== undefined && done.startedAt !== undefined);
    });

    test('retries a failing handler with exponential backoff, then fails it', async () => {
      const starts: number[] = [];
      const messagesSeen: (string | undefined)[] = [];
      const flaky = defineTaskKind<object, never>({
        kind: 'engine-test.flaky',
        timeoutMs: 60_000,
        maxAttempts: 3,
        concurrency: 1,
        retryDelayMs: 100,
        async run(_params, ctx) {
          starts.push(Date.now());
          messagesSeen.push((await getTask(db, ctx.tenantId, ctx.taskId))?.errorMessage);
          throw new Error(`disk full on attempt ${ctx.attempt}`);
        },
      });
      startWorker([flaky]);
      const done = await finalOf(await create(flaky, {}));
      assert.deepEqual([done.status, done.attempts, done.errorCode], ['failed', 3, 'TaskFailed']);
      assert.equal(done.errorMessage, 'Failed after 3 attempt(s): disk full on attempt 3.');
      assert.match(
        messagesSeen[1] ?? '',
        /^Attempt 1 of 3 failed: disk full on attempt 1\. It is retried at 20/,
      );
      const [s1 = 0, s2 = 0, s3 = 0] = starts;
      assert.ok(s2 - s1 >= 100, `first retry after ${s2 - s1} ms`);
      assert.ok(s3 - s2 >= 200, `second retry after ${s3 - s2} ms (doubled)`);
      assert.ok(log.lines.some((line) => line.level === 'error' && line.message === 'engine: task failed'));
    });

    test('a PermanentTaskError fails at once; a non-Error throw is coerced', async () => {
      let runs = 0;
      const permanent = defineTaskKind<{ throwString: boolean }, never>({
        kind: 'engine-test.permanent',
        timeoutMs: 60_000,
        maxAttempts: 5,
        concurrency: 1,
        retryDelayMs: 0,
        run(params) {
          runs++;
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the case under test
          if (params.throwString) return Promise.reject('the scanner said no');
          throw new PermanentTaskError('No host matches the scope; widen the filter and export again.', {
            code: 'EmptyScope',
          });
        },
      });
      startWorker([permanent]);
      const failed = await finalOf(await create(permanent, { throwString: false }));
      assert.deepEqual([failed.status, failed.attempts, failed.errorCode], ['failed', 1, 'EmptyScope']);
      assert.equal(failed.errorMessage, 'No host matches the scope; widen the filter and export again.');
      assert.equal(runs, 1);

      const coerced = await finalOf(await create(permanent, { throwString: true }));
      assert.equal(coerced.attempts, 5);
      assert.equal(coerced.errorMessage, 'Failed after 5 attempt(s): the scanner said no.');
    });

    test('throttles progress to a few writes a second, rising and below 100 until done', async () => {
      let writes = 0;
      const counting: Database = {
        ...db,
        get<T>(sql: string, params?: readonly SqlValue[]) {
          if (sql.startsWith('UPDATE tasks SET done_count')) writes++;
          return db.get<T>(sql, params);
        },
      };
      const rows = 20_000;
      let ranMs = 0;
      const busy = defineTaskKind<object, string>({
        kind: 'engine-test.busy',
        timeoutMs: 60_000,
        maxAttempts: 1,
        concurrency: 1,
        async run(_params, ctx) {
          const started = Date.now();
          for (let row = 1; row <= rows; row++) {
            ctx.reportProgress(row, rows);
            if (row % 20 === 0) await sleep(1); // about a second in all
          }
          ranMs = Date.now() - started;
          return 'ok';
        },
      });
      startWorker([busy], { db: counting });
      const task = await create(busy, {});
      const seen: number[] = [];
      let current: Task = task;
      while (current.status !== 'succeeded') {
        seen.push(current.progress);
        await sleep(20);
        current = (await getTask(db, tenant, task.id)) ?? current;
      }
      const most = Math.ceil(ranMs / PROGRESS_INTERVAL_MS) + 1;
      assert.ok(writes >= 2 && writes <= most, `${writes} progress writes in ${ranMs} ms (at most ${most})`);
      assert.ok(
        seen.some((p) => p > 0 && p < 100),
        `progress seen while running: ${seen.join(',')}`,
      );
      assert.ok(
        seen.every((p, i) => p <= 99 && p >= (seen[i - 1] ?? 0)),
        `monotonic: ${seen.join(',')}`,
      );
      assert.equal(current.progress, 100);
    });

    test('runs at most `concurrency` tasks of a kind per worker', async () => {
      let active = 0;
      let most = 0;
      const limited = defineTaskKind<object, null>({
        kind: 'engine-test.limited',
        timeoutMs: 60_000,
        maxAttempts: 1,
        concurrency: 2,
        async run() {
          most = Math.max(most, ++active);
          await sleep(60);
          active--;
          return null;
        },
      });
      startWorker([limited]);
      const tasks = await Promise.all(Array.from({ length: 5 }, () => create(limited, {})));
      for (const task of tasks) assert.equal((await finalOf(task)).status, 'succeeded');
      assert.equal(most, 2);
    });

    test('cancelling a running task aborts its handler and marks it cancelled', async () => {
      const { kind, reasons, started } = makeWaitingKind('engine-test.cancel');
      startWorker([kind]);
      const task = await create(kind, {});
      await waitFor('the handler to start', () => Promise.resolve(started.length > 0));
      await cancelTask(db, tenant, task.id);
      const done = await finalOf(task);
      assert.deepEqual([done.status, done.attempts], ['cancelled', 1]);
      assert.ok(reasons[0] instanceof TaskInterruptedError);
      assert.equal(reasons[0].reason, 'cancelled');
    });

    test('a handler that ignores its signal is abandoned, so a cancel still takes effect', async () => {
      const started: number[] = [];
      const deaf = defineTaskKind<object, never>({
        kind: 'engine-test.deaf',
        timeoutMs: 60_000,
        maxAttempts: 1,
        concurrency: 1,
        run(_params, ctx) {
          started.push(ctx.taskId);
          return new Promise<never>(() => undefined);
        },
      });
      startWorker([deaf]);
      const task = await create(deaf, {});
      await waitFor('the handler to start', () => Promise.resolve(started.length > 0));
      await cancelTask(db, tenant, task.id);
      assert.equal((await finalOf(task)).status, 'cancelled');
      assert.ok(log.lines.some((line) => line.message.includes('ignored its abort signal')));
      // Its slot is free again.
      await create(deaf, {});
      await waitFor('the next task to start', () => Promise.resolve(started.length === 2));
    });

    test('a running task past its deadline is aborted and timed out', async () => {
      const { kind, reasons } = makeWaitingKind('engine-test.deadline', { maxAttempts: 3 });
      startWorker([kind]);
      const done = await finalOf(await create(kind, {}, { deadlineAt: Date.now() + 300 }));
      assert.deepEqual(
        [done.status, done.errorCode, done.attempts],
        ['timed_out', 'TaskDeadlineExceeded', 1],
      );
      assert.equal((reasons[0] as TaskInterruptedError).reason, 'deadline');
    });

    test('an attempt past the kind timeout is retried, then times out', async () => {
      const { kind, started } = makeWaitingKind('engine-test.slow', { timeoutMs: 100, maxAttempts: 2 });
      startWorker([kind]);
      const done = await finalOf(await create(kind, {}));
      assert.deepEqual([done.status, done.errorCode, done.attempts], ['timed_out', 'TaskTimedOut', 2]);
      assert.equal(
        done.errorMessage,
        'Failed after 2 attempt(s): The attempt ran longer than the 100 ms limit for engine-test.slow tasks.',
      );
      assert.equal(started.length, 2);
    });

    test('a zombie that lost its lease cannot commit its effect', async () => {
      await createRecordTables(db);
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let commitError: unknown;
      const stubborn = defineTaskKind<object, string>({
        kind: 'engine-test.stubborn',
        timeoutMs: 60_000,
        maxAttempts: 3,
        concurrency: 1,
        async run(_params, ctx) {
          await gate; // ignores its signal on purpose
          try {
            return await ctx.commit(async (tx) => {
              await tx.run('INSERT INTO engine_test_effects (task_id, owner) VALUES (?, ?)', [
                ctx.taskId,
                'zombie',
              ]);
              return 'zombie';
            });
          } catch (err) {
            commitError = err;
            throw err;
          }
        },
      });
      startWorker([stubborn], { heartbeatMs: 1_000 });
      const task = await create(stubborn, {});
      await waitFor('the claim', async () => (await getTask(db, tenant, task.id))?.status === 'running');
      // Its lease runs out (a long pause, say) and another worker takes over.
      await db.run('UPDATE tasks SET lease_expires_at = ? WHERE id = ?', [Date.now() - 1, task.id]);
      const other = await claimTask(db, {
        owner: 'other',
        kinds: [stubborn.kind],
        leaseMs: 60_000,
        tenantConcurrency: 9,
      });
      assert.equal(other?.attempts, 2);
      release();
      await waitFor('the zombie to give up', () => Promise.resolve(commitError !== undefined));

      assert.match(String(commitError), /lost its lease/);
      const effects = await db.all('SELECT * FROM engine_test_effects');
      assert.equal(effects.length, 0);
      const row = await getTask(db, tenant, task.id);
      assert.deepEqual([row?.status, row?.leaseOwner, row?.attempts], ['running', 'other', 2]);
    });

    test('stop() waits for running tasks, then gives the rest back without counting the attempt', async () => {
      await createRecordTables(db);
      const steps = makeStepsKind(db, 'w', 2);
      const { kind: waiting, reasons, started } = makeWaitingKind('engine-test.long');
      const worker = startWorker([steps, waiting]);
      const quick = await create(steps, { steps: 2, stepMs: 50 });
      const long = await create(waiting, {});
      await waitFor(
        'both to start',
        async () => started.length > 0 && (await getTask(db, tenant, quick.id))?.status === 'running',
      );

      await worker.stop({ graceMs: 300 });
      assert.equal((await getTask(db, tenant, quick.id))?.status, 'succeeded', 'finished within the grace');
      const released = await getTask(db, tenant, long.id);
      assert.deepEqual(
        [released?.status, released?.attempts, released?.leaseOwner],
        ['queued', 0, undefined],
      );
      assert.equal((reasons[0] as TaskInterruptedError).reason, 'shutdown');

      // Another worker takes it at once (no lease to wait out).
      startWorker([waiting]);
      await waitFor('the second worker to start it', () => Promise.resolve(started.length === 2));
      assert.equal((await getTask(db, tenant, long.id))?.attempts, 1);
    });

    test('a broken handler or logger never stops the loop', async () => {
      const throwingLog = {
        info: () => {
          throw new Error('log sink down');
        },
        warn: () => {
          throw new Error('log sink down');
        },
        error: () => {
          throw new Error('log sink down');
        },
      };
      const broken = defineTaskKind<object, never>({
        kind: 'engine-test.broken',
        timeoutMs: 60_000,
        maxAttempts: 1,
        concurrency: 1,
        run: () => {
          throw new TypeError('cannot read properties of undefined');
        },
      });
      const fine = defineTaskKind<object, string>({
        kind: 'engine-test.fine',
        timeoutMs: 60_000,
        maxAttempts: 1,
        concurrency: 1,
        run: (_params, ctx) => {
          ctx.reportProgress(Number.NaN, -1);
          return Promise.resolve('fine');
        },
      });
      startWorker([broken, fine], { log: throwingLog });
      const failed = await finalOf(await create(broken, {}));
      assert.equal(failed.errorMessage, 'Failed after 1 attempt(s): cannot read properties of undefined.');
      const done = await finalOf(await create(fine, {}));
      assert.deepEqual([done.status, done.result], ['succeeded', 'fine']);
    });
  });
}
