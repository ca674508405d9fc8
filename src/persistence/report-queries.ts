/**
 * The aggregates of a security report, each one query that the database
 * answers with a scan or a grouping: no query returns more than a limit's
 * worth of rows, however many findings the tenant has. Every query is filtered
 * by the tenant; a scope of host groups narrows it to the hosts of those groups.
 * There is no index for them on purpose: a covering index halved a report over
 * a million findings on SQLite (4.1 → 1.8 s) but doubled bulk ingestion, and a
 * report runs once per period while findings arrive all the time. PostgreSQL
 * scans in parallel and was no faster with it.
 */
import type { ReportPeriod, ReportScope, TrendBucketing } from '../domain/report-data.ts';
import { NECESSITY_WEIGHTS } from '../domain/report-data.ts';
import type { ImageVulSeverity } from '../domain/images.ts';
import {
  HANDLED_STATUSES,
  UNHANDLED_STATUSES,
  VUL_STATUS,
  type Necessity,
  type VulType,
} from '../domain/vulnerabilities.ts';
import type { Queryable } from './database.ts';
import { statusList, type Sql } from './vulnerabilities.ts';

const UNHANDLED = `v.status IN (${statusList(UNHANDLED_STATUSES)})`;
const HANDLED = `v.status IN (${statusList(HANDLED_STATUSES)})`;
const NECESSITY_RANK = `CASE v.necessity WHEN 'asap' THEN 0 WHEN 'later' THEN 1 ELSE 2 END`;
const NECESSITY_BY_RANK: readonly Necessity[] = ['asap', 'later', 'nntf'];
const WEIGHT = `CASE v.necessity WHEN 'asap' THEN ${NECESSITY_WEIGHTS.asap} WHEN 'later' THEN ${NECESSITY_WEIGHTS.later} ELSE ${NECESSITY_WEIGHTS.nntf} END`;
const countWhen = (condition: string) => `SUM(CASE WHEN ${condition} THEN 1 ELSE 0 END)`;
const placeholders = (values: readonly unknown[]): string => values.map(() => '?').join(', ');

/** `AND h.group_id IN (…)` for a group scope, nothing for the whole tenant. */
function groupCondition(scope: ReportScope): Sql {
  const ids = scope.groupIds;
  return ids.length === 0
    ? { text: '', params: [] }
    : { text: ` AND h.group_id IN (${placeholders(ids)})`, params: [...ids] };
}

/**
 * FROM and WHERE for the tenant's findings in scope. A group scope is a set of
 * host ids the findings are tested against, not a join: the findings are still
 * read in index order, and a query that needs host columns joins the few rows
 * it returns.
 */
function findingsInScope(tenantId: number, scope: ReportScope): Sql {
  const groups = groupCondition(scope);
  const hosts =
    groups.text === ''
      ? ''
      : ` AND v.host_id IN (SELECT h.id FROM hosts h WHERE h.tenant_id = ?${groups.text})`;
  return {
    text: `FROM vulnerabilities v WHERE v.tenant_id = ?${hosts}`,
    params: groups.text === '' ? [tenantId] : [tenantId, tenantId, ...groups.params],
  };
}

export interface FindingSummary {
  necessity: Necessity;
  type: VulType;
  /** Unhandled now. */
  open: number;
  foundCurrent: number;
  foundPrevious: number;
  fixedCurrent: number;
  fixedPrevious: number;
  /** First seen before `previous.to`, not repaired before it, and not ignored now. */
  openAtPreviousEnd: number;
}

type FindingSummaryRow = { necessity: Necessity; type: VulType } & Record<
  'open' | 'found_current' | 'found_previous' | 'fixed_current' | 'fixed_previous' | 'open_at_previous_end',
  number
>;

/**
 * The counts of the report's figures per (necessity, type), in one pass over
 * the findings in scope. They are counted per (type, name, necessity) first,
 * which follows the (tenant_id, type, name) index, so that this grouping
 * streams; its few thousand rows are then added up. Grouping the findings
 * straight into the 18 (necessity, type) groups makes SQLite sort all of them
 * (twice the time).
 */
