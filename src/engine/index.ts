/**
 * The task engine's public face, for services and the CLI. The claim, lease
 * and housekeeping functions in tasks.ts are the worker's business.
 */
export { consoleLogger, type Logger, type LogFields } from './logger.ts';
export {
  PermanentTaskError,
  defineTaskKind,
  type TaskContext,
  type TaskKind,
  type TaskKindOptions,
} from './registry.ts';
export { FINAL_STATUSES, isFinal, type FinalStatus, type TaskStatus } from './task-status.ts';
export {
  cancelTask,
  countUnfinishedTasks,
  findUnfinishedTask,
  createTask,
  getTask,
  sweepTasks,
  type CreateTaskOptions,
  type SweepOptions,
  type Task,
} from './tasks.ts';
export { makeWorker, type StopOptions, type Worker, type WorkerOptions } from './worker.ts';
