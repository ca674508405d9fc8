/**
 * Virus scans over hosts (Sas `StartVirusScanTask`, `CreateVirusScanOnceTask`
 * and their listings): a fan-out task whose agents walk their paths with the
 * built-in engine and ClamAV and post what they flagged.
 */
import { ParapetError } from '../domain/errors.ts';
import type { HostRef, Page } from '../domain/hosts.ts';
import type { ScanType } from '../domain/virus-scan.ts';
import {
  countTasks,
  countTenantTargets,
  createFanOutTask,
  fanOutCounts,
  getTask,
  listTargets,
  listTasks,
  listTenantTargets,
  type FanOutCounts,
  type FanOutTarget,
  type Task,
  type TaskStatus,
  cancelFanOutTask,
} from '../engine/index.ts';
import { hostRefs } from '../persistence/hosts.ts';
import * as events from '../persistence/virus-events.ts';
import type { VirusEventQuery } from '../persistence/virus-events.ts';
import type { AppContext } from './context.ts';
import { VIRUS_SCAN_KIND, type VirusScanParams } from './fan-out-kinds.ts';
import { resolveTargetHosts, type TargetSelection } from './target-hosts.ts';

export interface VirusScanView {
  task: Task<VirusScanParams>;
  counts: FanOutCounts;
}

export interface StartVirusScanRequest {
  selection: TargetSelection;
  scanType: ScanType;
  paths: string[];
  targetInfo: string;
  origin: VirusScanParams['origin'];
  /** The client's token (Sas `ClientToken`): the same token again returns the scan it started. */
  clientToken?: string;
}

/** Queues a scan of the selected hosts; its id is the Sas ScanTaskId. */
export async function startVirusScan(
  app: AppContext,
  tenantId: number,
  request: StartVirusScanRequest,
): Promise<VirusScanView> {
  const task = await app.db.withTransaction(async (tx) =>
    createFanOutTask<VirusScanParams>(tx, {
      tenantId,
      kind: VIRUS_SCAN_KIND,
      params: {
        scanType: request.scanType,
        paths: request.paths,
        targetInfo: request.targetInfo,
        origin: request.origin,
      },
      hostIds: await resolveTargetHosts(tx, tenantId, request.selection),
      targetTimeoutMs: app.agents.virusScanTimeoutMs,
      idempotencyKey: request.clientToken === undefined ? undefined : `client-token:${request.clientToken}`,
    }),
  );
  return viewOf(app, task);
}

async function viewOf(app: AppContext, task: Task<VirusScanParams>): Promise<VirusScanView> {
  const counts = (await fanOutCounts(app.db, [task.id])).get(task.id);
  if (!counts) throw new Error(`virus scan ${task.id} has no targets`);
  return { task, counts };
}

/** A scan of the tenant; Task.NotFound otherwise (another tenant's id, or not a scan). */
export async function getVirusScan(
  app: AppContext,
  tenantId: number,
  taskId: number,
): Promise<VirusScanView> {
  const task = await getTask(app.db, tenantId, taskId);
  if (!task || task.kind !== VIRUS_SCAN_KIND.kind) {
    throw new ParapetError('Task.NotFound', `No virus scan task of this account has the id ${taskId}.`);
  }
  return viewOf(app, task as Task<VirusScanParams>);
}

/** Cancels a scan: its agents stop at their next progress report. */
export async function cancelVirusScan(app: AppContext, tenantId: number, taskId: number): Promise<void> {
  await getVirusScan(app, tenantId, taskId);
  await cancelFanOutTask(app.db, tenantId, taskId, app.now());
}

/** The tenant's latest scan, if any. */
async function latestVirusScan(app: AppContext, tenantId: number): Promise<VirusScanView | undefined> {
  const [task] = await listTasks(
    app.db,
    tenantId,
    { kinds: [VIRUS_SCAN_KIND.kind] },
    { offset: 0, limit: 1 },
  );
  return task && viewOf(app, task as Task<VirusScanParams>);
}