export async function summarizeFindings(
  db: Queryable,
  tenantId: number,
  scope: ReportScope,
  periods: { current: ReportPeriod; previous: ReportPeriod },
): Promise<FindingSummary[]> {
  const { current, previous } = periods;
  const from = findingsInScope(tenantId, scope);
  const rows = await db.all<FindingSummaryRow>(
    `SELECT necessity, type, SUM(open) AS open, SUM(found_current) AS found_current,
       SUM(found_previous) AS found_previous, SUM(fixed_current) AS fixed_current,
       SUM(fixed_previous) AS fixed_previous, SUM(open_at_previous_end) AS open_at_previous_end
     FROM (
       SELECT v.type, v.name, v.necessity,
         ${countWhen(UNHANDLED)} AS open,
         ${countWhen('v.first_ts >= ? AND v.first_ts < ?')} AS found_current,
         ${countWhen('v.first_ts >= ? AND v.first_ts < ?')} AS found_previous,
         ${countWhen(`v.repair_ts >= ? AND v.repair_ts < ? AND ${HANDLED}`)} AS fixed_current,
         ${countWhen(`v.repair_ts >= ? AND v.repair_ts < ? AND ${HANDLED}`)} AS fixed_previous,
         ${countWhen(`v.first_ts < ? AND (v.repair_ts IS NULL OR v.repair_ts >= ?) AND v.status <> ${VUL_STATUS.ignored}`)}
           AS open_at_previous_end
       ${from.text}
       GROUP BY v.type, v.name, v.necessity
     ) per_name
     GROUP BY necessity, type`,
    [
      ...[current.from, current.to, previous.from, previous.to],
      ...[current.from, current.to, previous.from, previous.to],
      ...[previous.to, previous.to],
      ...from.params,
    ],
  );
  return rows.map((r) => ({
    necessity: r.necessity,
    type: r.type,
    open: Number(r.open),
    foundCurrent: Number(r.found_current),
    foundPrevious: Number(r.found_previous),
    fixedCurrent: Number(r.fixed_current),
    fixedPrevious: Number(r.fixed_previous),
    openAtPreviousEnd: Number(r.open_at_previous_end),
  }));
}

/**
 * The SQL twin of trendBucketOf. The offset is cast because node:sqlite binds
 * every number as REAL, which would turn the division into a real one; both
 * backends divide integers by truncation, which is the floor for instants after
 * 1970 (collectReportData refuses earlier periods).
 */
function bucketSql(bucketing: TrendBucketing): string {
  const day = '(v.first_ts + CAST(? AS BIGINT)) / 86400000';
  return bucketing.days === 1 ? day : `(${day} + 3) / 7`;
}

export interface BucketCount {
  bucket: number;
  necessity: Necessity;
  count: number;
}

/** Findings in scope first seen in the period, per trend bucket and necessity; empty buckets are absent. */
export async function countFoundByBucket(
  db: Queryable,
  tenantId: number,
  scope: ReportScope,
  period: ReportPeriod,
  bucketing: TrendBucketing,
): Promise<BucketCount[]> {
  const from = findingsInScope(tenantId, scope);
  const rows = await db.all<{ bucket: number; necessity: Necessity; n: number }>(
    `SELECT ${bucketSql(bucketing)} AS bucket, v.necessity, COUNT(*) AS n
     ${from.text} AND v.first_ts >= ? AND v.first_ts < ?
     GROUP BY bucket, v.necessity`,
    [bucketing.offsetMs, ...from.params, period.from, period.to],
  );
  return rows.map((r) => ({ bucket: Number(r.bucket), necessity: r.necessity, count: Number(r.n) }));
}

export interface OpenVulnerability {
  type: VulType;
  name: string;
  aliasName: string;
  /** Its `related` text (CVE ids, comma-separated). */
  related: string;
  necessity: Necessity;
  hosts: number;
}

interface OpenVulnerabilityRow {
  type: VulType;
  name: string;
  alias_name: string;
  related: string;
  necessity_rank: number;
  hosts: number;
  total: number;
}

/**
 * Unhandled findings in scope grouped by (type, name): most urgent necessity
 * first, then most hosts, then name; at most `limit` (at least 1: the number
 * of groups comes on the first row).
 */
