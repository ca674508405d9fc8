/**
 * The task state machine: `queued → running → succeeded | failed | timed_out | cancelled`.
 * A retry or a released lease moves `running` back to `queued`; nothing ever
 * leaves a final state. Each API dialect renders these in its own words.
 */
export const TASK_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'timed_out', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** The states a task never leaves (SQL guards use this list). */
export const FINAL_STATUSES = [
  'succeeded',
  'failed',
  'timed_out',
  'cancelled',
] as const satisfies readonly TaskStatus[];
export type FinalStatus = (typeof FINAL_STATUSES)[number];

export function isFinal(status: TaskStatus): status is FinalStatus {
  return (FINAL_STATUSES as readonly TaskStatus[]).includes(status);
}
