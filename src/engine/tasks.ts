/**
 * The `tasks` repository: every read and state change of a task, and all of
 * the engine's SQL.
 *
 * Invariants:
 * - Status only moves forward. A final row is never updated again.
 * - Every write a worker makes is fenced by its lease: `status = 'running'
 *   AND lease_owner = ? AND attempts = ?`. A worker whose lease ran out and was
 *   taken over (a zombie) therefore changes nothing.
 * - Times are epoch milliseconds from the writer's clock.
 */
import { invalidParameter } from '../domain/errors.ts';
import { capabilities, type Database, type Queryable, type SqlValue } from '../persistence/database.ts';
import type { TaskKind } from './registry.ts';
import { FINAL_STATUSES, type TaskStatus } from './task-status.ts';

export interface Task<P = unknown> {
  id: number;
  tenantId: number;
  kind: string;
  params: P;
  status: TaskStatus;
  /** 0–100, derived from doneCount/totalCount; 100 only once succeeded. */
  progress: number;
  doneCount: number;
  totalCount: number;
  /** The handler's return value (JSON), once succeeded. */
  result: unknown;
  /**
   * Why the task failed or timed out, or why its last attempt failed while it
   * waits for a retry: `TaskFailed` (the handler threw), `TaskTimedOut` (an
   * attempt ran past the kind's timeout), `TaskDeadlineExceeded`,
   * `TaskAbandoned` (the worker died on the last attempt), or the code of a
   * PermanentTaskError or ParapetError the handler threw.
   */
  errorCode: string | undefined;
  /** Written for an operator: what happened and what to do next. */
  errorMessage: string | undefined;
  attempts: number;
  maxAttempts: number;
  /** The worker holding the task (or, once final, the one that held it last). */
  leaseOwner: string | undefined;
  leaseExpiresAt: number | undefined;
  runAfter: number;
  deadlineAt: number | undefined;
  cancelRequested: boolean;
  idempotencyKey: string | undefined;
  createdAt: number;
  startedAt: number | undefined;
  finishedAt: number | undefined;
  updatedAt: number;
}

interface TaskRow {
  id: number;
  tenant_id: number;
  kind: string;
  params: string;
  status: TaskStatus;
  progress: number;
  done_count: number;
  total_count: number;
  result: string | null;
  error_code: string | null;
  error_message: string | null;
  attempts: number;
  max_attempts: number;
  lease_owner: string | null;
  lease_expires_at: number | null;
  run_after: number;
  deadline_at: number | null;
  cancel_requested: number;
  idempotency_key: string | null;
  dedupe_key: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  updated_at: number;
}

function toTask(row: TaskRow): Task {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    kind: row.kind,
    params: JSON.parse(row.params) as unknown,
    status: row.status,
    progress: row.progress,
    doneCount: row.done_count,
    totalCount: row.total_count,
    result: row.result === null ? undefined : (JSON.parse(row.result) as unknown),
    errorCode: row.error_code ?? undefined,
    errorMessage: row.error_message ?? undefined,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    leaseOwner: row.lease_owner ?? undefined,
    leaseExpiresAt: row.lease_expires_at ?? undefined,
    runAfter: row.run_after,
    deadlineAt: row.deadline_at ?? undefined,
    cancelRequested: row.cancel_requested === 1,
    idempotencyKey: row.idempotency_key ?? undefined,
    createdAt: row.created_at,
    startedAt: row.started_at ?? undefined,
    finishedAt: row.finished_at ?? undefined,
    updatedAt: row.updated_at,
  };
}

// ---------------------------------------------------------------------------
// Creating, reading and cancelling (called by services, tenant-scoped)

export interface CreateTaskOptions<P> {
  tenantId: number;
  /** A worker's kind, or a fan-out kind (fan-out.ts), which no worker claims. */
  kind: Pick<TaskKind<P>, 'kind' | 'maxAttempts'>;
  params: P;
  /**
   * The same (tenant, kind, key) returns the task created first, whatever its
   * status, instead of creating another.
   */
  idempotencyKey?: string;
  /**
   * While a task of the same (tenant, kind, key) is queued or running, it is
   * returned instead of creating another; once it is final, a new one starts.
   * (Asking again for the same export while it runs.)
   */
  dedupeKey?: string;
  /** How many items the task will process, if known up front. (Default: 0, unknown) */
  totalCount?: number;
  /** Epoch ms after which the task becomes `timed_out`, queued or running. (Default: none) */
  deadlineAt?: number;
  /** (Default: the kind's maxAttempts) */
  maxAttempts?: number;
}

