/**
 * One-time tasks over hosts (Sas `GenerateOnceTask` and friends). Parapet
 * runs `ASSETS_COLLECTION` today: every targeted agent collects its host's
 * packages, processes, ports and users. A task is a fan-out task; its Sas
 * TaskId (32 hex) is deterministic — a hash of the tenant, the request and
 * the second it arrived — and kept as the task's idempotency key, so the same
 * request retried (or received by two nodes) within that second is one task.
 */
import { createHash } from 'node:crypto';
import { ParapetError, invalidParameter, parseJsonParameter } from '../domain/errors.ts';
import {
  cancelFanOutTask,
  countTasks,
  countUnfinishedTasks,
  createFanOutTask,
  fanOutCounts,
  getTaskByKey,
  listTargets,
  listTasks,
  type FanOutCounts,
  type FanOutTarget,
  type Task,
  type TaskStatus,
} from '../engine/index.ts';
import type { HostRef } from '../domain/hosts.ts';
import { findTargetHosts } from '../persistence/agents.ts';
import { hostRefs } from '../persistence/hosts.ts';
import { LOCKS, lockTenant } from '../persistence/locks.ts';
import type { AppContext } from './context.ts';
import { ASSETS_COLLECTION_KIND, type AssetsCollectionParams } from './fan-out-kinds.ts';
import { resolveTargetHosts, type TargetSelection } from './target-hosts.ts';

/** The task types of the Sas API, and the ones Parapet runs. */
export const ONCE_TASK_TYPES = [
  'CLIENT_PROBLEM_CHECK',
  'CLIENT_DEV_OPS',
  'ASSET_SECURITY_CHECK',
  'ASSETS_COLLECTION',
  'IMAGE_SCAN',
  'AI_SECURITY_CHECK',
  'IDC_PROBE_SCAN',
  'ATTACK_SURFACE_SCAN',
  'ASSET_EXPOSURE_SCAN',
  'VUL_CHECK_TASK',
  'ASSET_REFRESH_HOST',
] as const;
export type OnceTaskType = (typeof ONCE_TASK_TYPES)[number];
export const RUNNABLE_ONCE_TASK_TYPES: readonly OnceTaskType[] = ['ASSETS_COLLECTION'];

/** At most this many unfinished one-time tasks per tenant (the cloud's limit): `CanCreate: false` beyond. */
export const MAX_UNFINISHED_ONCE_TASKS = 10;
const MAX_TIMEOUT_SECONDS = 7 * 86_400;

export interface OnceTaskRequest {
  taskType: OnceTaskType;
  taskName: string;
  /** The Sas `Param` JSON text: `{}`, `{"uuids":"u1,u2"}`, `{"groupIds":"1,2"}`, `"timeout": SECONDS`. */
  param: string;
  source: string;
}

export interface OnceTaskView {
  onceTaskId: string;
  task: Task<AssetsCollectionParams>;
  counts: FanOutCounts;
}

function checkRunnable(taskType: OnceTaskType): void {
  if (!RUNNABLE_ONCE_TASK_TYPES.includes(taskType)) {
    throw new ParapetError(
      'TaskType.NotSupported',
      `TaskType ${taskType} is not run by Parapet yet: one-time tasks run ${RUNNABLE_ONCE_TASK_TYPES.join(', ')} ` +
        '(vulnerability checks and image scans arrive with vulnerability detection).',
    );
  }
}

