/**
 * Vulnerability findings and the CVE advisories they name. Every query is
 * filtered by the tenant; findings are joined to their host within the same
 * tenant, so another tenant's uuid can never match.
 */
import {
  FIXED_STATUSES,
  HANDLED_STATUSES,
  UNHANDLED_STATUSES,
  parseRelated,
  type CveDetail,
  type Necessity,
  type VulFilter,
  type VulGroup,
  type VulStatus,
  type VulType,
  type Vulnerability,
} from '../domain/vulnerabilities.ts';
import { isOnline, type RowSlice } from '../domain/hosts.ts';
import type { Queryable, SqlValue } from './database.ts';

interface VulnerabilityRow {
  id: number;
  type: VulType;
  name: string;
  alias_name: string;
  tag: string;
  search_tags: string;
  necessity: Necessity;
  status: VulStatus;
  related: string;
  package_name: string;
  package_version: string;
  fixed_version: string;
  path: string;
  update_cmd: string;
  container_id: string;
  container_name: string;
  image: string;
  first_ts: number;
  last_ts: number;
  modify_ts: number;
  repair_ts: number | null;
  uuid: string;
  instance_id: string;
  instance_name: string;
  internet_ip: string;
  intranet_ip: string;
  region_id: string;
  os: string;
  os_name: string;
  group_id: number | null;
  client_status: string;
}

interface VulGroupRow {
  type: VulType;
  name: string;
  alias_name: string;
  tags: string;
  related: string;
  asap_count: number;
  later_count: number;
  nntf_count: number;
  handled_count: number;
  total_fix_count: number;
  gmt_first: number;
  gmt_last: number;
}

interface CveRow {
  cve_id: string;
  title: string;
  summary: string;
  solution: string;
  cvss_score: string;
  cvss_vector: string;
  vul_level: string;
  published_at: number;
}

const toVulnerability = (r: VulnerabilityRow): Vulnerability => ({
  id: r.id,
  type: r.type,
  name: r.name,
  aliasName: r.alias_name,
  tag: r.tag,
  searchTags: r.search_tags,
  necessity: r.necessity,
  status: r.status,
  related: parseRelated(r.related),
  packageName: r.package_name,
  packageVersion: r.package_version,
  fixedVersion: r.fixed_version,
  path: r.path,
  updateCmd: r.update_cmd,
  containerId: r.container_id,
  containerName: r.container_name,
  image: r.image,
  firstTs: r.first_ts,
  lastTs: r.last_ts,
  modifyTs: r.modify_ts,
  repairTs: r.repair_ts ?? undefined,
  host: {
    uuid: r.uuid,
    instanceId: r.instance_id,
    instanceName: r.instance_name,
    internetIp: r.internet_ip,
    intranetIp: r.intranet_ip,
    regionId: r.region_id,
    os: r.os,
    osName: r.os_name,
    groupId: r.group_id ?? undefined,
    online: isOnline(r.client_status),
  },
});

const toVulGroup = (r: VulGroupRow): VulGroup => ({
  type: r.type,
  name: r.name,
  aliasName: r.alias_name,
  tags: r.tags,
  related: r.related,
  asapCount: r.asap_count,
  laterCount: r.later_count,
  nntfCount: r.nntf_count,
  handledCount: r.handled_count,
  totalFixCount: r.total_fix_count,
  gmtFirst: r.gmt_first,
  gmtLast: r.gmt_last,
});

const toCve = (r: CveRow): CveDetail => ({
  cveId: r.cve_id,
  title: r.title,
  summary: r.summary,
  solution: r.solution,
  cvssScore: r.cvss_score,
  cvssVector: r.cvss_vector,
  vulLevel: r.vul_level,
  publishedAt: r.published_at,
});

export interface Sql {
  text: string;
  params: SqlValue[];
}

const placeholders = (values: readonly unknown[]): string => values.map(() => '?').join(', ');

