/**
 * Local images, the hosts and containers that have them, and their
 * vulnerabilities. Every query is filtered by the tenant, and its subqueries
 * follow the row id of an image chosen that way, so another tenant's image
 * never matches, not even by its image id. Counts and severities are computed
 * in SQL for the page's rows only.
 */
import { parseRelated } from '../domain/vulnerabilities.ts';
import {
  repairNecessity,
  severitiesOf,
  type AffectedImage,
  type AffectedImageFilter,
  type ImageFilter,
  type ImageScanStatus,
  type ImageSeverityLevel,
  type ImageVulFilter,
  type ImageVulHandleStatus,
  type ImageVulnerability,
  type ImageVulSeverity,
  type ImageVulType,
  type LocalImage,
  type LocalImageType,
  type OffsetPage,
  type ScanFailedDesc,
} from '../domain/images.ts';
import type { Queryable, SqlValue } from './database.ts';
import { containsPattern, type Sql } from './vulnerabilities.ts';

/** Severities by rank: the SQL below sorts rank 0 (Critical) first. */
const SEVERITY_BY_RANK: readonly ImageVulSeverity[] = ['Critical', 'High', 'Medium', 'Low'];
const SEVERITY_RANK = `CASE v.severity ${SEVERITY_BY_RANK.map((s, rank) => `WHEN '${s}' THEN ${rank}`).join(' ')} END`;

/** The image's worst unhandled severity on the image scale (Critical counts as High). */
function severityLevel(rank: number | null): ImageSeverityLevel {
  if (rank === null) return 'Security';
  const severity = SEVERITY_BY_RANK[rank]!;
  return severity === 'Critical' ? 'High' : severity;
}

// Correlated subqueries on the image `i`, which the outer query chose by tenant. They follow
// image_ref alone: a tenant_id condition here lets SQLite (without statistics) pick the
// (tenant_id, …) indexes and read every row of the tenant for each image (seconds at 100k rows).
const OF_IMAGE = (alias: string) => `${alias}.image_ref = i.id`;
const HOSTS_OF_IMAGE = `FROM image_hosts ih JOIN hosts h ON h.id = ih.host_id AND h.tenant_id = ih.tenant_id
  WHERE ${OF_IMAGE('ih')}`;
const VUL_NUM = `(SELECT COUNT(*) FROM image_vulnerabilities v WHERE ${OF_IMAGE('v')})`;
export const HOST_NUM = `(SELECT COUNT(*) FROM image_hosts ih WHERE ${OF_IMAGE('ih')})`;
export const CONTAINER_NUM = `(SELECT COUNT(*) FROM image_containers c WHERE ${OF_IMAGE('c')})`;
const WORST_UNHANDLED_RANK = `(SELECT MIN(${SEVERITY_RANK}) FROM image_vulnerabilities v
  WHERE ${OF_IMAGE('v')} AND v.handle_status = 'unhandled')`;
/** The id of the image's first host (of those matching `conditions`). */
const firstHostId = (conditions: Sql | undefined) =>
  `(SELECT MIN(ih.host_id) ${HOSTS_OF_IMAGE}${conditions ? ` AND ${conditions.text}` : ''})`;

/** Conditions joined by AND, with their parameters in order. */
function makeConditions() {
  const list: string[] = [];
  const params: SqlValue[] = [];
  const add = (condition: string, ...values: SqlValue[]) => {
    list.push(condition);
    params.push(...values);
  };
  return {
    add,
    addIn(column: string, values: readonly SqlValue[]) {
      if (values.length === 0) add('1 = 0');
      else add(`${column} IN (${values.map(() => '?').join(', ')})`, ...values);
    },
    addContains(column: string, text: string | undefined) {
      if (text !== undefined) add(`LOWER(${column}) LIKE ? ESCAPE '\\'`, containsPattern(text));
    },
    addRange(column: string, from: number | undefined, to: number | undefined) {
      if (from !== undefined) add(`${column} >= ?`, from);
      if (to !== undefined) add(`${column} <= ?`, to);
    },
    addEqual(column: string, value: SqlValue | undefined) {
      if (value !== undefined) add(`${column} = ?`, value);
    },
    /** undefined when no condition was added. */
    sql(): Sql | undefined {
      return list.length === 0 ? undefined : { text: list.join(' AND '), params };
    },
  };
}

/** The parts joined by AND; '1 = 1' when none is given. */
export const and = (...parts: (Sql | undefined)[]): Sql => {
  const given = parts.filter((part) => part !== undefined);
  return { text: given.map((p) => p.text).join(' AND ') || '1 = 1', params: given.flatMap((p) => p.params) };
};

