/**
 * One attempt of one task in a worker: builds the handler's context, keeps the
 * lease alive, enforces the time limits, and records the outcome with fenced
 * writes. Nothing here throws: every failure ends up in the task row or the log.
 */
import { ParapetError, coerceError } from '../domain/errors.ts';
import type { Database } from '../persistence/database.ts';
import { childLogger, type Logger } from './logger.ts';
import { makeProgressReporter } from './progress-reporter.ts';
import { PermanentTaskError, retryAt, type TaskContext, type TaskKind } from './registry.ts';
import {
  DEADLINE_EXCEEDED,
  commitTask,
  finishTask,
  leaseOf,
  renewLease,
  retryTask,
  writeProgress,
  type Lease,
  type Task,
} from './tasks.ts';

/** Why an attempt was stopped from outside; the signal's reason carries it. */
export type InterruptReason = 'cancelled' | 'timeout' | 'deadline' | 'lease-lost' | 'shutdown';

/** The `signal.reason` a handler sees when its attempt is stopped. */
export class TaskInterruptedError extends Error {
  readonly reason: InterruptReason;

  constructor(reason: InterruptReason, message: string) {
    super(message);
    this.name = 'TaskInterruptedError';
    this.reason = reason;
  }
}

export interface AttemptOptions {
  db: Database;
  task: Task;
  kind: TaskKind;
  leaseMs: number;
  heartbeatMs: number;
  log: Logger;
}

export interface RunningAttempt {
  readonly lease: Lease;
  /** Aborts the handler's signal (the first reason wins). */
  interrupt(reason: InterruptReason, message: string): void;
  /** Settles when the outcome is recorded; never rejects. */
  readonly done: Promise<void>;
}

type Outcome = { ok: true; result: unknown } | { ok: false; error: unknown };

// setTimeout fires at once for delays past 2^31 - 1 ms (~24.8 days).
const MAX_TIMER_MS = 2 ** 31 - 1;
const MAX_MESSAGE_LENGTH = 2_000;

