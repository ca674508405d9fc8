/**
 * The task contract. A feature declares each kind of long job once with
 * `defineTaskKind`, creates tasks of it with `createTask`, and a worker runs
 * them by calling `run(params, ctx)`.
 *
 * Glossary: a *task* is one durable row in `tasks`; an *attempt* is one run of
 * its handler by one worker, which holds the task's *lease* (owner + expiry,
 * renewed by heartbeats) for the duration. A task succeeds once, but a handler
 * may run more than once (retries, a crashed worker), so effects that must
 * happen once go through `ctx.commit`.
 */
import type { Queryable } from '../persistence/database.ts';
import type { Logger } from './logger.ts';

export interface TaskContext<R = unknown> {
  readonly taskId: number;
  readonly tenantId: number;
  /** 1 on the first run, 2 on the first retry, … */
  readonly attempt: number;
  /**
   * Aborted when the task is cancelled, passes its deadline or the kind's
   * timeout, when this worker loses the lease, or when the worker shuts down.
   * Handlers pass it to their I/O or check it between steps.
   */
  readonly signal: AbortSignal;
  /**
   * Records how far the task got; cheap to call per row, since it is written
   * at most a few times a second. `total` replaces the total given at creation.
   */
  reportProgress(done: number, total?: number): void;
  /**
   * Runs `fn` in one transaction with marking the task succeeded (result =
   * what `fn` returns), and commits only while this attempt still holds the
   * lease; otherwise rolls back and throws. This is how an effect (an artifact
   * row, …) happens exactly once. Call it last and return its value.
   */
  commit(fn: (tx: Queryable) => Promise<R>): Promise<R>;
  readonly log: Logger;
}

export interface TaskKind<P = unknown, R = unknown> {
  /** Stable name stored in `tasks.kind`, e.g. `vul-export`. */
  readonly kind: string;
  /** How long one attempt may run before it is aborted and counts as failed. */
  readonly timeoutMs: number;
  /** Attempts before the task fails for good; `createTask` may override it per task. */
  readonly maxAttempts: number;
  /** How many tasks of this kind one worker runs at once. */
  readonly concurrency: number;
  /** Delay before the second attempt; it doubles each retry, up to 10 minutes. (Default: 5 s) */
  readonly retryDelayMs: number;
  run(params: P, ctx: TaskContext<R>): Promise<R>;
}

export type TaskKindOptions<P, R> = Omit<TaskKind<P, R>, 'retryDelayMs'> & { retryDelayMs?: number };

const MAX_RETRY_DELAY_MS = 10 * 60_000;

export function defineTaskKind<P, R>(options: TaskKindOptions<P, R>): TaskKind<P, R> {
  if (!/^[a-z][a-z0-9.-]*$/.test(options.kind)) {
    throw new Error(`Task kind "${options.kind}": use lower-case letters, digits, "." and "-".`);
  }
  const definition = { retryDelayMs: 5_000, ...options };
  for (const field of ['timeoutMs', 'maxAttempts', 'concurrency', 'retryDelayMs'] as const) {
    const value = definition[field];
    const least = field === 'retryDelayMs' ? 0 : 1;
    if (!Number.isSafeInteger(value) || value < least) {
      throw new Error(`Task kind "${options.kind}": ${field} must be an integer ≥ ${least}, not ${value}.`);
    }
  }
  return definition;
}

/** When the attempt after `attempt` may start: exponential backoff from the kind's retry delay. */
export function retryAt(kind: Pick<TaskKind, 'retryDelayMs'>, attempt: number, now: number): number {
  return now + Math.min(kind.retryDelayMs * 2 ** (attempt - 1), MAX_RETRY_DELAY_MS);
}

/**
 * Thrown by a handler to fail the task at once, without retrying: the input
 * cannot work (a scope that matches nothing, a file that is gone). `code` and
 * the message are stored on the task for the operator; say what to do next.
 */
export class PermanentTaskError extends Error {
  readonly code: string;

  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'PermanentTaskError';
    this.code = options.code ?? 'TaskFailed';
  }
}