/**
 * Queues a task. Takes a Queryable so a service can create it in the same
 * transaction as the rows it depends on.
 */
export async function createTask<P>(db: Queryable, options: CreateTaskOptions<P>): Promise<Task<P>> {
  const { tenantId, kind, idempotencyKey, dedupeKey } = options;
  const maxAttempts = options.maxAttempts ?? kind.maxAttempts;
  const totalCount = options.totalCount ?? 0;
  if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1) {
    throw invalidParameter('maxAttempts', 'it must be a positive integer.');
  }
  if (!Number.isSafeInteger(totalCount) || totalCount < 0) {
    throw invalidParameter('totalCount', 'it must be a non-negative integer.');
  }
  const now = Date.now();
  // Both unique keys may conflict; DO NOTHING without a target covers each.
  // The task we collided with may finish between the insert and the read, so
  // try twice.
  for (let round = 0; round < 2; round++) {
    const inserted = await db.get<TaskRow>(
      `INSERT INTO tasks (tenant_id, kind, params, status, progress, done_count, total_count, attempts,
         max_attempts, run_after, deadline_at, cancel_requested, idempotency_key, dedupe_key, created_at,
         updated_at)
       VALUES (?, ?, ?, 'queued', 0, 0, ?, 0, ?, ?, ?, 0, ?, ?, ?, ?)
       ON CONFLICT DO NOTHING
       RETURNING *`,
      [
        tenantId,
        kind.kind,
        JSON.stringify(options.params),
        totalCount,
        maxAttempts,
        now,
        options.deadlineAt ?? null,
        idempotencyKey ?? null,
        dedupeKey ?? null,
        now,
        now,
      ],
    );
    if (inserted) return toTask(inserted) as Task<P>;
    const keyed =
      idempotencyKey === undefined
        ? undefined
        : await db.get<TaskRow>(
            'SELECT * FROM tasks WHERE tenant_id = ? AND kind = ? AND idempotency_key = ?',
            [tenantId, kind.kind, idempotencyKey],
          );
    if (keyed) return toTask(keyed) as Task<P>;
    const unfinished =
      dedupeKey === undefined ? undefined : await findUnfinishedTask(db, tenantId, kind.kind, dedupeKey);
    if (unfinished) return unfinished as Task<P>;
  }
  throw new Error(`Task ${kind.kind} conflicted on insert but the conflicting task cannot be read.`);
}

/** A task of this tenant; another tenant's id reads as missing. */
export async function getTask(db: Queryable, tenantId: number, id: number): Promise<Task | undefined> {
  const row = await db.get<TaskRow>('SELECT * FROM tasks WHERE tenant_id = ? AND id = ?', [tenantId, id]);
  return row && toTask(row);
}

/** The tenant's task of this kind created with this idempotency key, if any. */
export async function getTaskByKey(
  db: Queryable,
  tenantId: number,
  kind: string,
  idempotencyKey: string,
): Promise<Task | undefined> {
  const row = await db.get<TaskRow>(
    'SELECT * FROM tasks WHERE tenant_id = ? AND kind = ? AND idempotency_key = ?',
    [tenantId, kind, idempotencyKey],
  );
  return row && toTask(row);
}

export interface TaskListQuery {
  kinds: readonly string[];
  statuses?: readonly TaskStatus[];
  /** Created at or after, epoch ms. */
  createdFrom?: number;
  /** Created at or before, epoch ms. */
  createdTo?: number;
}

function whereTasks(tenantId: number, query: TaskListQuery): { text: string; params: SqlValue[] } {
  const parts = ['tenant_id = ?', `kind IN (${query.kinds.map(() => '?').join(', ')})`];
  const params: SqlValue[] = [tenantId, ...query.kinds];
  if (query.statuses) {
    parts.push(`status IN (${query.statuses.map(() => '?').join(', ') || 'NULL'})`);
    params.push(...query.statuses);
  }
  if (query.createdFrom !== undefined) {
    parts.push('created_at >= ?');
    params.push(query.createdFrom);
  }
  if (query.createdTo !== undefined) {
    parts.push('created_at <= ?');
    params.push(query.createdTo);
  }
  return { text: parts.join(' AND '), params };
}

/** A page of the tenant's tasks of these kinds, newest first. */
export async function listTasks(
  db: Queryable,
  tenantId: number,
  query: TaskListQuery,
  page: { offset: number; limit: number },
): Promise<Task[]> {
  const where = whereTasks(tenantId, query);
  const rows = await db.all<TaskRow>(
    `SELECT * FROM tasks WHERE ${where.text} ORDER BY id DESC LIMIT ? OFFSET ?`,
    [...where.params, page.limit, page.offset],
  );
  return rows.map(toTask);
}