/** The host conditions of an image filter, on `h`; undefined without any. */
function whereHost(filter: ImageFilter): Sql | undefined {
  const where = makeConditions();
  where.addContains('h.instance_name', filter.hostName);
  where.addEqual('h.uuid', filter.hostId);
  if (filter.hostIp !== undefined) {
    const item = `%,${filter.hostIp.replace(/[\\%_]/g, '\\$&')},%`;
    where.add(
      `(h.internet_ip = ? OR h.intranet_ip = ? OR (',' || REPLACE(h.ip_list, ' ', '') || ',') LIKE ? ESCAPE '\\')`,
      filter.hostIp,
      filter.hostIp,
      item,
    );
  }
  return where.sql();
}

/** The container conditions of an image filter, on `c`; undefined without any. */
function whereContainer(filter: ImageFilter): Sql | undefined {
  const where = makeConditions();
  where.addEqual('c.container_id', filter.containerId);
  where.addContains('c.container_name', filter.containerName);
  where.addEqual('c.pod_id', filter.podId);
  where.addContains('c.pod_name', filter.podName);
  return where.sql();
}

/** The conditions of an image filter on `i`, the tenant first. */
export function whereImages(tenantId: number, filter: ImageFilter): Sql {
  const where = makeConditions();
  where.add('i.tenant_id = ?', tenantId);
  if (filter.imageIds) where.addIn('i.image_id', filter.imageIds);
  where.addContains('i.name', filter.imageName);
  where.addEqual('i.version', filter.imageVersion);
  const host = whereHost(filter);
  if (host) where.add(`EXISTS (SELECT 1 ${HOSTS_OF_IMAGE} AND ${host.text})`, ...host.params);
  const container = whereContainer(filter);
  if (container) {
    where.add(
      `EXISTS (SELECT 1 FROM image_containers c WHERE ${OF_IMAGE('c')} AND ${container.text})`,
      ...container.params,
    );
  }
  if (filter.appName !== undefined) {
    where.add(
      `EXISTS (SELECT 1 FROM image_vulnerabilities v WHERE ${OF_IMAGE('v')} AND LOWER(v.app_name) LIKE ? ESCAPE '\\')`,
      containsPattern(filter.appName),
    );
  }
  where.addEqual('i.size', filter.imageSize);
  where.addRange('i.latest_update_time', filter.updateTimeFrom, filter.updateTimeTo);
  where.addRange('i.latest_scan_time', filter.scanTimeFrom, filter.scanTimeTo);
  if (filter.hasVul !== undefined) {
    where.add(
      `${filter.hasVul ? '' : 'NOT '}EXISTS (SELECT 1 FROM image_vulnerabilities v WHERE ${OF_IMAGE('v')})`,
    );
  }
  if (filter.hasContainer !== undefined) {
    where.add(
      `${filter.hasContainer ? '' : 'NOT '}EXISTS (SELECT 1 FROM image_containers c WHERE ${OF_IMAGE('c')})`,
    );
  }
  where.addEqual('i.scan_status', filter.scanStatus);
  where.addEqual('i.local_image_type', filter.localImageType);
  return where.sql()!;
}

/** The conditions of an image vulnerability filter on `v` (no tenant: join it to its image). */
export function whereImageVuls(filter: ImageVulFilter): Sql | undefined {
  const where = makeConditions();
  where.addEqual('v.type', filter.type);
  where.addEqual('v.handle_status', filter.handleStatus);
  if (filter.vulIds) where.addIn('v.vul_id', filter.vulIds);
  where.addContains('v.vul_id', filter.vulIdLike);
  where.addEqual('v.app_name', filter.appName);
  if (filter.repairNecessity) where.addIn('v.severity', severitiesOf(filter.repairNecessity));
  return where.sql();
}

/** The conditions of an affected-images filter on `v` and its image `i`, the tenant first. */
function whereAffected(tenantId: number, filter: AffectedImageFilter): Sql {
  const where = makeConditions();
  where.add('v.tenant_id = ?', tenantId);
  where.addEqual('v.vul_id', filter.vulId);
  if (filter.isHandled !== undefined) {
    where.add('v.handle_status = ?', filter.isHandled ? 'handled' : 'unhandled');
  }
  if (filter.status) {
    where.add('v.handle_status = ?', filter.status === 'vul_status_ignored' ? 'handled' : 'unhandled');
  }
  where.addEqual('v.type', filter.type);
  where.addEqual('v.severity', filter.severity);
  where.addEqual('i.image_id', filter.imageId);
  where.addContains('i.name', filter.imageName);
  return where.sql()!;
}

