/**
 * Host asset inventories (software, processes, ports, users) as each host's
 * last collection found them. Every query is filtered by the tenant.
 */
import type {
  AssetInventory,
  InstalledPackage,
  ListeningPort,
  LocalUser,
  PackageManager,
  RunningProcess,
} from '../domain/assets.ts';
import type { HostRef, RowSlice } from '../domain/hosts.ts';
import { insertRows, type BulkTable } from './bulk-insert.ts';
import type { Queryable, SqlValue } from './database.ts';
import { containsPattern } from './vulnerabilities.ts';

// prettier-ignore
const SOFTWARE: BulkTable = { name: 'host_software', columns: [
  ['tenant_id', 'bigint'], ['host_id', 'bigint'], ['name', 'text'], ['version', 'text'], ['arch', 'text'],
  ['source', 'text'], ['manager', 'text'], ['summary', 'text'], ['installed_at', 'bigint'], ['size', 'bigint'],
  ['collected_at', 'bigint'],
] };
// prettier-ignore
const PROCESSES: BulkTable = { name: 'host_processes', columns: [
  ['tenant_id', 'bigint'], ['host_id', 'bigint'], ['pid', 'bigint'], ['ppid', 'bigint'], ['name', 'text'],
  ['path', 'text'], ['cmdline', 'text'], ['user_name', 'text'], ['state', 'text'], ['started_at', 'bigint'],
  ['collected_at', 'bigint'],
] };
// prettier-ignore
const PORTS: BulkTable = { name: 'host_ports', columns: [
  ['tenant_id', 'bigint'], ['host_id', 'bigint'], ['protocol', 'text'], ['bind_ip', 'text'], ['port', 'bigint'],
  ['pid', 'bigint'], ['process_name', 'text'], ['collected_at', 'bigint'],
] };
// prettier-ignore
const USERS: BulkTable = { name: 'host_users', columns: [
  ['tenant_id', 'bigint'], ['host_id', 'bigint'], ['name', 'text'], ['uid', 'bigint'], ['gid', 'bigint'],
  ['home', 'text'], ['shell', 'text'], ['group_names', 'text'], ['is_root', 'bigint'], ['can_login', 'bigint'],
  ['last_login_at', 'bigint'], ['last_login_ip', 'text'], ['collected_at', 'bigint'],
] };

/** Replaces the host's whole inventory with this collection's. */
export async function replaceInventory(
  tx: Queryable,
  tenantId: number,
  hostId: number,
  inventory: AssetInventory,
): Promise<void> {
  const at = inventory.collectedAt;
  for (const table of [SOFTWARE, PROCESSES, PORTS, USERS]) {
    await tx.run(`DELETE FROM ${table.name} WHERE host_id = ?`, [hostId]);
  }
  const own = [tenantId, hostId];
  await insertRows(
    tx,
    SOFTWARE,
    inventory.packages.map((p) => [
      ...own,
      p.name,
      p.version,
      p.arch,
      p.source,
      p.manager,
      p.summary,
      p.installedAt ?? null,
      p.size ?? null,
      at,
    ]),
  );
  await insertRows(
    tx,
    PROCESSES,
    inventory.processes.map((p) => [
      ...own,
      p.pid,
      p.ppid,
      p.name,
      p.path,
      p.cmdline,
      p.user,
      p.state,
      p.startedAt,
      at,
    ]),
  );
  await insertRows(
    tx,
    PORTS,
    inventory.ports.map((p) => [...own, p.protocol, p.bindIp, p.port, p.pid, p.processName, at]),
  );
  await insertRows(
    tx,
    USERS,
    inventory.users.map((u) => [
      ...own,
      u.name,
      u.uid,
      u.gid,
      u.home,
      u.shell,
      u.groups.join(','),
      u.isRoot ? 1 : 0,
      u.canLogin ? 1 : 0,
      u.lastLoginAt ?? null,
      u.lastLoginIp ?? '',
      at,
    ]),
  );
}

export interface HostAsset<T> {
  id: number;
  host: HostRef;
  item: T;
  collectedAt: number;
}

export type InventoryKind = 'software' | 'processes' | 'ports' | 'users';

/** One condition of a listing: a column of the kind's table, matched exactly or by substring (case-insensitive). */
export interface InventoryCondition {
  column: string;
  value: string | number;
  match: 'exact' | 'contains';
}

export interface InventoryQuery {
  hostUuids?: readonly string[];
  conditions: readonly InventoryCondition[];
}

interface KindSpec<T> {
  table: BulkTable;
  toItem(row: Record<string, SqlValue>): T;
}

const text = (value: SqlValue | undefined) => String(value ?? '');
const num = (value: SqlValue | undefined) => Number(value ?? 0);
const optionalNum = (value: SqlValue | undefined) =>
  value === null || value === undefined ? undefined : Number(value);

