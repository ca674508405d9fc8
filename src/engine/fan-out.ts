/**
 * Fan-out tasks: work done by many hosts' agents rather than by a worker (an
 * asset collection, a virus scan over a server group). The parent is a row
 * in `tasks`; each host is a row in `task_targets` with its own status,
 * progress and deadline. No worker ever claims a fan-out task (its kind is
 * registered with none); its status moves only here, derived from its targets:
 *
 * - queued until a first target is delivered, then running;
 * - final once every target is: `timed_out` if any target timed out, else
 *   `failed` if any failed, else `cancelled` if any was cancelled, else
 *   `succeeded`; `done_count` = targets that answered (succeeded or failed).
 *
 * Invariants (ARCHITECTURE.md):
 * - Status only moves forward, for targets and the parent (guarded updates).
 * - A result that arrives after its target timed out is still applied and
 *   stored (`late`); the parent keeps the state it ended in.
 * - Every write that changes a parent locks the parent row first, then its
 *   targets (PostgreSQL), so concurrent results count correctly and the lock
 *   order is the same everywhere.
 * - Live progress is computed when read (fanOutCounts), never written per
 *   progress report: (Σ progress of running targets + 100 × answered) /
 *   (targets − timed out − cancelled).
 */
import { ParapetError } from '../domain/errors.ts';
import { capabilities, type Database, type Queryable, type SqlValue } from '../persistence/database.ts';
import type { TaskKind } from './registry.ts';
import type { TaskStatus } from './task-status.ts';
import { createTask, getTask, type Task } from './tasks.ts';

/** A fan-out task kind: only a name; there is no handler, agents do the work. */
export type FanOutKind = Pick<TaskKind, 'kind' | 'maxAttempts'>;

export function defineFanOutKind(kind: string): FanOutKind {
  return { kind, maxAttempts: 1 };
}

export interface FanOutTarget {
  id: number;
  taskId: number;
  tenantId: number;
  hostId: number;
  status: TaskStatus;
  /** 0–100 as the agent last reported it. */
  progress: number;
  deadlineAt: number;
  /** What the result came to (counts), once a result is in. */
  summary: unknown;
  errorMessage: string | undefined;
  /** The result arrived after the target had timed out. */
  late: boolean;
  deliveredAt: number | undefined;
  finishedAt: number | undefined;
  resultAt: number | undefined;
  createdAt: number;
}

interface TargetRow {
  id: number;
  task_id: number;
  tenant_id: number;
  host_id: number;
  status: TaskStatus;
  progress: number;
  deadline_at: number;
  summary: string | null;
  error_message: string | null;
  late: number;
  delivered_at: number | null;
  finished_at: number | null;
  result_at: number | null;
  created_at: number;
}

const toTarget = (r: TargetRow): FanOutTarget => ({
  id: r.id,
  taskId: r.task_id,
  tenantId: r.tenant_id,
  hostId: r.host_id,
  status: r.status,
  progress: r.progress,
  deadlineAt: r.deadline_at,
  summary: r.summary === null ? undefined : (JSON.parse(r.summary) as unknown),
  errorMessage: r.error_message ?? undefined,
  late: r.late === 1,
  deliveredAt: r.delivered_at ?? undefined,
  finishedAt: r.finished_at ?? undefined,
  resultAt: r.result_at ?? undefined,
  createdAt: r.created_at,
});

const OPEN = `('queued', 'running')`;
const placeholders = (values: readonly unknown[]) => values.map(() => '?').join(', ');

export interface CreateFanOutOptions<P> {
  tenantId: number;
  kind: FanOutKind;
  params: P;
  /** The tenant's hosts to run on; at least one. */
  hostIds: readonly number[];
  /** Each target's deadline: now + this. */
  targetTimeoutMs: number;
  /** The same (tenant, kind, key) returns the task created first. */
  idempotencyKey?: string;
}

/**
 * Queues a fan-out task with one target per host. Takes a Queryable so the
 * service creates it in the same transaction as whatever it checked.
 */
export async function createFanOutTask<P>(db: Queryable, options: CreateFanOutOptions<P>): Promise<Task<P>> {
  const { tenantId, hostIds } = options;
  if (hostIds.length === 0) throw new Error('A fan-out task needs at least one target.');
  const task = await createTask(db, {
    tenantId,
    kind: options.kind,
    params: options.params,
    idempotencyKey: options.idempotencyKey,
    totalCount: hostIds.length,
  });
  // The same idempotency key returned a task created before, with its targets.
  const existing = await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM task_targets WHERE task_id = ?', [
    task.id,
  ]);
  if (Number(existing?.n ?? 0) > 0) return task;
  const now = task.createdAt;
  const deadlineAt = now + options.targetTimeoutMs;
  const perStatement = 100;
  for (let start = 0; start < hostIds.length; start += perStatement) {
    const chunk = hostIds.slice(start, start + perStatement);
    const params: SqlValue[] = chunk.flatMap((hostId) => [task.id, tenantId, hostId, deadlineAt, now, now]);
    await db.run(
      `INSERT INTO task_targets (task_id, tenant_id, host_id, status, progress, deadline_at, late, created_at,
         updated_at)
       VALUES ${chunk.map(() => `(?, ?, ?, 'queued', 0, ?, 0, ?, ?)`).join(', ')}`,
      params,
    );
  }
  return task;
}

