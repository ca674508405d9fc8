/**
 * The tasks repository on both databases: creating, claiming, fencing,
 * cancelling, expiring and sweeping, driven directly (no worker loop).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defineTaskKind } from '../src/engine/registry.ts';
import {
  cancelTask,
  claimTask,
  createTask,
  expireTasks,
  finishTask,
  getTask,
  leaseOf,
  releaseTask,
  renewLease,
  retryTask,
  sweepTasks,
  writeProgress,
  type ClaimOptions,
  type Task,
} from '../src/engine/tasks.ts';
import type { Database } from '../src/persistence/database.ts';
import { dialects, openTestDatabase } from './support/databases.ts';
import { addTenant } from './fixtures/engine-helpers.ts';

const exportKind = defineTaskKind<{ scope: string }, string>({
  kind: 'engine-test.export',
  timeoutMs: 60_000,
  maxAttempts: 3,
  concurrency: 1,
  run: () => Promise.resolve('done'),
});
const reportKind = defineTaskKind<{ scope: string }, string>({ ...exportKind, kind: 'engine-test.report' });

const claimOptions: ClaimOptions = {
  owner: 'w1',
  kinds: [exportKind.kind],
  leaseMs: 30_000,
  tenantConcurrency: 10,
};
const DAY = 24 * 60 * 60_000;

async function claim(db: Database, options: Partial<ClaimOptions> = {}): Promise<Task | undefined> {
  return claimTask(db, { ...claimOptions, ...options });
}

async function mustClaim(db: Database, options: Partial<ClaimOptions> = {}): Promise<Task> {
  const task = await claim(db, options);
  assert.ok(task, 'expected a task to claim');
  return task;
}

async function setColumns(db: Database, id: number, columns: Record<string, number | null>): Promise<void> {
  const names = Object.keys(columns);
  await db.run(`UPDATE tasks SET ${names.map((name) => `${name} = ?`).join(', ')} WHERE id = ?`, [
    ...Object.values(columns),
    id,
  ]);
}

async function readTask(db: Database, task: Task): Promise<Task> {
  const current = await getTask(db, task.tenantId, task.id);
  assert.ok(current);
  return current;
}

for (const dialect of dialects) {
  describe(`engine tasks (${dialect})`, () => {
    let db: Database;
    let tenant: number;
    let other: number;

    test.beforeEach(async () => {
      db = await openTestDatabase(dialect, import.meta.filename);
      tenant = await addTenant(db, 'alpha');
      other = await addTenant(db, 'beta');
    });
    test.afterEach(() => db.close());

    test('creates a queued task; the same idempotency key returns it again', async () => {
      const first = await createTask(db, { tenantId: tenant, kind: exportKind, params: { scope: 'all' } });
      assert.equal(first.status, 'queued');
      assert.deepEqual(first.params, { scope: 'all' });
      assert.equal(first.attempts, 0);
      assert.equal(first.maxAttempts, 3);
      assert.equal(first.progress, 0);

      const keyed = { tenantId: tenant, kind: exportKind, params: { scope: 'a' }, idempotencyKey: 'k1' };
      const a = await createTask(db, { ...keyed, maxAttempts: 5, totalCount: 40 });
      const again = await createTask(db, { ...keyed, params: { scope: 'changed' } });
      assert.equal(again.id, a.id);
      assert.deepEqual(again.params, { scope: 'a' });
      assert.equal(again.maxAttempts, 5);
      assert.equal(again.totalCount, 40);

      // The key is scoped to tenant and kind; no key never deduplicates.
      assert.notEqual((await createTask(db, { ...keyed, tenantId: other })).id, a.id);
      assert.notEqual((await createTask(db, { ...keyed, kind: reportKind })).id, a.id);
      const unkeyed = await createTask(db, { tenantId: tenant, kind: exportKind, params: { scope: 'all' } });
      assert.notEqual(unkeyed.id, first.id);
    });

    test('the same dedupe key returns the unfinished task, and starts a new one once it is final', async () => {
      const keyed = { tenantId: tenant, kind: exportKind, params: { scope: 'a' }, dedupeKey: 'd1' };
      const first = await createTask(db, keyed);
      assert.equal((await createTask(db, keyed)).id, first.id);

      const running = await claimTask(db, claimOptions);
      assert.equal(running?.id, first.id);
      assert.equal((await createTask(db, keyed)).id, first.id, 'a running task is returned too');
      assert.notEqual((await createTask(db, { ...keyed, tenantId: other })).id, first.id);

      assert.ok(
        running &&
          (await finishTask(db, leaseOf(running), {
            status: 'succeeded',
            result: 'done',
            doneCount: 1,
            totalCount: 1,
          })),
      );
      const second = await createTask(db, keyed);
      assert.notEqual(second.id, first.id);
      assert.equal(second.status, 'queued');
      assert.equal((await createTask(db, keyed)).id, second.id);
    });

    test('is created in the caller transaction and rolls back with it', async () => {
      await assert.rejects(
        db.withTransaction(async (tx) => {
          await createTask(tx, { tenantId: tenant, kind: exportKind, params: { scope: 'x' } });
          throw new Error('the rows it depends on failed');
        }),
        /depends on failed/,
      );
      const count = await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM tasks');
      assert.equal(Number(count?.n), 0);
      await assert.rejects(
        createTask(db, { tenantId: tenant, kind: exportKind, params: { scope: 'x' }, maxAttempts: 0 }),
        /maxAttempts/,
      );
    });

    test('reads tasks per tenant: another tenant’s id is not found', async () => {
      const task = await createTask(db, { tenantId: tenant, kind: exportKind, params: { scope: 'x' } });
      assert.equal((await getTask(db, tenant, task.id))?.id, task.id);
      assert.equal(await getTask(db, other, task.id), undefined);
      assert.equal(await cancelTask(db, other, task.id), undefined);
      assert.equal((await readTask(db, task)).status, 'queued');
    });

    test('claims due tasks of its kinds oldest first, with a lease and a counted attempt', async () => {
      const params = { scope: 'x' };
      const t1 = await createTask(db, { tenantId: tenant, kind: exportKind, params });
      const t2 = await createTask(db, { tenantId: tenant, kind: exportKind, params });
      const later = await createTask(db, { tenantId: tenant, kind: exportKind, params });
      await createTask(db, { tenantId: tenant, kind: reportKind, params });
      await setColumns(db, later.id, { run_after: Date.now() + 60_000 });
      await setColumns(db, t2.id, { run_after: Date.now() - 60_000 });

      const first = await mustClaim(db);
      assert.equal(first.id, t2.id);
      assert.equal(first.status, 'running');
      assert.equal(first.leaseOwner, 'w1');
      assert.equal(first.attempts, 1);
      assert.ok(first.startedAt !== undefined && first.leaseExpiresAt! > Date.now() + 25_000);
      assert.equal((await mustClaim(db)).id, t1.id);
      // Not due yet, and the other kind is not asked for.
      assert.equal(await claim(db), undefined);
      assert.equal(await claim(db, { kinds: [] }), undefined);
    });

    test('takes over a task whose lease expired; the old lease can no longer write', async () => {
      const task = await createTask(db, { tenantId: tenant, kind: exportKind, params: { scope: 'x' } });
      const stale = leaseOf(await mustClaim(db));
      assert.equal(await claim(db, { owner: 'w2' }), undefined, 'a live lease is not taken over');
      assert.equal(await renewLease(db, stale, 30_000), 'held');

      await setColumns(db, task.id, { lease_expires_at: Date.now() - 1 });
      const taken = await mustClaim(db, { owner: 'w2' });
      assert.equal(taken.id, task.id);
      assert.equal(taken.attempts, 2);
      assert.equal(taken.leaseOwner, 'w2');

      // Every write of the zombie is fenced off.
      assert.equal(await renewLease(db, stale, 30_000), 'lost');
      assert.equal(await writeProgress(db, stale, { doneCount: 9, totalCount: 10, progress: 90 }), false);
      assert.equal(
        await finishTask(db, stale, { status: 'succeeded', result: 'late', doneCount: 10, totalCount: 10 }),
        false,
      );
      assert.equal(
        await retryTask(db, stale, { runAfter: 0, errorCode: 'TaskFailed', errorMessage: 'x' }),
        false,
      );
      assert.equal(await releaseTask(db, stale), false);
      const unchanged = await readTask(db, task);
      assert.deepEqual(
        {
          status: unchanged.status,
          owner: unchanged.leaseOwner,
          done: unchanged.doneCount,
          result: unchanged.result,
        },
        { status: 'running', owner: 'w2', done: 0, result: undefined },
      );

      // A final state never changes: not by a late write, a cancel or a claim.
      const lease = leaseOf(taken);
      assert.equal(await writeProgress(db, lease, { doneCount: 5, totalCount: 10, progress: 50 }), true);
      assert.equal(
        await finishTask(db, lease, { status: 'succeeded', result: 'ok', doneCount: 10, totalCount: 10 }),
        true,
      );
      assert.equal(
        await finishTask(db, lease, { status: 'failed', errorCode: 'X', errorMessage: 'x' }),
        false,
      );
      assert.equal((await cancelTask(db, tenant, task.id))?.status, 'succeeded');
      await setColumns(db, task.id, { lease_expires_at: Date.now() - 1, deadline_at: Date.now() - 1 });
      assert.equal(await expireTasks(db), 0);
      assert.equal(await claim(db, { owner: 'w3' }), undefined);
      const done = await readTask(db, task);
      assert.equal(done.status, 'succeeded');
      assert.equal(done.result, 'ok');
      assert.equal(done.progress, 100);
    });

    test('retry requeues with the error kept; release gives the attempt back', async () => {
      const task = await createTask(db, { tenantId: tenant, kind: exportKind, params: { scope: 'x' } });
      const runAfter = Date.now() + 60_000;
      const first = leaseOf(await mustClaim(db));
      assert.equal(
        await retryTask(db, first, { runAfter, errorCode: 'TaskFailed', errorMessage: 'boom' }),
        true,
      );
      let row = await readTask(db, task);
      assert.deepEqual(
        [row.status, row.attempts, row.runAfter, row.errorMessage, row.leaseOwner],
        ['queued', 1, runAfter, 'boom', undefined],
      );
      assert.equal(await claim(db), undefined, 'not before run_after');

      await setColumns(db, task.id, { run_after: Date.now() });
      const second = leaseOf(await mustClaim(db));
      assert.equal(second.attempt, 2);
      assert.equal(await releaseTask(db, second), true);
      row = await readTask(db, task);
      assert.deepEqual([row.status, row.attempts, row.leaseOwner], ['queued', 1, undefined]);
      assert.equal((await mustClaim(db, { owner: 'w2' })).attempts, 2);
    });

    test('caps running tasks per tenant; expired leases do not count', async () => {
      const params = { scope: 'x' };
      const a1 = await createTask(db, { tenantId: tenant, kind: exportKind, params });
      await createTask(db, { tenantId: tenant, kind: exportKind, params });
      const a3 = await createTask(db, { tenantId: tenant, kind: exportKind, params });
      const b1 = await createTask(db, { tenantId: other, kind: exportKind, params });
      const capped = { tenantConcurrency: 2 };

      const claimed = [await mustClaim(db, capped), await mustClaim(db, capped), await mustClaim(db, capped)];
      assert.deepEqual(
        claimed.map((t) => t.tenantId),
        [tenant, tenant, other],
      );
      assert.equal(claimed[2]?.id, b1.id);
      assert.equal(await claim(db, capped), undefined, 'tenant alpha is at its cap');

      await setColumns(db, a1.id, { lease_expires_at: Date.now() - 1 });
      const next = await mustClaim(db, capped);
      assert.equal(next.id, a1.id, 'the expired one is taken over first (older)');
      await finishTask(db, leaseOf(next), { status: 'cancelled' });
      assert.equal((await mustClaim(db, capped)).id, a3.id);
    });

    test('parallel claims never hand out a task twice or exceed the tenant cap', async () => {
      for (let i = 0; i < 12; i++) {
        await createTask(db, {
          tenantId: i < 6 ? tenant : other,
          kind: exportKind,
          params: { scope: `${i}` },
        });
      }
      const claims = await Promise.all(
        Array.from({ length: 12 }, (_, i) => claim(db, { owner: `w${i}`, tenantConcurrency: 4 })),
      );
      const claimed = claims.filter((task) => task !== undefined);
      assert.equal(new Set(claimed.map((task) => task.id)).size, claimed.length);
      assert.equal(claimed.filter((task) => task.tenantId === tenant).length, 4);
      assert.equal(claimed.filter((task) => task.tenantId === other).length, 4);
    });

    test('cancels a queued task at once and flags a running one', async () => {
      const queued = await createTask(db, { tenantId: tenant, kind: exportKind, params: { scope: 'x' } });
      const cancelled = await cancelTask(db, tenant, queued.id);
      assert.equal(cancelled?.status, 'cancelled');
      assert.ok(cancelled?.finishedAt !== undefined);
      assert.equal(await claim(db), undefined);

      const running = await createTask(db, { tenantId: tenant, kind: exportKind, params: { scope: 'y' } });
      const lease = leaseOf(await mustClaim(db));
      const flagged = await cancelTask(db, tenant, running.id);
      assert.deepEqual([flagged?.status, flagged?.cancelRequested], ['running', true]);
      assert.equal(await renewLease(db, lease, 30_000), 'cancel-requested');
    });

    test('expires what no live worker will end: deadlines, cancels and abandoned last attempts', async () => {
      const params = { scope: 'x' };
      const past = Date.now() - 1;
      const queuedLate = await createTask(db, {
        tenantId: tenant,
        kind: exportKind,
        params,
        deadlineAt: past,
      });
      assert.equal(await claim(db), undefined, 'a task past its deadline is not started');

      const make = async (maxAttempts = 3) => {
        await createTask(db, { tenantId: tenant, kind: exportKind, params, maxAttempts });
        return mustClaim(db);
      };
      // Every other task is now running; some under leases that ran out.
      const liveLate = await make();
      const deadLate = await make();
      const deadCancelled = await make();
      const deadLastAttempt = await make(1);
      const deadRetryable = await make();
      await setColumns(db, liveLate.id, { deadline_at: past });
      await setColumns(db, deadLate.id, { deadline_at: past, lease_expires_at: past });
      await cancelTask(db, tenant, deadCancelled.id);
      for (const task of [deadCancelled, deadLastAttempt, deadRetryable]) {
        await setColumns(db, task.id, { lease_expires_at: past });
      }

      assert.equal(await expireTasks(db), 4);
      const status = async (task: Task) => {
        const row = await readTask(db, task);
        return [row.status, row.errorCode];
      };
      assert.deepEqual(await status(queuedLate), ['timed_out', 'TaskDeadlineExceeded']);
      assert.deepEqual(await status(liveLate), ['running', undefined], 'its own worker times it out');
      assert.deepEqual(await status(deadLate), ['timed_out', 'TaskDeadlineExceeded']);
      assert.deepEqual(await status(deadCancelled), ['cancelled', undefined]);
      assert.deepEqual(await status(deadLastAttempt), ['failed', 'TaskAbandoned']);
      assert.deepEqual(await status(deadRetryable), ['running', undefined], 'left for a claim to take over');
      assert.match((await readTask(db, deadLastAttempt)).errorMessage ?? '', /worker logs/);
      assert.equal((await mustClaim(db, { owner: 'w2' })).id, deadRetryable.id);
    });

    test('sweeps final tasks past the retention only', async () => {
      const params = { scope: 'x' };
      const ids = [];
      for (let i = 0; i < 4; i++) {
        ids.push((await createTask(db, { tenantId: tenant, kind: exportKind, params })).id);
      }
      const [oldDone, recentDone, oldQueued, oldCancelled] = ids as [number, number, number, number];
      await cancelTask(db, tenant, oldDone);
      await cancelTask(db, tenant, recentDone);
      await cancelTask(db, tenant, oldCancelled);
      await db.run("UPDATE tasks SET status = 'succeeded', finished_at = ? WHERE id = ?", [
        Date.now() - 8 * DAY,
        oldDone,
      ]);
      await db.run('UPDATE tasks SET finished_at = ? WHERE id = ?', [Date.now() - 2 * DAY, oldCancelled]);
      await setColumns(db, oldQueued, { created_at: Date.now() - 30 * DAY });

      assert.equal(await sweepTasks(db), 1);
      assert.equal(await getTask(db, tenant, oldDone), undefined);
      assert.equal(await sweepTasks(db, { retentionMs: DAY }), 1);
      assert.equal(await getTask(db, tenant, oldCancelled), undefined);
      assert.ok(await getTask(db, tenant, recentDone));
      assert.ok(await getTask(db, tenant, oldQueued));
    });
  });
}