const KINDS: {
  software: KindSpec<InstalledPackage>;
  processes: KindSpec<RunningProcess>;
  ports: KindSpec<ListeningPort>;
  users: KindSpec<LocalUser>;
} = {
  software: {
    table: SOFTWARE,
    toItem: (r) => ({
      name: text(r.name),
      version: text(r.version),
      arch: text(r.arch),
      source: text(r.source),
      manager: text(r.manager) as PackageManager,
      summary: text(r.summary),
      installedAt: optionalNum(r.installed_at),
      size: optionalNum(r.size),
    }),
  },
  processes: {
    table: PROCESSES,
    toItem: (r) => ({
      pid: num(r.pid),
      ppid: num(r.ppid),
      name: text(r.name),
      path: text(r.path),
      cmdline: text(r.cmdline),
      user: text(r.user_name),
      state: text(r.state),
      startedAt: num(r.started_at),
    }),
  },
  ports: {
    table: PORTS,
    toItem: (r) => ({
      protocol: text(r.protocol) as ListeningPort['protocol'],
      bindIp: text(r.bind_ip),
      port: num(r.port),
      pid: num(r.pid),
      processName: text(r.process_name),
    }),
  },
  users: {
    table: USERS,
    toItem: (r) => ({
      name: text(r.name),
      uid: num(r.uid),
      gid: num(r.gid),
      home: text(r.home),
      shell: text(r.shell),
      groups: text(r.group_names).split(',').filter(Boolean),
      isRoot: num(r.is_root) === 1,
      canLogin: num(r.can_login) === 1,
      lastLoginAt: optionalNum(r.last_login_at),
      lastLoginIp: text(r.last_login_ip) || undefined,
    }),
  },
};

export type InventoryItem<K extends InventoryKind> = ReturnType<(typeof KINDS)[K]['toItem']>;

function whereInventory(kind: InventoryKind, tenantId: number, query: InventoryQuery) {
  const { table } = KINDS[kind];
  const known = new Set(table.columns.map(([name]) => name));
  const parts = ['a.tenant_id = ?'];
  const params: SqlValue[] = [tenantId];
  if (query.hostUuids && query.hostUuids.length > 0) {
    parts.push(`h.uuid IN (${query.hostUuids.map(() => '?').join(', ')})`);
    params.push(...query.hostUuids);
  }
  for (const condition of query.conditions) {
    // Column names come from the adapters' own tables, never from a client; check anyway.
    if (!known.has(condition.column)) throw new Error(`${table.name} has no column ${condition.column}`);
    if (condition.match === 'contains') {
      parts.push(`LOWER(a.${condition.column}) LIKE ? ESCAPE '\\'`);
      params.push(containsPattern(String(condition.value)));
    } else {
      parts.push(`a.${condition.column} = ?`);
      params.push(condition.value);
    }
  }
  return {
    text: `FROM ${table.name} a JOIN hosts h ON h.id = a.host_id WHERE ${parts.join(' AND ')}`,
    params,
  };
}

/** A page of one kind of inventory row with its host, by row id. */
export async function listInventory<K extends InventoryKind>(
  db: Queryable,
  kind: K,
  tenantId: number,
  query: InventoryQuery,
  slice: RowSlice,
): Promise<HostAsset<InventoryItem<K>>[]> {
  const where = whereInventory(kind, tenantId, query);
  const rows = await db.all<Record<string, SqlValue>>(
    `SELECT a.*, h.uuid AS host_uuid, h.instance_id AS host_instance_id, h.instance_name AS host_instance_name,
       h.internet_ip AS host_internet_ip, h.intranet_ip AS host_intranet_ip
     ${where.text} AND a.id > ? ORDER BY a.id LIMIT ? OFFSET ?`,
    [...where.params, slice.afterId, slice.limit, slice.offset],
  );
  const spec = KINDS[kind] as KindSpec<InventoryItem<K>>;
  return rows.map((r) => ({
    id: num(r.id),
    host: {
      id: num(r.host_id),
      uuid: text(r.host_uuid),
      instanceId: text(r.host_instance_id),
      instanceName: text(r.host_instance_name),
      internetIp: text(r.host_internet_ip),
      intranetIp: text(r.host_intranet_ip),
    },
    item: spec.toItem(r),
    collectedAt: num(r.collected_at),
  }));
}

export async function countInventory(
  db: Queryable,
  kind: InventoryKind,
  tenantId: number,
  query: InventoryQuery,
): Promise<number> {
  const where = whereInventory(kind, tenantId, query);
  const row = await db.get<{ n: number }>(`SELECT COUNT(*) AS n ${where.text}`, where.params);
  return Number(row?.n ?? 0);
}

/** How many rows of the kind the tenant has and the highest id: an export's snapshot. */
export async function snapshotInventory(db: Queryable, kind: InventoryKind, tenantId: number) {
  const row = await db.get<{ n: number; max_id: number | null }>(
    `SELECT COUNT(*) AS n, MAX(id) AS max_id FROM ${KINDS[kind].table.name} WHERE tenant_id = ?`,
    [tenantId],
  );
  return { count: Number(row?.n ?? 0), maxId: Number(row?.max_id ?? 0) };
}