/** Locks the parent row until the transaction ends (PostgreSQL; SQLite's writer is alone anyway). */
async function lockParent(tx: Queryable, taskId: number): Promise<void> {
  if (capabilities[tx.dialect].skipLocked)
    await tx.get('SELECT id FROM tasks WHERE id = ? FOR UPDATE', [taskId]);
}

export interface Delivery {
  target: FanOutTarget;
  task: Task;
}

/**
 * The work waiting for a host's agent: its queued targets (which become
 * running, and their tasks too) and running ones the agent has not
 * acknowledged yet (handed out again: the agent drops those it has).
 */
export async function deliverTargets(db: Database, hostId: number, now: number): Promise<Delivery[]> {
  const waiting = `SELECT * FROM task_targets
    WHERE host_id = ? AND (status = 'queued' OR (status = 'running' AND acknowledged_at IS NULL))
    ORDER BY id LIMIT 20`;
  // Most polls find nothing: look first without taking the write lock.
  if ((await db.all<TargetRow>(waiting, [hostId])).length === 0) return [];
  return db.withTransaction(async (tx) => {
    const rows = await tx.all<TargetRow>(waiting, [hostId]);
    const deliveries: Delivery[] = [];
    for (const row of rows) {
      if (row.status === 'queued') {
        await lockParent(tx, row.task_id);
        const delivered = await tx.get<TargetRow>(
          `UPDATE task_targets SET status = 'running', delivered_at = ?, updated_at = ?
           WHERE id = ? AND status = 'queued' RETURNING *`,
          [now, now, row.id],
        );
        if (!delivered) continue;
        await tx.run(
          `UPDATE tasks SET status = 'running', started_at = COALESCE(started_at, ?), updated_at = ?
           WHERE id = ? AND status = 'queued'`,
          [now, now, row.task_id],
        );
        Object.assign(row, delivered);
      }
      const task = await getTask(tx, row.tenant_id, row.task_id);
      if (task) deliveries.push({ target: toTarget(row), task });
    }
    return deliveries;
  });
}

/** A host's target, or undefined when the id is not a target of this host. */
export async function getHostTarget(
  db: Queryable,
  hostId: number,
  targetId: number,
): Promise<FanOutTarget | undefined> {
  const row = await db.get<TargetRow>('SELECT * FROM task_targets WHERE id = ? AND host_id = ?', [
    targetId,
    hostId,
  ]);
  return row && toTarget(row);
}

export type ProgressAnswer = 'running' | 'cancelled' | 'closed';

/**
 * Records a running target's progress (and that the agent has it). A timed-out
 * target still counts as running for its agent: a late result is welcome.
 */
export async function recordTargetProgress(
  db: Queryable,
  target: FanOutTarget,
  progress: number,
  now: number,
): Promise<ProgressAnswer> {
  const updated = await db.get<{ status: TaskStatus }>(
    `UPDATE task_targets SET progress = ?, acknowledged_at = COALESCE(acknowledged_at, ?), updated_at = ?
     WHERE id = ? AND status IN ('running', 'timed_out') RETURNING status`,
    [Math.max(0, Math.min(100, Math.round(progress))), now, now, target.id],
  );
  if (updated) return 'running';
  const current = await getHostTarget(db, target.hostId, target.id);
  return current?.status === 'cancelled' ? 'cancelled' : 'closed';
}

export interface TargetOutcome {
  status: 'succeeded' | 'failed';
  summary: unknown;
  errorMessage?: string;
}

export interface SettledTarget {
  /** The result was applied now (false: the same result had been applied before). */
  applied: boolean;
  late: boolean;
}

/**
 * Ends a target with its agent's result, calling `apply` to store the result
 * in the same transaction. An open target becomes final and its parent is
 * derived again; a timed-out one keeps its state and is marked late; one that
 * already has its result is left alone (a retried post). A cancelled target
 * refuses the result (Agent.AssignmentClosed) and nothing is stored.
 */
