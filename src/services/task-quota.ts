/**
 * Asking for a file-producing task on a user's request (an export, a report):
 * the same request while one is queued or running returns that one, and a
 * tenant has at most `max` unfinished tasks of the kind — checked under a
 * per-tenant lock, so concurrent requests on several nodes cannot exceed it.
 */
import { ParapetError } from '../domain/errors.ts';
import {
  countUnfinishedTasks,
  createTask,
  findUnfinishedTask,
  type Task,
  type TaskKind,
} from '../engine/index.ts';
import type { Database } from '../persistence/database.ts';
import { LOCKS, lockTenant } from '../persistence/locks.ts';

export interface RequestedTask<P> {
  tenantId: number;
  kind: TaskKind<P>;
  params: P;
  /** Identifies "the same request" among unfinished tasks. */
  dedupeKey: string;
  totalCount: number;
}

/** Returns the unfinished task with the same key, or creates one; over `max`, Throttling.ExportLimit with `refusal`. */
export async function requestTask<P>(
  db: Database,
  request: RequestedTask<P>,
  limit: { max: number; refusal: string },
): Promise<Task<P>> {
  const { tenantId, kind, dedupeKey } = request;
  return db.withTransaction(async (tx) => {
    await lockTenant(tx, LOCKS.exportQuota, tenantId);
    const running = await findUnfinishedTask(tx, tenantId, kind, dedupeKey);
    if (running) return running;
    if ((await countUnfinishedTasks(tx, tenantId, [kind])) >= limit.max) {
      throw new ParapetError('Throttling.ExportLimit', limit.refusal);
    }
    return createTask(tx, request);
  });
}