/** A case-insensitive substring pattern for `LOWER(col) LIKE ? ESCAPE '\'`. */
export function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`;
}

/** Constant status sets are written into the SQL; they are domain constants, never input. */
export const statusList = (statuses: readonly VulStatus[]): string => statuses.map(Number).join(', ');

export const FROM_FINDINGS = `FROM vulnerabilities v JOIN hosts h ON h.id = v.host_id AND h.tenant_id = v.tenant_id`;

/** Does this filter test a host column (`h.…`)? */
function filtersHosts(filter: VulFilter): boolean {
  return (
    Boolean(filter.uuids ?? filter.vpcInstanceIds) ||
    filter.groupId !== undefined ||
    filter.remark !== undefined
  );
}

/**
 * What a count reads: the findings alone when no host column is tested, so
 * it is answered from the (tenant_id, type, id) index instead of visiting
 * every row and its host (seconds at a million findings). A finding's host is
 * always in its tenant, so leaving the join out changes no count.
 */
export function countFrom(filter: VulFilter): string {
  return filtersHosts(filter) ? FROM_FINDINGS : 'FROM vulnerabilities v';
}

/** The WHERE clause of a filtered listing; the tenant condition always comes first. */
export function whereFindings(tenantId: number, filter: VulFilter): Sql {
  const conditions = ['v.tenant_id = ?'];
  const params: SqlValue[] = [tenantId];
  const add = (condition: string, ...values: SqlValue[]) => {
    conditions.push(condition);
    params.push(...values);
  };
  const addIn = (column: string, values: readonly SqlValue[]) => {
    if (values.length === 0) add('1 = 0');
    else if (values.length === 1) add(`${column} = ?`, ...values);
    else add(`${column} IN (${placeholders(values)})`, ...values);
  };

  addIn('v.type', filter.types);
  if (filter.ids) addIn('v.id', filter.ids);
  if (filter.uuids) addIn('h.uuid', filter.uuids);
  if (filter.aliasName !== undefined) {
    add(`LOWER(v.alias_name) LIKE ? ESCAPE '\\'`, containsPattern(filter.aliasName));
  }
  if (filter.name !== undefined) add('v.name = ?', filter.name);
  if (filter.necessities) addIn('v.necessity', filter.necessities);
  if (filter.statuses) addIn('v.status', filter.statuses);
  if (filter.groupId !== undefined) add('h.group_id = ?', filter.groupId);
  if (filter.remark !== undefined) {
    const pattern = containsPattern(filter.remark);
    const columns = ['v.alias_name', 'v.name', 'h.instance_name', 'h.internet_ip', 'h.intranet_ip'];
    add(
      `(${columns.map((column) => `LOWER(${column}) LIKE ? ESCAPE '\\'`).join(' OR ')})`,
      ...columns.map(() => pattern),
    );
  }
  if (filter.vpcInstanceIds) addIn('h.vpc_instance_id', filter.vpcInstanceIds);
  if (filter.cveId !== undefined) {
    // `related` is a comma list; wrapping it in commas makes the match exact per item.
    add(
      `(',' || UPPER(REPLACE(v.related, ' ', '')) || ',') LIKE ? ESCAPE '\\'`,
      `%,${filter.cveId.toUpperCase().replace(/[\\%_]/g, '\\$&')},%`,
    );
  }
  for (const tag of filter.searchTags ?? []) {
    add(`LOWER(v.search_tags) LIKE ? ESCAPE '\\'`, containsPattern(tag));
  }
  if (filter.target === 'host') add(`v.container_id = ''`);
  if (filter.target === 'container') add(`v.container_id <> ''`);
  if (filter.clusterId !== undefined) add('1 = 0');
  if (filter.firstSeenFrom !== undefined) add('v.first_ts >= ?', filter.firstSeenFrom);
  if (filter.firstSeenTo !== undefined) add('v.first_ts <= ?', filter.firstSeenTo);
  for (const [column, text] of [
    ['v.container_name', filter.containerName],
    ['v.image', filter.imageName],
    ['v.path', filter.path],
  ] as const) {
    if (text !== undefined) add(`LOWER(${column}) LIKE ? ESCAPE '\\'`, containsPattern(text));
  }
  if (filter.packages) {
    const alternatives = filter.packages.map((ref) => {
      params.push(ref.name);
      if (ref.version === undefined) return 'v.package_name = ?';
      params.push(ref.version);
      return '(v.package_name = ? AND v.package_version = ?)';
    });
    conditions.push(alternatives.length === 0 ? '1 = 0' : `(${alternatives.join(' OR ')})`);
  }
  return { text: `WHERE ${conditions.join(' AND ')}`, params };
}

/**
 * The page query, ordered by id. With one type it walks the
 * `vulnerabilities_listing (tenant_id, type, id)` index from the cursor.
 * Exported so a test can check the plan.
 */
export function findingsPageSql(tenantId: number, filter: VulFilter, slice: RowSlice): Sql {
  const where = whereFindings(tenantId, filter);
  return {
    text: `SELECT v.id, v.type, v.name, v.alias_name, v.tag, v.search_tags, v.necessity, v.status, v.related,
         v.package_name, v.package_version, v.fixed_version, v.path, v.update_cmd, v.container_id,
         v.container_name, v.image, v.first_ts, v.last_ts, v.modify_ts, v.repair_ts,
         h.uuid, h.instance_id, h.instance_name, h.internet_ip, h.intranet_ip, h.region_id, h.os, h.os_name,
         h.group_id, h.client_status
       ${FROM_FINDINGS} ${where.text} AND v.id > ? ORDER BY v.id LIMIT ? OFFSET ?`,
    params: [...where.params, slice.afterId, slice.limit, slice.offset],
  };
}

export async function listFindings(
  db: Queryable,
  tenantId: number,
  filter: VulFilter,
  slice: RowSlice,
): Promise<Vulnerability[]> {
  const sql = findingsPageSql(tenantId, filter, slice);
  const rows = await db.all<VulnerabilityRow>(sql.text, sql.params);
  return rows.map(toVulnerability);
}

export async function countFindings(db: Queryable, tenantId: number, filter: VulFilter): Promise<number> {
  const where = whereFindings(tenantId, filter);
  const row = await db.get<{ n: number }>(
    `SELECT COUNT(*) AS n ${countFrom(filter)} ${where.text}`,
    where.params,
  );
  return row?.n ?? 0;
}

const unhandledOf = (necessity: Necessity) =>
  `SUM(CASE WHEN v.necessity = '${necessity}' AND v.status IN (${statusList(UNHANDLED_STATUSES)}) THEN 1 ELSE 0 END)`;

/** Findings grouped by (type, name); the most urgent groups first. */
export async function listFindingGroups(
  db: Queryable,
  tenantId: number,
  filter: VulFilter,
  slice: Omit<RowSlice, 'afterId'>,
): Promise<VulGroup[]> {
  const where = whereFindings(tenantId, filter);
  const rows = await db.all<VulGroupRow>(
    `SELECT v.type, v.name, MAX(v.alias_name) AS alias_name, MAX(v.search_tags) AS tags, MAX(v.related) AS related,
       ${unhandledOf('asap')} AS asap_count,
       ${unhandledOf('later')} AS later_count,
       ${unhandledOf('nntf')} AS nntf_count,
       SUM(CASE WHEN v.status IN (${statusList(HANDLED_STATUSES)}) THEN 1 ELSE 0 END) AS handled_count,
       SUM(CASE WHEN v.status IN (${statusList(FIXED_STATUSES)}) THEN 1 ELSE 0 END) AS total_fix_count,
       MIN(v.first_ts) AS gmt_first, MAX(v.last_ts) AS gmt_last
     ${FROM_FINDINGS} ${where.text}
     GROUP BY v.type, v.name
     ORDER BY asap_count DESC, later_count DESC, nntf_count DESC, v.name, v.type
     LIMIT ? OFFSET ?`,
    [...where.params, slice.limit, slice.offset],
  );
  return rows.map(toVulGroup);
}

export async function countFindingGroups(
  db: Queryable,
  tenantId: number,
  filter: VulFilter,
): Promise<number> {
  const where = whereFindings(tenantId, filter);
  const row = await db.get<{ n: number }>(
    `SELECT COUNT(*) AS n FROM (SELECT v.type ${FROM_FINDINGS} ${where.text} GROUP BY v.type, v.name) grouped`,
    where.params,
  );
  return row?.n ?? 0;
}

/** The distinct `related` texts of one vulnerability name in a tenant (one per distinct CVE list). */
export async function listRelatedTexts(
  db: Queryable,
  tenantId: number,
  type: VulType,
  name: string,
): Promise<string[]> {
  const rows = await db.all<{ related: string }>(
    'SELECT DISTINCT related FROM vulnerabilities WHERE tenant_id = ? AND type = ? AND name = ?',
    [tenantId, type, name],
  );
  return rows.map((r) => r.related);
}

/** Advisories by id (global data), ordered by id; unknown ids are left out. */
export async function listCves(db: Queryable, cveIds: readonly string[]): Promise<CveDetail[]> {
  if (cveIds.length === 0) return [];
  const rows = await db.all<CveRow>(
    `SELECT cve_id, title, summary, solution, cvss_score, cvss_vector, vul_level, published_at
     FROM cves WHERE cve_id IN (${placeholders(cveIds)}) ORDER BY cve_id`,
    [...cveIds],
  );
  return rows.map(toCve);
}

export interface StatusMove {
  type: VulType;
  name: string;
  uuid: string;
  from: VulStatus;
  to: VulStatus;
  at: number;
}

/** Moves one finding from `from` to `to`; a finding in any other status is left alone. Returns rows changed. */
export async function moveFindingStatus(db: Queryable, tenantId: number, move: StatusMove): Promise<number> {
  const result = await db.run(
    `UPDATE vulnerabilities SET status = ?, modify_ts = ?
     WHERE tenant_id = ? AND type = ? AND name = ? AND status = ?
       AND host_id = (SELECT id FROM hosts WHERE tenant_id = ? AND uuid = ?)`,
    [move.to, move.at, tenantId, move.type, move.name, move.from, tenantId, move.uuid],
  );
  return result.changes;
}