export async function settleTarget(
  tx: Queryable,
  target: FanOutTarget,
  outcome: TargetOutcome,
  apply: () => Promise<void>,
  now: number,
): Promise<SettledTarget> {
  await lockParent(tx, target.taskId);
  const current = await getHostTarget(tx, target.hostId, target.id);
  if (!current) throw new ParapetError('Agent.AssignmentNotFound');
  const summary = JSON.stringify(outcome.summary ?? null);
  switch (current.status) {
    case 'cancelled':
      throw new ParapetError('Agent.AssignmentClosed', 'The task was cancelled: its result is not wanted.');
    case 'succeeded':
    case 'failed':
      return { applied: false, late: current.late };
    case 'timed_out':
      if (current.resultAt !== undefined) return { applied: false, late: true };
      await apply();
      await tx.run(
        `UPDATE task_targets SET late = 1, summary = ?, error_message = ?, result_at = ?, progress = 100,
           updated_at = ?
         WHERE id = ?`,
        [summary, outcome.errorMessage ?? null, now, now, current.id],
      );
      return { applied: true, late: true };
    case 'queued':
    case 'running':
      await apply();
      await tx.run(
        `UPDATE task_targets SET status = ?, summary = ?, error_message = ?, progress = 100, finished_at = ?,
           result_at = ?, acknowledged_at = COALESCE(acknowledged_at, ?), updated_at = ?
         WHERE id = ? AND status IN ${OPEN}`,
        [outcome.status, summary, outcome.errorMessage ?? null, now, now, now, now, current.id],
      );
      await deriveParent(tx, current.taskId, now);
      return { applied: true, late: false };
  }
}

/**
 * Times out the open targets whose deadline has passed and derives their
 * parents again. Run by every worker with the rest of the housekeeping.
 * Returns how many targets it timed out.
 */
export async function expireTargets(db: Database, now: number): Promise<number> {
  const due = await db.all<{ task_id: number }>(
    `SELECT DISTINCT task_id FROM task_targets WHERE status IN ${OPEN} AND deadline_at <= ?`,
    [now],
  );
  let expired = 0;
  for (const { task_id: taskId } of due) {
    expired += await db.withTransaction(async (tx) => {
      await lockParent(tx, taskId);
      const result = await tx.run(
        `UPDATE task_targets SET status = 'timed_out', finished_at = ?, updated_at = ?
         WHERE task_id = ? AND status IN ${OPEN} AND deadline_at <= ?`,
        [now, now, taskId, now],
      );
      await deriveParent(tx, taskId, now);
      return result.changes;
    });
  }
  return expired;
}

/** Cancels a tenant's fan-out task and its open targets; returns false when it was not open. */
export async function cancelFanOutTask(db: Database, tenantId: number, taskId: number, now: number) {
  return db.withTransaction(async (tx) => {
    await lockParent(tx, taskId);
    const parent = await tx.run(
      `UPDATE tasks SET status = 'cancelled', cancel_requested = 1, finished_at = ?, updated_at = ?
       WHERE id = ? AND tenant_id = ? AND status IN ${OPEN}`,
      [now, now, taskId, tenantId],
    );
    if (parent.changes === 0) return false;
    await tx.run(
      `UPDATE task_targets SET status = 'cancelled', finished_at = ?, updated_at = ?
       WHERE task_id = ? AND status IN ${OPEN}`,
      [now, now, taskId],
    );
    return true;
  });
}

export interface FanOutCounts {
  total: number;
  queued: number;
  running: number;
  succeeded: number;
  failed: number;
  timedOut: number;
  cancelled: number;
  /** Targets that answered: succeeded + failed (the Sas FinishCount). */
  answered: number;
  /** 0–100 by the fan-out formula; below 100 while any target is open. */
  progress: number;
}

interface CountsRow {
  task_id: number;
  total: number;
  queued: number;
  running: number;
  succeeded: number;
  failed: number;
  timed_out: number;
  cancelled: number;
  running_progress: number | null;
}

const countOf = (status: TaskStatus) => `SUM(CASE WHEN status = '${status}' THEN 1 ELSE 0 END)`;

/** The targets' counts and the live progress of each task. */
export async function fanOutCounts(
  db: Queryable,
  taskIds: readonly number[],
): Promise<Map<number, FanOutCounts>> {
  const counts = new Map<number, FanOutCounts>();
  if (taskIds.length === 0) return counts;
  const rows = await db.all<CountsRow>(
    `SELECT task_id, COUNT(*) AS total, ${countOf('queued')} AS queued, ${countOf('running')} AS running,
       ${countOf('succeeded')} AS succeeded, ${countOf('failed')} AS failed, ${countOf('timed_out')} AS timed_out,
       ${countOf('cancelled')} AS cancelled,
       SUM(CASE WHEN status = 'running' THEN progress ELSE 0 END) AS running_progress
     FROM task_targets WHERE task_id IN (${placeholders(taskIds)}) GROUP BY task_id`,
    [...taskIds],
  );
  for (const r of rows) {
    const n = (value: number | null) => Number(value ?? 0);
    const answered = n(r.succeeded) + n(r.failed);
    const open = n(r.queued) + n(r.running);
    const counted = n(r.total) - n(r.timed_out) - n(r.cancelled);
    const exact = counted === 0 ? 100 : (n(r.running_progress) + 100 * answered) / counted;
    counts.set(r.task_id, {
      total: n(r.total),
      queued: n(r.queued),
      running: n(r.running),
      succeeded: n(r.succeeded),
      failed: n(r.failed),
      timedOut: n(r.timed_out),
      cancelled: n(r.cancelled),
      answered,
      progress: open > 0 ? Math.min(99, Math.floor(exact)) : Math.floor(exact),
    });
  }
  return counts;
}

