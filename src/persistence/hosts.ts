/** Hosts and host groups. Every query is filtered by the tenant. */
import type {
  Host,
  HostCriterion,
  HostGroup,
  HostImportance,
  HostQuery,
  HostRef,
  RowSlice,
} from '../domain/hosts.ts';
import { UNHANDLED_STATUSES } from '../domain/vulnerabilities.ts';
import type { Queryable, SqlValue } from './database.ts';
import { containsPattern, statusList, type Sql } from './vulnerabilities.ts';

interface HostGroupRow {
  id: number;
  tenant_id: number;
  name: string;
  host_count: number;
}

export async function listHostGroups(db: Queryable, tenantId: number): Promise<HostGroup[]> {
  const rows = await db.all<HostGroupRow>(
    `SELECT g.id, g.tenant_id, g.name, (SELECT COUNT(*) FROM hosts h WHERE h.group_id = g.id) AS host_count
     FROM host_groups g WHERE g.tenant_id = ? ORDER BY g.id`,
    [tenantId],
  );
  return rows.map((r) => ({ id: r.id, tenantId: r.tenant_id, name: r.name, hostCount: r.host_count }));
}

interface HostRow {
  id: number;
  uuid: string;
  instance_id: string;
  instance_name: string;
  internet_ip: string;
  intranet_ip: string;
  ip_list: string;
  mac_list: string;
  os: string;
  os_name: string;
  kernel: string;
  region_id: string;
  vpc_instance_id: string;
  group_id: number | null;
  group_name: string | null;
  cores: number;
  mem_mb: number;
  cpu_info: string;
  importance: number;
  tag: string;
  client_status: string;
  agent_version: string;
  created_at: number;
  last_seen_at: number | null;
  unhandled_vul_count: number;
}

const toHost = (r: HostRow): Host => ({
  id: r.id,
  uuid: r.uuid,
  instanceId: r.instance_id,
  instanceName: r.instance_name,
  internetIp: r.internet_ip,
  intranetIp: r.intranet_ip,
  ipList: r.ip_list,
  macList: r.mac_list,
  os: r.os,
  osName: r.os_name,
  kernel: r.kernel,
  regionId: r.region_id,
  vpcInstanceId: r.vpc_instance_id,
  groupId: r.group_id ?? undefined,
  groupName: r.group_name ?? undefined,
  cores: r.cores,
  memMb: r.mem_mb,
  cpuInfo: r.cpu_info,
  importance: r.importance as HostImportance,
  tag: r.tag,
  clientStatus: r.client_status,
  agentVersion: r.agent_version,
  createdAt: r.created_at,
  lastSeenAt: r.last_seen_at ?? undefined,
  unhandledVulCount: r.unhandled_vul_count,
});

// Follows the host id alone (a finding's tenant is its host's, and `h` was chosen by
// tenant): with a tenant_id condition SQLite picked the tenant's index and read all its
// findings for every host listed (17 s for a page at 100k hosts) instead of the host's.
const UNHANDLED_VULS_OF_HOST = `FROM vulnerabilities v
  WHERE v.host_id = h.id AND v.status IN (${statusList(UNHANDLED_STATUSES)})`;

const LIKE = `LIKE ? ESCAPE '\\'`;

/** One value of one criterion as SQL; see HostCriterion for what each name matches. */
function criterionValueSql(criterion: HostCriterion, value: string): Sql {
  const exact = (column: string): Sql => ({ text: `${column} = ?`, params: [value] });
  const exactNumber = (column: string): Sql => ({ text: `${column} = ?`, params: [Number(value)] });
  const caseless = (column: string): Sql => ({ text: `LOWER(${column}) = ?`, params: [value.toLowerCase()] });
  const contains = (...columns: string[]): Sql => ({
    text: `(${columns.map((column) => `LOWER(${column}) ${LIKE}`).join(' OR ')})`,
    params: columns.map(() => containsPattern(value)),
  });
  switch (criterion.name) {
    case 'name':
      return contains('h.instance_name', 'h.instance_id', 'h.internet_ip', 'h.intranet_ip');
    case 'instanceName':
      return contains('h.instance_name');
    case 'internetIp':
      return contains('h.internet_ip');
    case 'intranetIp':
      return contains('h.intranet_ip');
    case 'instanceId':
      return exact('h.instance_id');
    case 'uuid':
      return exact('h.uuid');
    case 'regionId':
      return exact('h.region_id');
    case 'vpcInstanceId':
      return exact('h.vpc_instance_id');
    case 'os':
      return caseless('h.os');
    case 'clientStatus':
      return caseless('h.client_status');
    case 'groupId':
      return exactNumber('h.group_id');
    case 'importance':
      return exactNumber('h.importance');
    case 'vulStatus':
    case 'riskStatus':
      return {
        text: `${value === 'YES' ? '' : 'NOT '}EXISTS (SELECT 1 ${UNHANDLED_VULS_OF_HOST})`,
        params: [],
      };
  }
}