export async function countTasks(db: Queryable, tenantId: number, query: TaskListQuery): Promise<number> {
  const where = whereTasks(tenantId, query);
  const row = await db.get<{ n: number }>(
    `SELECT COUNT(*) AS n FROM tasks WHERE ${where.text}`,
    where.params,
  );
  return Number(row?.n ?? 0);
}

/** The tenant's queued or running task of this kind with this dedupe key, if any. */
export async function findUnfinishedTask<P>(
  db: Queryable,
  tenantId: number,
  kind: TaskKind<P> | string,
  dedupeKey: string,
): Promise<Task<P> | undefined> {
  const row = await db.get<TaskRow>(
    `SELECT * FROM tasks WHERE tenant_id = ? AND kind = ? AND dedupe_key = ? AND status IN ('queued', 'running')`,
    [tenantId, typeof kind === 'string' ? kind : kind.kind, dedupeKey],
  );
  return row && (toTask(row) as Task<P>);
}

/** How many of the tenant's tasks of these kinds are queued or running. */
export async function countUnfinishedTasks(
  db: Queryable,
  tenantId: number,
  kinds: readonly Pick<TaskKind, 'kind'>[],
): Promise<number> {
  const row = await db.get<{ n: number }>(
    `SELECT COUNT(*) AS n FROM tasks
     WHERE tenant_id = ? AND kind IN (${kinds.map(() => '?').join(', ')}) AND status IN ('queued', 'running')`,
    [tenantId, ...kinds.map((kind) => kind.kind)],
  );
  return Number(row?.n ?? 0);
}

/**
 * A queued task is cancelled at once; a running one is flagged, and its worker
 * aborts the handler and marks it cancelled (or, if that worker is gone, the
 * next expiry pass does). Returns the task as it now is.
 */
export async function cancelTask(db: Queryable, tenantId: number, id: number): Promise<Task | undefined> {
  const now = Date.now();
  const row =
    (await db.get<TaskRow>(
      `UPDATE tasks SET status = 'cancelled', finished_at = ?, updated_at = ?
       WHERE tenant_id = ? AND id = ? AND status = 'queued' RETURNING *`,
      [now, now, tenantId, id],
    )) ??
    (await db.get<TaskRow>(
      `UPDATE tasks SET cancel_requested = 1, updated_at = ?
       WHERE tenant_id = ? AND id = ? AND status = 'running' RETURNING *`,
      [now, tenantId, id],
    ));
  return row ? toTask(row) : getTask(db, tenantId, id);
}

// ---------------------------------------------------------------------------
// Claiming and the fenced writes of the worker holding a task

/** A worker's hold on one attempt of a task: the fencing token of its writes. */
export interface Lease {
  readonly taskId: number;
  readonly owner: string;
  readonly attempt: number;
}

export interface ClaimOptions {
  owner: string;
  /** Only tasks of these kinds are claimed (the ones with a free slot in this worker). */
  kinds: readonly string[];
  leaseMs: number;
  /** At most this many running tasks per tenant, across all workers. */
  tenantConcurrency: number;
}

// Any constant works; every Parapet node must use the same one.
const CLAIM_LOCK_ID = 7_271_002;

/**
 * Takes the next task to run: a queued one whose run_after has come, or a
 * running one whose lease expired (its worker crashed), oldest first, within
 * the tenant's concurrency cap. Starts a new attempt under `owner`'s lease.
 */
export async function claimTask(db: Database, options: ClaimOptions): Promise<Task | undefined> {
  const { owner, kinds, leaseMs, tenantConcurrency } = options;
  if (kinds.length === 0) return undefined;
  const { lockForClaim, advisoryLocks } = capabilities[db.dialect];
  const now = Date.now();
  return db.withTransaction(async (tx) => {
    // The tenant cap counts other rows, which row locks cannot protect: two
    // claimers could each see a free slot. Claims are short, so serialise them.
    if (advisoryLocks) await tx.run('SELECT pg_advisory_xact_lock(?)', [CLAIM_LOCK_ID]);
    const row = await tx.get<TaskRow>(
      `UPDATE tasks SET status = 'running', lease_owner = ?, lease_expires_at = ?, attempts = attempts + 1,
         progress = 0, done_count = 0, started_at = COALESCE(started_at, ?), updated_at = ?
       WHERE id = (
         SELECT t.id FROM tasks t
         WHERE t.kind IN (${kinds.map(() => '?').join(', ')})
           AND ((t.status = 'queued' AND t.run_after <= ?) OR (t.status = 'running' AND t.lease_expires_at < ?))
           AND t.attempts < t.max_attempts AND t.cancel_requested = 0
           AND (t.deadline_at IS NULL OR t.deadline_at > ?)
           AND (SELECT COUNT(*) FROM tasks r
                WHERE r.tenant_id = t.tenant_id AND r.status = 'running' AND r.lease_expires_at >= ?) < ?
         ORDER BY t.run_after, t.id
         LIMIT 1 ${lockForClaim})
       RETURNING *`,
      [owner, now + leaseMs, now, now, ...kinds, now, now, now, now, tenantConcurrency],
    );
    return row && toTask(row);
  });
}

