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
  countTasks,
  getTask,
  getTaskByKey,
  listTasks,
  sweepTasks,
  type TaskListQuery,
  type CreateTaskOptions,
  type SweepOptions,
  type Task,
} from './tasks.ts';
export {
  cancelFanOutTask,
  createFanOutTask,
  defineFanOutKind,
  deliverTargets,
  fanOutCounts,
  getHostTarget,
  countTenantTargets,
  listTargets,
  listTenantTargets,
  recordTargetProgress,
  settleTarget,
  type CreateFanOutOptions,
  type Delivery,
  type FanOutCounts,
  type FanOutKind,
  type FanOutTarget,
  type ProgressAnswer,
  type SettledTarget,
  type TargetOutcome,
  type TenantTargetQuery,
} from './fan-out.ts';
export { makeWorker, type StopOptions, type Worker, type WorkerOptions } from './worker.ts';