function joinSql(parts: Sql[], join: 'AND' | 'OR'): Sql {
  return {
    text: `(${parts.map((part) => part.text).join(` ${join} `)})`,
    params: parts.flatMap((part) => part.params),
  };
}

function whereHosts(tenantId: number, query: HostQuery): Sql {
  const conditions: Sql[] = [{ text: 'h.tenant_id = ?', params: [tenantId] }];
  if (query.criteria.length > 0) {
    const criteria = query.criteria.map((criterion) =>
      joinSql(
        criterion.values.map((value) => criterionValueSql(criterion, value)),
        criterion.join,
      ),
    );
    conditions.push(joinSql(criteria, query.join));
  }
  if (query.importance !== undefined) {
    conditions.push({ text: 'h.importance = ?', params: [query.importance] });
  }
  const where = joinSql(conditions, 'AND');
  return { text: `WHERE ${where.text}`, params: where.params };
}

/** Hosts of a tenant with their group name and unhandled vulnerability count, ordered by id. */
export async function listHosts(
  db: Queryable,
  tenantId: number,
  query: HostQuery,
  slice: RowSlice,
): Promise<Host[]> {
  const where = whereHosts(tenantId, query);
  const params: SqlValue[] = [...where.params, slice.afterId, slice.limit, slice.offset];
  const rows = await db.all<HostRow>(
    `SELECT h.id, h.uuid, h.instance_id, h.instance_name, h.internet_ip, h.intranet_ip, h.ip_list, h.mac_list,
       h.os, h.os_name, h.kernel, h.region_id, h.vpc_instance_id, h.group_id, g.name AS group_name, h.cores,
       h.mem_mb, h.cpu_info, h.importance, h.tag, h.client_status, h.agent_version, h.created_at, h.last_seen_at,
       (SELECT COUNT(*) ${UNHANDLED_VULS_OF_HOST}) AS unhandled_vul_count
     FROM hosts h LEFT JOIN host_groups g ON g.id = h.group_id AND g.tenant_id = h.tenant_id
     ${where.text} AND h.id > ? ORDER BY h.id LIMIT ? OFFSET ?`,
    params,
  );
  return rows.map(toHost);
}

export async function countHosts(db: Queryable, tenantId: number, query: HostQuery): Promise<number> {
  const where = whereHosts(tenantId, query);
  const row = await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM hosts h ${where.text}`, where.params);
  return row?.n ?? 0;
}

/** How many hosts the tenant has and the highest id (0 when none): an export's snapshot. */
export async function snapshotHosts(
  db: Queryable,
  tenantId: number,
): Promise<{ count: number; maxId: number }> {
  const row = await db.get<{ n: number; max_id: number | null }>(
    'SELECT COUNT(*) AS n, MAX(id) AS max_id FROM hosts WHERE tenant_id = ?',
    [tenantId],
  );
  return { count: Number(row?.n ?? 0), maxId: Number(row?.max_id ?? 0) };
}

/** The tenant's hosts with these ids, by id. */
export async function hostRefs(
  db: Queryable,
  tenantId: number,
  ids: readonly number[],
): Promise<Map<number, HostRef>> {
  if (ids.length === 0) return new Map();
  const rows = await db.all<{
    id: number;
    uuid: string;
    instance_id: string;
    instance_name: string;
    internet_ip: string;
    intranet_ip: string;
  }>(
    `SELECT id, uuid, instance_id, instance_name, internet_ip, intranet_ip FROM hosts
     WHERE tenant_id = ? AND id IN (${ids.map(() => '?').join(', ')})`,
    [tenantId, ...new Set(ids)],
  );
  return new Map(
    rows.map((r) => [
      r.id,
      {
        id: r.id,
        uuid: r.uuid,
        instanceId: r.instance_id,
        instanceName: r.instance_name,
        internetIp: r.internet_ip,
        intranetIp: r.intranet_ip,
      },
    ]),
  );
}

/** Moves the tenant's hosts (by uuid) into one of its groups; returns how many moved. */
export async function moveHostsToGroup(
  db: Queryable,
  tenantId: number,
  groupId: number,
  uuids: readonly string[],
): Promise<number> {
  const result = await db.run(
    `UPDATE hosts SET group_id = ? WHERE tenant_id = ? AND uuid IN (${uuids.map(() => '?').join(', ')})
       AND EXISTS (SELECT 1 FROM host_groups g WHERE g.id = ? AND g.tenant_id = ?)`,
    [groupId, tenantId, ...uuids, groupId, tenantId],
  );
  return result.changes;
}