export function leaseOf(task: Task): Lease {
  if (task.status !== 'running' || task.leaseOwner === undefined) {
    throw new Error(`Task ${task.id} is ${task.status}, not held by a worker.`);
  }
  return { taskId: task.id, owner: task.leaseOwner, attempt: task.attempts };
}

const FENCE = `id = ? AND status = 'running' AND lease_owner = ? AND attempts = ?`;
const fenceParams = (lease: Lease): SqlValue[] => [lease.taskId, lease.owner, lease.attempt];

/**
 * The one write path of a worker: updates `columns` only while `lease` still
 * holds the task. Returns the task's cancel flag, or undefined when the lease
 * is lost (nothing was written).
 */
async function updateLeased(
  db: Queryable,
  lease: Lease,
  columns: Record<string, SqlValue>,
): Promise<{ cancel_requested: number } | undefined> {
  const assignments = [...Object.keys(columns), 'updated_at'].map((name) => `${name} = ?`).join(', ');
  return db.get<{ cancel_requested: number }>(
    `UPDATE tasks SET ${assignments} WHERE ${FENCE} RETURNING cancel_requested`,
    [...Object.values(columns), Date.now(), ...fenceParams(lease)],
  );
}

export type LeaseState = 'held' | 'cancel-requested' | 'lost';

/** The heartbeat: extends the lease and reports whether a cancel was asked for. */
export async function renewLease(db: Queryable, lease: Lease, leaseMs: number): Promise<LeaseState> {
  const row = await updateLeased(db, lease, { lease_expires_at: Date.now() + leaseMs });
  if (!row) return 'lost';
  return row.cancel_requested === 1 ? 'cancel-requested' : 'held';
}

export interface Progress {
  doneCount: number;
  totalCount: number;
  /** 0–100 */
  progress: number;
}

/** Returns false when the lease is lost. */
export async function writeProgress(db: Queryable, lease: Lease, progress: Progress): Promise<boolean> {
  const row = await updateLeased(db, lease, {
    done_count: progress.doneCount,
    total_count: progress.totalCount,
    progress: progress.progress,
  });
  return row !== undefined;
}

export type TaskOutcome =
  | { status: 'succeeded'; result: unknown; doneCount: number; totalCount: number }
  | { status: 'failed' | 'timed_out'; errorCode: string; errorMessage: string }
  | { status: 'cancelled' };

/** Ends the task in a final state. Returns false when the lease is lost. */
export async function finishTask(db: Queryable, lease: Lease, outcome: TaskOutcome): Promise<boolean> {
  const ended = { status: outcome.status, finished_at: Date.now() };
  let columns: Record<string, SqlValue>;
  switch (outcome.status) {
    case 'succeeded':
      columns = {
        ...ended,
        result: outcome.result === undefined ? null : JSON.stringify(outcome.result),
        done_count: outcome.doneCount,
        total_count: outcome.totalCount,
        progress: 100,
        error_code: null,
        error_message: null,
      };
      break;
    case 'failed':
    case 'timed_out':
      columns = { ...ended, error_code: outcome.errorCode, error_message: outcome.errorMessage };
      break;
    case 'cancelled':
      columns = ended;
      break;
  }
  return (await updateLeased(db, lease, columns)) !== undefined;
}

export interface RetryOptions {
  runAfter: number;
  errorCode: string;
  errorMessage: string;
}

/** Queues the task again after a failed attempt; the error stays visible meanwhile. */
export async function retryTask(db: Queryable, lease: Lease, retry: RetryOptions): Promise<boolean> {
  const row = await updateLeased(db, lease, {
    status: 'queued',
    run_after: retry.runAfter,
    lease_owner: null,
    lease_expires_at: null,
    error_code: retry.errorCode,
    error_message: retry.errorMessage,
  });
  return row !== undefined;
}

