import type { TaskKind } from '../engine/index.ts';

/**
 * Every kind of durable task Parapet runs; each worker (in `parapet serve` or
 * `parapet worker`) registers all of them. Exports, reports and fleet scans
 * add their kinds here as they arrive. Until then workers do the engine's
 * housekeeping: deadlines and the retention sweep.
 */
export const taskKinds: TaskKind[] = [];