function commaList(value: unknown, name: string): string[] {
  if (typeof value !== 'string')
    throw invalidParameter(`Param.${name}`, 'it is not a comma-separated string');
  return value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/** Reads `Param`: which hosts, and the per-host deadline. */
export function parseOnceTaskParam(text: string): {
  selection: TargetSelection;
  timeoutMs: number | undefined;
} {
  const param = parseJsonParameter(text, 'Param');
  if (typeof param !== 'object' || param === null || Array.isArray(param)) {
    throw invalidParameter('Param', 'it is not a JSON object');
  }
  const { uuids, groupIds, timeout } = param as Record<string, unknown>;
  const uuidList = uuids === undefined ? [] : commaList(uuids, 'uuids');
  const groupList = groupIds === undefined ? [] : commaList(groupIds, 'groupIds');
  if (!groupList.every((id) => /^\d{1,15}$/.test(id)))
    throw invalidParameter('Param.groupIds', 'a group id is not a number');
  if (
    timeout !== undefined &&
    (typeof timeout !== 'number' ||
      !Number.isInteger(timeout) ||
      timeout < 1 ||
      timeout > MAX_TIMEOUT_SECONDS)
  ) {
    throw invalidParameter(
      'Param.timeout',
      `it is not a whole number of seconds in 1..${MAX_TIMEOUT_SECONDS}`,
    );
  }
  const selection: TargetSelection =
    uuidList.length === 0 && groupList.length === 0
      ? 'all'
      : { uuids: uuidList, groupIds: groupList.map(Number) };
  return { selection, timeoutMs: timeout === undefined ? undefined : timeout * 1000 };
}

export type GenerateResult =
  { created: true; view: OnceTaskView } | { created: false; last: OnceTaskView | undefined };

export async function generateOnceTask(
  app: AppContext,
  tenantId: number,
  request: OnceTaskRequest,
): Promise<GenerateResult> {
  checkRunnable(request.taskType);
  const { selection, timeoutMs } = parseOnceTaskParam(request.param);
  const now = app.now();
  const onceTaskId = createHash('sha256')
    .update(
      JSON.stringify([tenantId, request.taskType, request.taskName, request.param, Math.floor(now / 1000)]),
    )
    .digest('hex')
    .slice(0, 32);
  const task = await app.db.withTransaction(async (tx) => {
    await lockTenant(tx, LOCKS.onceTasks, tenantId);
    const hostIds = await resolveTargetHosts(tx, tenantId, selection);
    const existing = await getTaskByKey(tx, tenantId, ASSETS_COLLECTION_KIND.kind, onceTaskId);
    if (existing) return existing as Task<AssetsCollectionParams>;
    if ((await countUnfinishedTasks(tx, tenantId, [ASSETS_COLLECTION_KIND])) >= MAX_UNFINISHED_ONCE_TASKS) {
      return undefined;
    }
    return createFanOutTask<AssetsCollectionParams>(tx, {
      tenantId,
      kind: ASSETS_COLLECTION_KIND,
      params: {
        taskType: 'ASSETS_COLLECTION',
        taskName: request.taskName,
        source: request.source,
        param: request.param,
        onceTaskId,
      },
      hostIds,
      targetTimeoutMs: timeoutMs ?? app.agents.assetsTimeoutMs,
      idempotencyKey: onceTaskId,
    });
  });
  if (!task) return { created: false, last: await lastOnceTask(app, tenantId, request.taskType) };
  return { created: true, view: await viewOf(app, task) };
}

async function viewOf(app: AppContext, task: Task<AssetsCollectionParams>): Promise<OnceTaskView> {
  const counts = (await fanOutCounts(app.db, [task.id])).get(task.id);
  return { onceTaskId: task.params.onceTaskId, task, counts: counts ?? emptyCounts(task) };
}

function emptyCounts(task: Task): FanOutCounts {
  return {
    total: task.totalCount,
    queued: 0,
    running: 0,
    succeeded: 0,
    failed: 0,
    timedOut: 0,
    cancelled: 0,
    answered: 0,
    progress: 0,
  };
}

/** A one-time task of the tenant by its Sas TaskId; Task.NotFound otherwise. */
export async function getOnceTask(
  app: AppContext,
  tenantId: number,
  onceTaskId: string,
): Promise<OnceTaskView> {
  const task = await getTaskByKey(app.db, tenantId, ASSETS_COLLECTION_KIND.kind, onceTaskId);
  if (!task)
    throw new ParapetError(
      'Task.NotFound',
      `No one-time task of this account has the TaskId ${JSON.stringify(onceTaskId.slice(0, 64))}.`,
    );
  return viewOf(app, task as Task<AssetsCollectionParams>);
}

/** The tenant's latest one-time task of the type, if any. */
export async function lastOnceTask(
  app: AppContext,
  tenantId: number,
  taskType: OnceTaskType,
): Promise<OnceTaskView | undefined> {
  if (!RUNNABLE_ONCE_TASK_TYPES.includes(taskType)) return undefined;
  const [task] = await listTasks(
    app.db,
    tenantId,
    { kinds: [ASSETS_COLLECTION_KIND.kind] },
    { offset: 0, limit: 1 },
  );
  return task && viewOf(app, task as Task<AssetsCollectionParams>);
}

export interface OnceTaskListQuery {
  taskType: OnceTaskType | undefined;
  onceTaskId: string | undefined;
  statuses: readonly TaskStatus[] | undefined;
  createdFrom: number | undefined;
  createdTo: number | undefined;
}

/** A page of one-time tasks, newest first, with each task's targets. */
export async function listOnceTasks(
  app: AppContext,
  tenantId: number,
  query: OnceTaskListQuery,
  page: { currentPage: number; pageSize: number },
): Promise<{ items: OnceTaskWithTargets[]; totalCount: number }> {
  if (query.taskType !== undefined && !RUNNABLE_ONCE_TASK_TYPES.includes(query.taskType)) {
    return { items: [], totalCount: 0 };
  }
  if (query.onceTaskId !== undefined) {
    const task = await getTaskByKey(app.db, tenantId, ASSETS_COLLECTION_KIND.kind, query.onceTaskId);
    const view = task && (await viewOf(app, task as Task<AssetsCollectionParams>));
    return view
      ? { items: [await withTargets(app, tenantId, view)], totalCount: 1 }
      : { items: [], totalCount: 0 };
  }
  const listQuery = {
    kinds: [ASSETS_COLLECTION_KIND.kind],
    statuses: query.statuses,
    createdFrom: query.createdFrom,
    createdTo: query.createdTo,
  };
  const [tasks, totalCount] = await Promise.all([
    listTasks(app.db, tenantId, listQuery, {
      offset: (page.currentPage - 1) * page.pageSize,
      limit: page.pageSize,
    }),
    countTasks(app.db, tenantId, listQuery),
  ]);
  const counts = await fanOutCounts(
    app.db,
    tasks.map((t) => t.id),
  );
  const items = await Promise.all(
    tasks.map((task) =>
      withTargets(app, tenantId, {
        onceTaskId: (task as Task<AssetsCollectionParams>).params.onceTaskId,
        task: task as Task<AssetsCollectionParams>,
        counts: counts.get(task.id) ?? emptyCounts(task),
      }),
    ),
  );
  return { items, totalCount };
}

export interface OnceTaskWithTargets extends OnceTaskView {
  targets: { target: FanOutTarget; host: HostRef | undefined }[];
}

async function withTargets(
  app: AppContext,
  tenantId: number,
  view: OnceTaskView,
): Promise<OnceTaskWithTargets> {
  const targets = await listTargets(app.db, view.task.id);
  const hosts = await hostRefs(
    app.db,
    tenantId,
    targets.map((t) => t.hostId),
  );
  return { ...view, targets: targets.map((target) => ({ target, host: hosts.get(target.hostId) })) };
}

/** The tenant's unfinished one-time tasks, optionally only those that include the host `uuid`. */
export async function listUnfinishedOnceTasks(
  app: AppContext,
  tenantId: number,
  taskType: OnceTaskType,
  hostUuid: string | undefined,
): Promise<OnceTaskView[]> {
  const { items } = await listOnceTasks(
    app,
    tenantId,
    {
      taskType,
      onceTaskId: undefined,
      statuses: ['queued', 'running'],
      createdFrom: undefined,
      createdTo: undefined,
    },
    { currentPage: 1, pageSize: MAX_UNFINISHED_ONCE_TASKS },
  );
  if (hostUuid === undefined) return items;
  const [host] = await findTargetHosts(app.db, tenantId, { uuids: [hostUuid], groupIds: [] });
  return items.filter((item) => item.targets.some((t) => t.target.hostId === host?.id));
}

/** Cancels a one-time task; its agents stop at their next progress report. A finished task stays as it is. */
export async function cancelOnceTask(app: AppContext, tenantId: number, onceTaskId: string): Promise<void> {
  const { task } = await getOnceTask(app, tenantId, onceTaskId);
  await cancelFanOutTask(app.db, tenantId, task.id, app.now());
}