/**
 * Gives the task back without counting the attempt (a worker shutting down),
 * so another worker can take it at once.
 */
export async function releaseTask(db: Queryable, lease: Lease): Promise<boolean> {
  const row = await updateLeased(db, lease, {
    status: 'queued',
    attempts: lease.attempt - 1,
    run_after: Date.now(),
    lease_owner: null,
    lease_expires_at: null,
  });
  return row !== undefined;
}

/**
 * Runs `fn` and marks the task succeeded with its result in one transaction,
 * which commits only if `lease` still holds the task.
 */
export async function commitTask<R>(
  db: Database,
  lease: Lease,
  progress: Omit<Progress, 'progress'>,
  fn: (tx: Queryable) => Promise<R>,
): Promise<R> {
  return db.withTransaction(async (tx) => {
    // Fence first: on PostgreSQL this also locks the row, so no claimer can
    // take the task over while the effect is being written.
    if ((await updateLeased(tx, lease, {})) === undefined) throw new LeaseLostError(lease);
    const result = await fn(tx);
    if (!(await finishTask(tx, lease, { status: 'succeeded', result, ...progress }))) {
      throw new LeaseLostError(lease);
    }
    return result;
  });
}

export class LeaseLostError extends Error {
  constructor(lease: Lease) {
    super(
      `Task ${lease.taskId}: attempt ${lease.attempt} lost its lease to another worker; nothing was written.`,
    );
    this.name = 'LeaseLostError';
  }
}

// ---------------------------------------------------------------------------
// Housekeeping, run by every worker

export const DEADLINE_EXCEEDED = {
  errorCode: 'TaskDeadlineExceeded',
  errorMessage:
    'The task did not finish before its deadline. Create it again with a later deadline or a smaller scope.',
};

// A task nobody holds: queued, or running under a lease that ran out.
const UNHELD = `(status = 'queued' OR (status = 'running' AND lease_expires_at < ?))`;

interface ExpiryRule {
  where: string;
  params: SqlValue[];
  status: TaskStatus;
  errorCode: string | null;
  errorMessage: string | null;
}

/**
 * Ends the tasks that must not run (again) and that no live worker will end:
 * past their deadline, cancelled while their worker was gone, or abandoned by
 * a worker that died on the last attempt. Returns how many it ended.
 */
export async function expireTasks(db: Queryable): Promise<number> {
  const now = Date.now();
  const rules: ExpiryRule[] = [
    { where: 'deadline_at <= ?', params: [now], status: 'timed_out', ...DEADLINE_EXCEEDED },
    { where: 'cancel_requested = 1', params: [], status: 'cancelled', errorCode: null, errorMessage: null },
    {
      where: 'attempts >= max_attempts',
      params: [],
      status: 'failed',
      errorCode: 'TaskAbandoned',
      errorMessage:
        'The worker running the last attempt stopped responding (its lease expired). ' +
        'Check the worker logs for a crash or an out-of-memory kill, then create the task again.',
    },
  ];
  let ended = 0;
  for (const rule of rules) {
    const result = await db.run(
      `UPDATE tasks SET status = ?, error_code = COALESCE(?, error_code), error_message = COALESCE(?, error_message),
         finished_at = ?, updated_at = ?
       WHERE ${rule.where} AND ${UNHELD}`,
      [rule.status, rule.errorCode, rule.errorMessage, now, now, ...rule.params, now],
    );
    ended += result.changes;
  }
  return ended;
}

export interface SweepOptions {
  /** How long final tasks are kept after they finish. (Default: 7 days) */
  retentionMs?: number;
}

/** Deletes final tasks that finished longer ago than the retention. Returns how many. */
export async function sweepTasks(db: Queryable, options: SweepOptions = {}): Promise<number> {
  const retentionMs = options.retentionMs ?? 7 * 24 * 60 * 60_000;
  const doomed = `SELECT id FROM tasks WHERE status IN (${FINAL_STATUSES.map(() => '?').join(', ')}) AND finished_at < ?`;
  const params = [...FINAL_STATUSES, Date.now() - retentionMs];
  // A fan-out task's targets (and any upload left unfinished) go with it.
  await db.run(
    `DELETE FROM target_result_parts WHERE target_id IN (SELECT id FROM task_targets WHERE task_id IN (${doomed}))`,
    params,
  );
  await db.run(`DELETE FROM task_targets WHERE task_id IN (${doomed})`, params);
  const result = await db.run(`DELETE FROM tasks WHERE id IN (${doomed})`, params);
  return result.changes;
}