export interface HostScan {
  target: FanOutTarget;
  task: Task<VirusScanParams>;
  host: HostRef | undefined;
  /** Files this host's scan flagged. */
  events: number;
}

/** A page of per-host scans (one row per scan and host), newest first. */
export async function listHostScans(
  app: AppContext,
  tenantId: number,
  statuses: readonly TaskStatus[] | undefined,
  page: { currentPage: number; pageSize: number },
): Promise<{ items: HostScan[]; totalCount: number }> {
  const query = { kind: VIRUS_SCAN_KIND, statuses };
  const [targets, totalCount] = await Promise.all([
    listTenantTargets(app.db, tenantId, query, {
      offset: (page.currentPage - 1) * page.pageSize,
      limit: page.pageSize,
    }),
    countTenantTargets(app.db, tenantId, query),
  ]);
  const taskIds = [...new Set(targets.map((t) => t.taskId))];
  const tasks = new Map<number, Task<VirusScanParams>>();
  for (const id of taskIds) {
    const task = await getTask(app.db, tenantId, id);
    if (task) tasks.set(id, task as Task<VirusScanParams>);
  }
  const hosts = await hostRefs(
    app.db,
    tenantId,
    targets.map((t) => t.hostId),
  );
  const perHost = await events.eventCountsByTaskHost(app.db, tenantId, taskIds);
  const items = targets.flatMap((target): HostScan[] => {
    const task = tasks.get(target.taskId);
    return task
      ? [
          {
            target,
            task,
            host: hosts.get(target.hostId),
            events: perHost.get(`${target.taskId}:${target.hostId}`) ?? 0,
          },
        ]
      : [];
  });
  return { items, totalCount };
}

export function listVirusEvents(
  app: AppContext,
  tenantId: number,
  query: VirusEventQuery,
  page: { currentPage: number; pageSize: number },
): Promise<Page<events.VirusEvent>> {
  const offset = (page.currentPage - 1) * page.pageSize;
  return Promise.all([
    events.listVirusEvents(app.db, tenantId, query, { afterId: 0, offset, limit: page.pageSize }),
    events.countVirusEvents(app.db, tenantId, query),
  ]).then(([items, totalCount]) => ({ items, totalCount }));
}

export interface VirusScanStatistics {
  /** Scan tasks of the tenant. */
  tasks: number;
  /** Hosts with at least one flagged file (of the events asked for). */
  hostsWithEvents: number;
  /** Flagged files (of the events asked for). */
  events: number;
}

/** Totals over the tenant's scans; `query` narrows the events (levels, one task). */
export async function virusScanStatistics(
  app: AppContext,
  tenantId: number,
  query: VirusEventQuery,
): Promise<VirusScanStatistics> {
  const [tasks, totals] = await Promise.all([
    countTasks(app.db, tenantId, { kinds: [VIRUS_SCAN_KIND.kind] }),
    events.eventTotals(app.db, tenantId, query),
  ]);
  return { tasks, hostsWithEvents: totals.hosts, events: totals.events };
}

export interface LatestVirusScanSummary extends VirusScanView {
  /** Files the scan flagged. */
  events: number;
  /** Hosts with at least one flagged file. */
  hostsWithEvents: number;
  /** Hosts whose scan succeeded and flagged nothing. */
  cleanHosts: number;
}

/** The tenant's latest scan with what its hosts found, from one count of events per host. */
export async function latestVirusScanSummary(
  app: AppContext,
  tenantId: number,
): Promise<LatestVirusScanSummary | undefined> {
  const view = await latestVirusScan(app, tenantId);
  if (!view) return undefined;
  const taskId = view.task.id;
  const [targets, perHost] = await Promise.all([
    listTargets(app.db, taskId),
    events.eventCountsByTaskHost(app.db, tenantId, [taskId]),
  ]);
  return {
    ...view,
    events: [...perHost.values()].reduce((sum, n) => sum + n, 0),
    hostsWithEvents: perHost.size,
    cleanHosts: targets.filter((t) => t.status === 'succeeded' && !perHost.has(`${taskId}:${t.hostId}`))
      .length,
  };
}
