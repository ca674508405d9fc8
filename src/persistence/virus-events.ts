/** Files virus scans flagged. Every query is filtered by the tenant. */
import type { HostRef, RowSlice } from '../domain/hosts.ts';
import type { EngineName, VirusDetection, VirusLevel } from '../domain/virus-scan.ts';
import { insertRows, type BulkTable } from './bulk-insert.ts';
import type { Queryable, SqlValue } from './database.ts';

// prettier-ignore
const EVENTS: BulkTable = { name: 'virus_events', columns: [
  ['tenant_id', 'bigint'], ['host_id', 'bigint'], ['task_id', 'bigint'], ['path', 'text'], ['size', 'bigint'],
  ['md5', 'text'], ['sha256', 'text'], ['signature', 'text'], ['engine', 'text'], ['level', 'text'],
  ['detected_at', 'bigint'],
] };

/** Stores one host's detections of one scan (a result posted again replaces them). */
export async function replaceScanEvents(
  tx: Queryable,
  scan: { tenantId: number; hostId: number; taskId: number; detectedAt: number },
  detections: readonly VirusDetection[],
): Promise<void> {
  await tx.run('DELETE FROM virus_events WHERE task_id = ? AND host_id = ?', [scan.taskId, scan.hostId]);
  await insertRows(
    tx,
    EVENTS,
    detections.map((d) => [
      scan.tenantId,
      scan.hostId,
      scan.taskId,
      d.path,
      d.size,
      d.md5,
      d.sha256,
      d.signature,
      d.engine,
      d.level,
      scan.detectedAt,
    ]),
  );
}

export interface VirusEvent extends VirusDetection {
  id: number;
  taskId: number;
  host: HostRef;
  detectedAt: number;
}

export interface VirusEventQuery {
  hostUuid?: string;
  taskId?: number;
  levels?: readonly VirusLevel[];
}

function whereEvents(tenantId: number, query: VirusEventQuery) {
  const parts = ['e.tenant_id = ?'];
  const params: SqlValue[] = [tenantId];
  if (query.hostUuid !== undefined) {
    parts.push('h.uuid = ?');
    params.push(query.hostUuid);
  }
  if (query.taskId !== undefined) {
    parts.push('e.task_id = ?');
    params.push(query.taskId);
  }
  if (query.levels && query.levels.length > 0) {
    parts.push(`e.level IN (${query.levels.map(() => '?').join(', ')})`);
    params.push(...query.levels);
  }
  return {
    text: `FROM virus_events e JOIN hosts h ON h.id = e.host_id WHERE ${parts.join(' AND ')}`,
    params,
  };
}

interface EventRow {
  id: number;
  task_id: number;
  path: string;
  size: number;
  md5: string;
  sha256: string;
  signature: string;
  engine: EngineName;
  level: VirusLevel;
  detected_at: number;
  host_id: number;
  uuid: string;
  instance_id: string;
  instance_name: string;
  internet_ip: string;
  intranet_ip: string;
}

/** A page of events with their hosts, by id (oldest first, like every listing). */
export async function listVirusEvents(
  db: Queryable,
  tenantId: number,
  query: VirusEventQuery,
  slice: RowSlice,
): Promise<VirusEvent[]> {
  const where = whereEvents(tenantId, query);
  const rows = await db.all<EventRow>(
    `SELECT e.id, e.task_id, e.path, e.size, e.md5, e.sha256, e.signature, e.engine, e.level, e.detected_at,
       e.host_id, h.uuid, h.instance_id, h.instance_name, h.internet_ip, h.intranet_ip
     ${where.text} AND e.id > ? ORDER BY e.id LIMIT ? OFFSET ?`,
    [...where.params, slice.afterId, slice.limit, slice.offset],
  );
  return rows.map((r) => ({
    id: r.id,
    taskId: r.task_id,
    path: r.path,
    size: r.size,
    md5: r.md5,
    sha256: r.sha256,
    signature: r.signature,
    engine: r.engine,
    level: r.level,
    detectedAt: r.detected_at,
    host: {
      id: r.host_id,
      uuid: r.uuid,
      instanceId: r.instance_id,
      instanceName: r.instance_name,
      internetIp: r.internet_ip,
      intranetIp: r.intranet_ip,
    },
  }));
}

export async function countVirusEvents(
  db: Queryable,
  tenantId: number,
  query: VirusEventQuery,
): Promise<number> {
  const where = whereEvents(tenantId, query);
  const row = await db.get<{ n: number }>(`SELECT COUNT(*) AS n ${where.text}`, where.params);
  return Number(row?.n ?? 0);
}

/** Events per (task, host) of these tasks, keyed `taskId:hostId`. */
export async function eventCountsByTaskHost(
  db: Queryable,
  tenantId: number,
  taskIds: readonly number[],
): Promise<Map<string, number>> {
  if (taskIds.length === 0) return new Map();
  const rows = await db.all<{ task_id: number; host_id: number; n: number }>(
    `SELECT task_id, host_id, COUNT(*) AS n FROM virus_events
     WHERE tenant_id = ? AND task_id IN (${taskIds.map(() => '?').join(', ')}) GROUP BY task_id, host_id`,
    [tenantId, ...taskIds],
  );
  return new Map(rows.map((r) => [`${r.task_id}:${r.host_id}`, Number(r.n)]));
}

/** How many of the tenant's events match, and how many hosts they are on. */
export async function eventTotals(db: Queryable, tenantId: number, query: VirusEventQuery) {
  const where = whereEvents(tenantId, query);
  const row = await db.get<{ events: number; hosts: number }>(
    `SELECT COUNT(*) AS events, COUNT(DISTINCT e.host_id) AS hosts ${where.text}`,
    where.params,
  );
  return { events: Number(row?.events ?? 0), hosts: Number(row?.hosts ?? 0) };
}

/** The highest event id and how many the tenant has: an export's snapshot. */
export async function snapshotVirusEvents(db: Queryable, tenantId: number) {
  const row = await db.get<{ n: number; max_id: number | null }>(
    'SELECT COUNT(*) AS n, MAX(id) AS max_id FROM virus_events WHERE tenant_id = ?',
    [tenantId],
  );
  return { count: Number(row?.n ?? 0), maxId: Number(row?.max_id ?? 0) };
}