export async function listOpenVulnerabilities(
  db: Queryable,
  tenantId: number,
  scope: ReportScope,
  limit: number,
): Promise<{ total: number; items: OpenVulnerability[] }> {
  const from = findingsInScope(tenantId, scope);
  // Grouped first from the finding columns alone, with COUNT(*) OVER () counting the groups
  // before the LIMIT; the texts are then read for the listed groups only. Alias and CVE list
  // are the advisory's, the same on each finding of a name: any one of them will do.
  const rows = await db.all<OpenVulnerabilityRow>(
    `SELECT g.type, g.name, g.necessity_rank, g.hosts, g.total,
       (SELECT x.alias_name FROM vulnerabilities x
        WHERE x.tenant_id = ? AND x.type = g.type AND x.name = g.name LIMIT 1) AS alias_name,
       (SELECT x.related FROM vulnerabilities x
        WHERE x.tenant_id = ? AND x.type = g.type AND x.name = g.name LIMIT 1) AS related
     FROM (
       SELECT v.type, v.name, MIN(${NECESSITY_RANK}) AS necessity_rank, COUNT(*) AS hosts, COUNT(*) OVER () AS total
       ${from.text} AND ${UNHANDLED}
       GROUP BY v.type, v.name
       ORDER BY necessity_rank, hosts DESC, v.name, v.type
       LIMIT ?
     ) g
     ORDER BY g.necessity_rank, g.hosts DESC, g.name, g.type`,
    [tenantId, tenantId, ...from.params, limit],
  );
  return {
    total: Number(rows[0]?.total ?? 0),
    items: rows.map((r) => ({
      type: r.type,
      name: r.name,
      aliasName: r.alias_name,
      related: r.related,
      necessity: NECESSITY_BY_RANK[Number(r.necessity_rank)]!,
      hosts: Number(r.hosts),
    })),
  };
}

export async function countScopeHosts(
  db: Queryable,
  tenantId: number,
  scope: ReportScope,
): Promise<{ total: number; online: number }> {
  const groups = groupCondition(scope);
  const row = await db.get<{ total: number; online: number | null }>(
    `SELECT COUNT(*) AS total, ${countWhen(`h.client_status = 'online'`)} AS online
     FROM hosts h WHERE h.tenant_id = ?${groups.text}`,
    [tenantId, ...groups.params],
  );
  return { total: Number(row?.total ?? 0), online: Number(row?.online ?? 0) };
}

export interface RiskyHost {
  uuid: string;
  name: string;
  internetIp: string;
  intranetIp: string;
  /** '' for a host in no group. */
  group: string;
  asap: number;
  later: number;
  nntf: number;
  score: number;
}

interface RiskyHostRow {
  uuid: string;
  instance_name: string;
  internet_ip: string;
  intranet_ip: string;
  group_name: string | null;
  asap: number;
  later: number;
  nntf: number;
  score: number;
  affected: number;
}

/**
 * Hosts in scope with unhandled findings, by weighted count (NECESSITY_WEIGHTS)
 * desc, then name; at most `limit` (at least 1: how many such hosts there are
 * comes on the first row).
 */
export async function listRiskyHosts(
  db: Queryable,
  tenantId: number,
  scope: ReportScope,
  limit: number,
): Promise<{ affected: number; items: RiskyHost[] }> {
  const from = findingsInScope(tenantId, scope);
  // One row per affected host inside; COUNT(*) OVER () counts them before the LIMIT outside.
  const rows = await db.all<RiskyHostRow>(
    `SELECT h.uuid, h.instance_name, h.internet_ip, h.intranet_ip, g.name AS group_name,
       t.asap, t.later, t.nntf, t.score, t.affected
     FROM (
       SELECT v.host_id, ${countWhen(`v.necessity = 'asap'`)} AS asap, ${countWhen(`v.necessity = 'later'`)} AS later,
         ${countWhen(`v.necessity = 'nntf'`)} AS nntf, SUM(${WEIGHT}) AS score, COUNT(*) OVER () AS affected
       ${from.text} AND ${UNHANDLED}
       GROUP BY v.host_id
     ) t
     JOIN hosts h ON h.id = t.host_id AND h.tenant_id = ?
     LEFT JOIN host_groups g ON g.id = h.group_id AND g.tenant_id = h.tenant_id
     ORDER BY t.score DESC, h.instance_name, h.uuid
     LIMIT ?`,
    [...from.params, tenantId, limit],
  );
  return {
    affected: Number(rows[0]?.affected ?? 0),
    items: rows.map((r) => ({
      uuid: r.uuid,
      name: r.instance_name,
      internetIp: r.internet_ip,
      intranetIp: r.intranet_ip,
      group: r.group_name ?? '',
      asap: Number(r.asap),
      later: Number(r.later),
      nntf: Number(r.nntf),
      score: Number(r.score),
    })),
  };
}