export const FROM_IMAGE_VULS = `FROM image_vulnerabilities v JOIN images i ON i.id = v.image_ref`;

// ---- local images ------------------------------------------------------------------------

interface LocalImageRow {
  image_id: string;
  name: string;
  version: string;
  digest: string;
  size: number;
  local_image_type: LocalImageType;
  scan_status: ImageScanStatus;
  scan_failed_desc: ScanFailedDesc | '';
  latest_update_time: number;
  latest_scan_time: number | null;
  component_num: number;
  unsafe_setting_num: number;
  malicious_file_num: number;
  vul_num: number;
  host_num: number;
  container_num: number;
  worst_rank: number | null;
  host_name: string | null;
  host_uuid: string | null;
}

const toLocalImage = (r: LocalImageRow): LocalImage => ({
  imageId: r.image_id,
  name: r.name,
  version: r.version,
  digest: r.digest,
  size: r.size,
  localImageType: r.local_image_type,
  scanStatus: r.scan_status,
  scanFailedDesc: r.scan_failed_desc,
  latestUpdateTime: r.latest_update_time,
  latestScanTime: r.latest_scan_time ?? undefined,
  vulNum: r.vul_num,
  unsafeSettingNum: r.unsafe_setting_num,
  maliciousFileNum: r.malicious_file_num,
  hostNum: r.host_num,
  containerNum: r.container_num,
  componentNum: r.component_num,
  severityLevel: severityLevel(r.worst_rank),
  hostName: r.host_name ?? '',
  hostId: r.host_uuid ?? '',
  agentId: r.host_uuid ?? '',
});

const IMAGE_ORDER = 'ORDER BY i.latest_update_time DESC, i.id DESC';

/** A page of images, newest first; counts and the first host are computed for the page's rows only. */
export async function listImages(
  db: Queryable,
  tenantId: number,
  filter: ImageFilter,
  page: OffsetPage,
): Promise<LocalImage[]> {
  const where = whereImages(tenantId, filter);
  const host = whereHost(filter);
  const rows = await db.all<LocalImageRow>(
    `SELECT i.image_id, i.name, i.version, i.digest, i.size, i.local_image_type, i.scan_status,
       i.scan_failed_desc, i.latest_update_time, i.latest_scan_time, i.component_num, i.unsafe_setting_num,
       i.malicious_file_num, ${VUL_NUM} AS vul_num, ${HOST_NUM} AS host_num, ${CONTAINER_NUM} AS container_num,
       ${WORST_UNHANDLED_RANK} AS worst_rank, fh.instance_name AS host_name, fh.uuid AS host_uuid
     FROM (SELECT i.* FROM images i WHERE ${where.text} ${IMAGE_ORDER} LIMIT ? OFFSET ?) i
     LEFT JOIN hosts fh ON fh.id = ${firstHostId(host)} AND fh.tenant_id = i.tenant_id
     ${IMAGE_ORDER}`,
    [...where.params, page.limit, page.offset, ...(host?.params ?? [])],
  );
  return rows.map(toLocalImage);
}

export async function countImages(db: Queryable, tenantId: number, filter: ImageFilter): Promise<number> {
  const where = whereImages(tenantId, filter);
  const row = await db.get<{ n: number }>(
    `SELECT COUNT(*) AS n FROM images i WHERE ${where.text}`,
    where.params,
  );
  return Number(row?.n ?? 0);
}

// ---- vulnerabilities of one image ----------------------------------------------------------

interface ImageVulRow {
  vul_id: string;
  vul_name: string;
  type: ImageVulType;
  severity: ImageVulSeverity;
  handle_status: ImageVulHandleStatus;
  description: string;
  position: string;
  app_name: string;
  app_path: string;
  app_version: string;
  fixed_version: string;
  solution: string;
  url: string;
  cve_ids: string;
  cvss: number;
  first_scan_time: number;
  latest_scan_time: number;
}

const toImageVulnerability = (r: ImageVulRow): ImageVulnerability => ({
  vulId: r.vul_id,
  vulName: r.vul_name,
  type: r.type,
  severity: r.severity,
  repairNecessity: repairNecessity(r.severity),
  handleStatus: r.handle_status,
  description: r.description,
  position: r.position,
  appName: r.app_name,
  appPath: r.app_path,
  version: r.app_version,
  fixedVersion: r.fixed_version,
  solution: r.solution,
  url: r.url,
  cveIds: parseRelated(r.cve_ids),
  cvss: Number(r.cvss),
  firstScanTime: r.first_scan_time,
  latestScanTime: r.latest_scan_time,
});