/** A task's targets, in host order. */
export async function listTargets(db: Queryable, taskId: number): Promise<FanOutTarget[]> {
  const rows = await db.all<TargetRow>('SELECT * FROM task_targets WHERE task_id = ? ORDER BY host_id', [
    taskId,
  ]);
  return rows.map(toTarget);
}

/** The parent's counts and, once every target is final, its final state. */
async function deriveParent(tx: Queryable, taskId: number, now: number): Promise<void> {
  const counts = (await fanOutCounts(tx, [taskId])).get(taskId);
  if (!counts) return;
  const open = counts.queued + counts.running;
  if (open > 0) {
    await tx.run(`UPDATE tasks SET done_count = ?, updated_at = ? WHERE id = ? AND status IN ${OPEN}`, [
      counts.answered,
      now,
      taskId,
    ]);
    return;
  }
  const status: TaskStatus =
    counts.timedOut > 0
      ? 'timed_out'
      : counts.failed > 0
        ? 'failed'
        : counts.cancelled > 0
          ? 'cancelled'
          : 'succeeded';
  const error = finalError(status, counts);
  await tx.run(
    `UPDATE tasks SET status = ?, done_count = ?, total_count = ?, progress = ?, result = ?, error_code = ?,
       error_message = ?, started_at = COALESCE(started_at, ?), finished_at = ?, updated_at = ?
     WHERE id = ? AND status IN ${OPEN}`,
    [
      status,
      counts.answered,
      counts.total,
      counts.progress,
      JSON.stringify({ succeeded: counts.succeeded, failed: counts.failed, timedOut: counts.timedOut }),
      error?.code ?? null,
      error?.message ?? null,
      now,
      now,
      now,
      taskId,
    ],
  );
}

function finalError(status: TaskStatus, counts: FanOutCounts): { code: string; message: string } | undefined {
  if (status === 'timed_out') {
    return {
      code: 'TaskDeadlineExceeded',
      message:
        `${counts.timedOut} of ${counts.total} hosts did not answer before the deadline; a result that ` +
        'arrives later is still stored. Check that their agents run and reach the server.',
    };
  }
  if (status === 'failed') {
    return {
      code: 'TaskFailed',
      message: `${counts.failed} of ${counts.total} hosts reported an error; see each host's result.`,
    };
  }
  return undefined;
}

export interface TenantTargetQuery {
  kind: FanOutKind;
  statuses?: readonly TaskStatus[];
  hostIds?: readonly number[];
}

function whereTenantTargets(tenantId: number, query: TenantTargetQuery) {
  const parts = ['t.tenant_id = ?', 'k.kind = ?'];
  const params: SqlValue[] = [tenantId, query.kind.kind];
  if (query.statuses) {
    parts.push(`t.status IN (${placeholders(query.statuses) || 'NULL'})`);
    params.push(...query.statuses);
  }
  if (query.hostIds) {
    parts.push(`t.host_id IN (${placeholders(query.hostIds) || 'NULL'})`);
    params.push(...query.hostIds);
  }
  return {
    text: `FROM task_targets t JOIN tasks k ON k.id = t.task_id WHERE ${parts.join(' AND ')}`,
    params,
  };
}

/** A page of a tenant's targets of one fan-out kind, newest first. */
export async function listTenantTargets(
  db: Queryable,
  tenantId: number,
  query: TenantTargetQuery,
  page: { offset: number; limit: number },
): Promise<FanOutTarget[]> {
  const where = whereTenantTargets(tenantId, query);
  const rows = await db.all<TargetRow>(`SELECT t.* ${where.text} ORDER BY t.id DESC LIMIT ? OFFSET ?`, [
    ...where.params,
    page.limit,
    page.offset,
  ]);
  return rows.map(toTarget);
}

export async function countTenantTargets(db: Queryable, tenantId: number, query: TenantTargetQuery) {
  const where = whereTenantTargets(tenantId, query);
  const row = await db.get<{ n: number }>(`SELECT COUNT(*) AS n ${where.text}`, where.params);
  return Number(row?.n ?? 0);
}