export interface UrgentRow {
  hostName: string;
  internetIp: string;
  intranetIp: string;
  aliasName: string;
  name: string;
  type: VulType;
  firstTs: number;
}

/** Unhandled asap findings in scope, oldest first_ts first (then id), at most `limit`. */
export async function listUrgentFindings(
  db: Queryable,
  tenantId: number,
  scope: ReportScope,
  limit: number,
): Promise<UrgentRow[]> {
  const from = findingsInScope(tenantId, scope);
  // The oldest are chosen from the finding columns alone; only they are joined to their text and host.
  const rows = await db.all<{
    instance_name: string;
    internet_ip: string;
    intranet_ip: string;
    alias_name: string;
    name: string;
    type: VulType;
    first_ts: number;
  }>(
    `SELECT h.instance_name, h.internet_ip, h.intranet_ip, v.alias_name, v.name, v.type, v.first_ts
     FROM (
       SELECT v.id ${from.text} AND v.necessity = 'asap' AND ${UNHANDLED}
       ORDER BY v.first_ts, v.id
       LIMIT ?
     ) oldest
     JOIN vulnerabilities v ON v.id = oldest.id AND v.tenant_id = ?
     JOIN hosts h ON h.id = v.host_id AND h.tenant_id = v.tenant_id
     ORDER BY v.first_ts, v.id`,
    [...from.params, limit, tenantId],
  );
  return rows.map((r) => ({
    hostName: r.instance_name,
    internetIp: r.internet_ip,
    intranetIp: r.intranet_ip,
    aliasName: r.alias_name,
    name: r.name,
    type: r.type,
    firstTs: Number(r.first_ts),
  }));
}

export interface ImagesSummary {
  total: number;
  openBySeverity: { severity: ImageVulSeverity; count: number }[];
}

/**
 * The tenant's local images and their unhandled vulnerabilities by severity.
 * A group scope keeps the images held by at least one host of those groups.
 */
export async function summarizeImages(
  db: Queryable,
  tenantId: number,
  scope: ReportScope,
): Promise<ImagesSummary> {
  const groups = groupCondition(scope);
  const inScope = (column: string): Sql =>
    groups.text === ''
      ? { text: '', params: [] }
      : {
          text: ` AND ${column} IN (SELECT ih.image_ref FROM image_hosts ih
              JOIN hosts h ON h.id = ih.host_id AND h.tenant_id = ih.tenant_id
              WHERE ih.tenant_id = ?${groups.text})`,
          params: [tenantId, ...groups.params],
        };
  const images = inScope('i.id');
  const total = await db.get<{ n: number }>(
    `SELECT COUNT(*) AS n FROM images i WHERE i.tenant_id = ?${images.text}`,
    [tenantId, ...images.params],
  );
  const vulnerabilities = inScope('v.image_ref');
  const rows = await db.all<{ severity: ImageVulSeverity; n: number }>(
    `SELECT v.severity, COUNT(*) AS n FROM image_vulnerabilities v
     WHERE v.tenant_id = ? AND v.handle_status = 'unhandled'${vulnerabilities.text}
     GROUP BY v.severity`,
    [tenantId, ...vulnerabilities.params],
  );
  return {
    total: Number(total?.n ?? 0),
    openBySeverity: rows.map((r) => ({ severity: r.severity, count: Number(r.n) })),
  };
}