function whereOneImage(tenantId: number, imageId: string, filter: ImageVulFilter): Sql {
  return and(
    { text: 'i.tenant_id = ? AND i.image_id = ?', params: [tenantId, imageId] },
    whereImageVuls(filter),
  );
}

/** A page of one image's vulnerabilities, the most severe first; none for an image the tenant lacks. */
export async function listImageVuls(
  db: Queryable,
  tenantId: number,
  imageId: string,
  filter: ImageVulFilter,
  page: OffsetPage,
): Promise<ImageVulnerability[]> {
  const where = whereOneImage(tenantId, imageId, filter);
  const rows = await db.all<ImageVulRow>(
    `SELECT v.vul_id, v.vul_name, v.type, v.severity, v.handle_status, v.description, v.position, v.app_name,
       v.app_path, v.app_version, v.fixed_version, v.solution, v.url, v.cve_ids, v.cvss, v.first_scan_time,
       v.latest_scan_time
     ${FROM_IMAGE_VULS} WHERE ${where.text}
     ORDER BY ${SEVERITY_RANK}, v.vul_id, v.id LIMIT ? OFFSET ?`,
    [...where.params, page.limit, page.offset],
  );
  return rows.map(toImageVulnerability);
}

export async function countImageVuls(
  db: Queryable,
  tenantId: number,
  imageId: string,
  filter: ImageVulFilter,
): Promise<number> {
  const where = whereOneImage(tenantId, imageId, filter);
  const row = await db.get<{ n: number }>(
    `SELECT COUNT(*) AS n ${FROM_IMAGE_VULS} WHERE ${where.text}`,
    where.params,
  );
  return Number(row?.n ?? 0);
}

// ---- images affected by a vulnerability -------------------------------------------------------

interface AffectedImageRow {
  image_id: string;
  name: string;
  version: string;
  digest: string;
  vul_id: string;
  worst_rank: number;
  unhandled: number;
  first_scan_time: number;
  latest_scan_time: number;
  container_num: number;
  host_num: number;
  agent_id: string | null;
}

/** One row per image with matching rows of the vulnerability: worst severity, unfixed while any is unhandled. */
export async function listAffectedImages(
  db: Queryable,
  tenantId: number,
  filter: AffectedImageFilter,
  page: OffsetPage,
): Promise<AffectedImage[]> {
  const where = whereAffected(tenantId, filter);
  const rows = await db.all<AffectedImageRow>(
    `SELECT i.image_id, i.name, i.version, i.digest, a.vul_id, a.worst_rank, a.unhandled, a.first_scan_time,
       a.latest_scan_time, ${CONTAINER_NUM} AS container_num, ${HOST_NUM} AS host_num,
       (SELECT h.uuid FROM hosts h WHERE h.id = ${firstHostId(undefined)} AND h.tenant_id = i.tenant_id) AS agent_id
     FROM (SELECT v.image_ref, MIN(v.vul_id) AS vul_id, MIN(${SEVERITY_RANK}) AS worst_rank,
             SUM(CASE WHEN v.handle_status = 'unhandled' THEN 1 ELSE 0 END) AS unhandled,
             MIN(v.first_scan_time) AS first_scan_time, MAX(v.latest_scan_time) AS latest_scan_time
           ${FROM_IMAGE_VULS} WHERE ${where.text} GROUP BY v.image_ref) a
     JOIN images i ON i.id = a.image_ref AND i.tenant_id = ?
     ${IMAGE_ORDER} LIMIT ? OFFSET ?`,
    [...where.params, tenantId, page.limit, page.offset],
  );
  return rows.map((r) => ({
    imageId: r.image_id,
    imageName: r.name,
    imageVersion: r.version,
    imageDigest: r.digest,
    vulId: r.vul_id,
    severity: SEVERITY_BY_RANK[r.worst_rank]!,
    status: Number(r.unhandled) > 0 ? 'vul_status_unfix' : 'vul_status_ignored',
    firstScanTime: r.first_scan_time,
    latestScanTime: r.latest_scan_time,
    containerNum: r.container_num,
    hostNum: r.host_num,
    agentId: r.agent_id ?? '',
  }));
}

export async function countAffectedImages(
  db: Queryable,
  tenantId: number,
  filter: AffectedImageFilter,
): Promise<number> {
  const where = whereAffected(tenantId, filter);
  const row = await db.get<{ n: number }>(
    `SELECT COUNT(DISTINCT v.image_ref) AS n ${FROM_IMAGE_VULS} WHERE ${where.text}`,
    where.params,
  );
  return Number(row?.n ?? 0);
}