export function startAttempt(options: AttemptOptions): RunningAttempt {
  const { db, task, kind, leaseMs, heartbeatMs } = options;
  const lease = leaseOf(task);
  const log = childLogger(options.log, { taskId: task.id, kind: task.kind, attempt: lease.attempt });
  const controller = new AbortController();
  const interrupt = (reason: InterruptReason, message: string) => {
    if (!controller.signal.aborted) controller.abort(new TaskInterruptedError(reason, message));
  };

  const progress = makeProgressReporter({
    totalCount: task.totalCount,
    async write(snapshot) {
      if (!(await writeProgress(db, lease, snapshot))) interrupt('lease-lost', lostLeaseMessage(lease));
    },
    onWriteError: (err) => log.warn('engine: progress write failed', { error: coerceError(err).message }),
  });

  // Heartbeats extend the lease and pick up cancel requests. If they keep
  // failing until the lease runs out, another worker may take the task, so
  // this one stops first.
  let leaseExpiresAt = task.leaseExpiresAt ?? Date.now() + leaseMs;
  let beating = false;
  async function beat(): Promise<void> {
    if (beating) return;
    beating = true;
    try {
      const sentAt = Date.now();
      const state = await renewLease(db, lease, leaseMs);
      if (state === 'lost') interrupt('lease-lost', lostLeaseMessage(lease));
      else leaseExpiresAt = sentAt + leaseMs;
      if (state === 'cancel-requested') interrupt('cancelled', `Task ${task.id} was cancelled.`);
    } catch (err) {
      log.warn('engine: heartbeat failed', { error: coerceError(err).message });
      if (Date.now() >= leaseExpiresAt) interrupt('lease-lost', lostLeaseMessage(lease));
    } finally {
      beating = false;
    }
  }
  const heartbeat = setInterval(() => void beat(), heartbeatMs);

  // One timer for whichever comes first: the kind's timeout or the task's deadline.
  const attemptEndsAt = Date.now() + kind.timeoutMs;
  const deadlineFirst = task.deadlineAt !== undefined && task.deadlineAt <= attemptEndsAt;
  const limitAt = deadlineFirst ? (task.deadlineAt ?? attemptEndsAt) : attemptEndsAt;
  let limitTimer: NodeJS.Timeout | undefined;
  function armLimit(): void {
    const left = limitAt - Date.now();
    if (left > 0) {
      limitTimer = setTimeout(armLimit, Math.min(left, MAX_TIMER_MS));
    } else if (deadlineFirst) {
      interrupt('deadline', `Task ${task.id} passed its deadline.`);
    } else {
      interrupt(
        'timeout',
        `The attempt ran longer than the ${kind.timeoutMs} ms limit for ${kind.kind} tasks.`,
      );
    }
  }
  armLimit();

  let committed = false;
  const ctx: TaskContext = {
    taskId: task.id,
    tenantId: task.tenantId,
    attempt: lease.attempt,
    signal: controller.signal,
    log,
    reportProgress: (done, total) => progress.report(done, total),
    async commit(fn) {
      const result = await commitTask(db, lease, progress.current(), fn);
      committed = true;
      return result;
    },
  };

  // A handler gets one heartbeat interval to stop once its signal aborts;
  // after that the attempt ends without it, so a cancel or a timeout always
  // takes effect. Whatever it does later is fenced off.
  let abandonTimer: NodeJS.Timeout | undefined;
  const abandoned = new Promise<Outcome>((resolve) => {
    controller.signal.addEventListener('abort', () => {
      abandonTimer = setTimeout(() => {
        log.error('engine: the handler ignored its abort signal; abandoning it');
        resolve({ ok: false, error: controller.signal.reason });
      }, heartbeatMs);
    });
  });

  async function run(): Promise<void> {
    const handled = new Promise((resolve) => resolve(kind.run(task.params, ctx))).then(
      (result): Outcome => ({ ok: true, result }),
      (error: unknown): Outcome => ({ ok: false, error }),
    );
    const outcome = await Promise.race([handled, abandoned]);
    clearInterval(heartbeat);
    clearTimeout(limitTimer);
    clearTimeout(abandonTimer);
    await progress.close();
    try {
      if (committed) {
        log.info('engine: task succeeded');
      } else if (outcome.ok) {
        const written = await finishTask(db, lease, {
          status: 'succeeded',
          result: outcome.result,
          ...progress.current(),
        });
        noteLost(written);
        if (written) log.info('engine: task succeeded');
      } else if (controller.signal.aborted) {
        await settleInterrupted(controller.signal.reason as TaskInterruptedError);
      } else {
        await settleFailure(coerceError(outcome.error));
      }
    } catch (err) {
      // The database is unreachable: the lease runs out and the task is
      // claimed again, so nothing is lost but time.
      log.error('engine: could not record the outcome', { error: coerceError(err).message });
    }
  }

  function noteLost(written: boolean): void {
    if (!written) log.warn(`engine: outcome not recorded: ${lostLeaseMessage(lease)}`);
  }

  async function settleInterrupted(interruption: TaskInterruptedError): Promise<void> {
    switch (interruption.reason) {
      case 'cancelled':
        noteLost(await finishTask(db, lease, { status: 'cancelled' }));
        log.info('engine: task cancelled');
        return;
      case 'deadline':
        noteLost(await finishTask(db, lease, { status: 'timed_out', ...DEADLINE_EXCEEDED }));
        log.warn('engine: task passed its deadline');
        return;
      case 'timeout':
        await retryOrEnd('TaskTimedOut', interruption.message, 'timed_out');
        return;
      case 'lease-lost':
      case 'shutdown':
        // Someone else holds the task now (or will, once the worker releases it).
        log.warn(`engine: attempt stopped: ${interruption.message}`);
        return;
    }
  }

  async function settleFailure(error: Error): Promise<void> {
    const code =
      error instanceof PermanentTaskError || error instanceof ParapetError ? error.code : 'TaskFailed';
    if (error instanceof PermanentTaskError) {
      noteLost(
        await finishTask(db, lease, {
          status: 'failed',
          errorCode: code,
          errorMessage: truncate(error.message),
        }),
      );
      log.error('engine: task failed (not retried)', { error: error.message });
      return;
    }
    await retryOrEnd(code, error.message, 'failed', error.stack);
  }

  async function retryOrEnd(
    errorCode: string,
    message: string,
    finalStatus: 'failed' | 'timed_out',
    stack?: string,
  ): Promise<void> {
    if (lease.attempt < task.maxAttempts) {
      const runAfter = retryAt(kind, lease.attempt, Date.now());
      const errorMessage = truncate(
        `Attempt ${lease.attempt} of ${task.maxAttempts} failed: ${sentence(message)} ` +
          `It is retried at ${new Date(runAfter).toISOString()}.`,
      );
      noteLost(await retryTask(db, lease, { runAfter, errorCode, errorMessage }));
      log.warn('engine: attempt failed; will retry', { error: message, stack });
    } else {
      const errorMessage = truncate(`Failed after ${lease.attempt} attempt(s): ${sentence(message)}`);
      noteLost(await finishTask(db, lease, { status: finalStatus, errorCode, errorMessage }));
      log.error('engine: task failed', { error: message, stack });
    }
  }

  return { lease, interrupt, done: run() };
}

function lostLeaseMessage(lease: Lease): string {
  return `task ${lease.taskId} attempt ${lease.attempt} lost its lease (it ran out and another worker took the task over).`;
}

function sentence(message: string): string {
  return /[.!?]$/.test(message) ? message : `${message}.`;
}

function truncate(message: string): string {
  return message.length > MAX_MESSAGE_LENGTH ? `${message.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : message;
}
