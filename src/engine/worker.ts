/**
 * The worker loop: expire, claim, run, repeat. It runs inside `parapet serve`
 * by default or alone as `parapet worker`; any number of workers share one
 * database, and all they share is the `tasks` table.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { coerceError } from '../domain/errors.ts';
import type { Database } from '../persistence/database.ts';
import { startAttempt, type RunningAttempt } from './attempt.ts';
import { childLogger, consoleLogger, type Logger } from './logger.ts';
import type { TaskKind } from './registry.ts';
import { expireTargets } from './fan-out.ts';
import { claimTask, expireTasks, releaseTask, sweepTasks, type Task } from './tasks.ts';

export interface WorkerOptions {
  db: Database;
  /** The kinds this worker runs; it never claims a task of another kind. */
  kinds: readonly TaskKind[];
  /** Names this worker in leases and logs; must be unique. (Default: host:pid:random) */
  owner?: string;
  /** How often an idle worker looks for tasks. (Default: 1000 ms) */
  pollIntervalMs?: number;
  /** How long a claim holds without a heartbeat: a crashed worker's task is taken over after this. (Default: 30 s) */
  leaseMs?: number;
  /** (Default: leaseMs / 3) */
  heartbeatMs?: number;
  /** Running tasks per tenant across all workers; give every worker the same value. (Default: 4) */
  tenantConcurrency?: number;
  /** How long final tasks are kept before the sweep deletes them. (Default: 7 days) */
  retentionMs?: number;
  /** (Default: JSON lines on stderr) */
  log?: Logger;
}

export interface StopOptions {
  /** How long running tasks may go on before their leases are released. (Default: 10 s) */
  graceMs?: number;
}

export interface Worker {
  readonly owner: string;
  start(): void;
  /**
   * For SIGTERM: stops claiming, waits up to `graceMs` for running tasks, then
   * aborts the rest and gives their tasks back (the attempt is not counted),
   * so another worker takes them at once.
   */
  stop(options?: StopOptions): Promise<void>;
}

const SWEEP_INTERVAL_MS = 60 * 60_000;
// After a shutdown abort, handlers get this long to return before stop() resolves.
const SETTLE_MS = 1_000;

export function makeWorker(options: WorkerOptions): Worker {
  const { db } = options;
  const owner = options.owner ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const leaseMs = options.leaseMs ?? 30_000;
  const heartbeatMs = options.heartbeatMs ?? Math.floor(leaseMs / 3);
  const tenantConcurrency = options.tenantConcurrency ?? 4;
  const log = childLogger(options.log ?? consoleLogger, { worker: owner });
  if (heartbeatMs >= leaseMs) {
    throw new Error(`heartbeatMs (${heartbeatMs}) must be shorter than leaseMs (${leaseMs}).`);
  }

  const kinds = new Map<string, TaskKind>();
  for (const kind of options.kinds) {
    if (kinds.has(kind.kind)) throw new Error(`Task kind "${kind.kind}" is registered twice.`);
    kinds.set(kind.kind, kind);
  }

  const running = new Map<number, RunningAttempt & { kind: string }>();
  let state: 'new' | 'started' | 'stopping' | 'stopped' = 'new';
  let stopped: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> | undefined;
  let pollAgain = false;
  let lastExpiryAt = 0;
  let lastSweepAt = 0;

  function schedulePoll(delayMs: number): void {
    if (state !== 'started') return;
    if (polling) {
      pollAgain = true; // the poll in progress polls again as soon as it ends
      return;
    }
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      pollAgain = false;
      polling = poll().finally(() => {
        polling = undefined;
        schedulePoll(pollAgain ? 0 : pollIntervalMs);
      });
    }, delayMs);
  }

  async function poll(): Promise<void> {
    try {
      // Housekeeping runs once per interval, not on every wake-up after a task ends.
      if (Date.now() - lastExpiryAt >= pollIntervalMs) {
        lastExpiryAt = Date.now();
        await expireTasks(db);
        await expireTargets(db, Date.now());
      }
      if (Date.now() - lastSweepAt >= SWEEP_INTERVAL_MS) {
        lastSweepAt = Date.now();
        const deleted = await sweepTasks(db, { retentionMs: options.retentionMs });
        if (deleted > 0) log.info('engine: swept old tasks', { deleted });
      }
      while (state === 'started') {
        const free = [...kinds.values()].filter((kind) => runningOf(kind.kind) < kind.concurrency);
        const task = await claimTask(db, {
          owner,
          kinds: free.map((kind) => kind.kind),
          leaseMs,
          tenantConcurrency,
        });
        if (!task) break;
        run(task);
      }
    } catch (err) {
      log.error('engine: polling for tasks failed; trying again at the next poll', {
        error: coerceError(err).message,
      });
    }
  }

  function runningOf(kind: string): number {
    let count = 0;
    for (const attempt of running.values()) if (attempt.kind === kind) count++;
    return count;
  }

  function run(task: Task): void {
    const kind = kinds.get(task.kind);
    if (!kind) throw new Error(`Claimed task ${task.id} of unknown kind ${task.kind}.`); // the claim filters kinds
    const attempt = startAttempt({ db, task, kind, leaseMs, heartbeatMs, log });
    running.set(task.id, { ...attempt, kind: task.kind });
    void attempt.done.finally(() => {
      running.delete(task.id);
      schedulePoll(0);
    });
  }

  async function shutDown(graceMs: number): Promise<void> {
    state = 'stopping';
    clearTimeout(timer);
    await polling;
    const allDone = () => Promise.allSettled([...running.values()].map((attempt) => attempt.done));
    await waitUpTo(allDone(), graceMs);
    for (const attempt of running.values()) {
      attempt.interrupt('shutdown', 'The worker is shutting down; another worker will run the task.');
      try {
        if (await releaseTask(db, attempt.lease)) {
          log.info('engine: task released', { taskId: attempt.lease.taskId });
        }
      } catch (err) {
        log.error('engine: could not release a task; it is taken over when its lease runs out', {
          taskId: attempt.lease.taskId,
          error: coerceError(err).message,
        });
      }
    }
    await waitUpTo(allDone(), SETTLE_MS);
    state = 'stopped';
  }

  return {
    owner,
    start() {
      if (state !== 'new') return;
      state = 'started';
      schedulePoll(0);
    },
    stop({ graceMs = 10_000 } = {}) {
      stopped ??= shutDown(graceMs);
      return stopped;
    },
  };
}

async function waitUpTo(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
