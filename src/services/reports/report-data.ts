/**
 * Everything a security report shows, for one tenant, period and scope. The
 * database does the aggregating (persistence/report-queries.ts): this reads a
 * few dozen grouped rows and at most the limits' worth of listed ones, so a
 * fleet of any size is collected in bounded memory.
 */
import { invalidParameter } from '../../domain/errors.ts';
import { IMAGE_VUL_SEVERITIES, type ImageVulSeverity } from '../../domain/images.ts';
import {
  previousPeriod,
  riskScore,
  trendBucketLabel,
  trendBucketing,
  trendBuckets,
  zeroNecessityCounts,
  type NecessityCounts,
  type ReportData,
  type ReportPeriod,
  type ReportScope,
  type ReportVulnerability,
} from '../../domain/report-data.ts';
import { parseRelated, VUL_TYPES, type VulType } from '../../domain/vulnerabilities.ts';
import * as queries from '../../persistence/report-queries.ts';
import type { AppContext } from '../context.ts';

export interface ReportDataOptions {
  period: ReportPeriod;
  scope: ReportScope;
  /** The server's zone, for the trend's day boundaries (e.g. 480 for UTC+8). */
  utcOffsetMinutes: number;
  /** Most urgent findings listed. (Default: 50) */
  urgentLimit?: number;
  /** Most vulnerabilities listed in the appendix. (Default: 500) */
  appendixLimit?: number;
}

export const DEFAULT_URGENT_LIMIT = 50;
export const DEFAULT_APPENDIX_LIMIT = 500;
/** Length of the top-vulnerability and top-host lists. */
export const TOP_LIMIT = 10;
/** Real zones lie within UTC−12 and UTC+14. */
const MAX_OFFSET_MINUTES = 14 * 60;

/**
 * The data of one report: the tenant's hosts in `scope` over `period`, and the
 * period just before for comparison. The queries run at once (on PostgreSQL
 * over several connections), not in one snapshot: a finding that changes
 * meanwhile may show in one figure and not in another. Bad options are
 * InvalidParameter errors.
 */
export async function collectReportData(
  app: AppContext,
  tenantId: number,
  options: ReportDataOptions,
): Promise<ReportData> {
  const { period, scope, utcOffsetMinutes } = options;
  const urgentLimit = options.urgentLimit ?? DEFAULT_URGENT_LIMIT;
  const appendixLimit = options.appendixLimit ?? DEFAULT_APPENDIX_LIMIT;
  checkOptions(period, utcOffsetMinutes, urgentLimit, appendixLimit);
  const previous = previousPeriod(period);
  const bucketing = trendBucketing(period, utcOffsetMinutes);
  const db = app.db;

  // The top list is the head of the appendix's order: one grouping serves both.
  const [summary, hosts, risky, vulnerabilities, urgent, trend, images] = await Promise.all([
    queries.summarizeFindings(db, tenantId, scope, { current: period, previous }),
    queries.countScopeHosts(db, tenantId, scope),
    queries.listRiskyHosts(db, tenantId, scope, TOP_LIMIT),
    queries.listOpenVulnerabilities(db, tenantId, scope, Math.max(TOP_LIMIT, appendixLimit)),
    urgentLimit > 0 ? queries.listUrgentFindings(db, tenantId, scope, urgentLimit) : [],
    queries.countFoundByBucket(db, tenantId, scope, period, bucketing),
    queries.summarizeImages(db, tenantId, scope),
  ]);

  const open = zeroNecessityCounts();
  const openAtPreviousEnd = zeroNecessityCounts();
  const found = { current: zeroNecessityCounts(), previous: zeroNecessityCounts() };
  const fixed = { current: 0, previous: 0 };
  const byType = Object.fromEntries(VUL_TYPES.map((type) => [type, 0])) as Record<VulType, number>;
  for (const row of summary) {
    open[row.necessity] += row.open;
    byType[row.type] += row.open;
    openAtPreviousEnd[row.necessity] += row.openAtPreviousEnd;
    found.current[row.necessity] += row.foundCurrent;
    found.previous[row.necessity] += row.foundPrevious;
    fixed.current += row.fixedCurrent;
    fixed.previous += row.fixedPrevious;
  }

  const trendCounts = new Map(trendBuckets(bucketing, period).map((b) => [b, zeroNecessityCounts()]));
  for (const row of trend) {
    const counts = trendCounts.get(row.bucket);
    if (counts) counts[row.necessity] += row.count;
  }

  const grouped: ReportVulnerability[] = vulnerabilities.items.map((v) => ({
    name: v.name,
    aliasName: v.aliasName,
    type: v.type,
    necessity: v.necessity,
    hosts: v.hosts,
    cves: parseRelated(v.related),
  }));
  const openBySeverity = Object.fromEntries(IMAGE_VUL_SEVERITIES.map((s) => [s, 0])) as Record<
    ImageVulSeverity,
    number
  >;
  for (const row of images.openBySeverity) openBySeverity[row.severity] += row.count;

  return {
    period,
    previous,
    hosts: { total: hosts.total, online: hosts.online, affected: risky.affected },
    open: { total: sum(open), byNecessity: open, byType },
    found,
    fixed,
    risk: { current: riskScore(open, hosts.total), previous: riskScore(openAtPreviousEnd, hosts.total) },
    trend: [...trendCounts].map(([bucket, counts]) => ({
      label: trendBucketLabel(bucketing, bucket),
      counts,
    })),
    topVulnerabilities: grouped.slice(0, TOP_LIMIT),
    topHosts: risky.items.map((h) => ({
      uuid: h.uuid,
      name: h.name,
      ip: h.internetIp || h.intranetIp,
      group: h.group,
      counts: { asap: h.asap, later: h.later, nntf: h.nntf },
      score: h.score,
    })),
    urgent: {
      total: open.asap,
      items: urgent.map((u) => ({
        hostName: u.hostName,
        ip: u.internetIp || u.intranetIp,
        aliasName: u.aliasName,
        name: u.name,
        type: u.type,
        firstSeen: u.firstTs,
      })),
    },
    appendix: { total: vulnerabilities.total, items: grouped.slice(0, appendixLimit) },
    images: { total: images.total, openBySeverity },
  };
}

const sum = (counts: NecessityCounts) => counts.asap + counts.later + counts.nntf;

function checkOptions(period: ReportPeriod, offsetMinutes: number, ...limits: number[]): void {
  const { from, to } = period;
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from >= to) {
    throw invalidParameter('Period', 'it must be epoch milliseconds with from before to');
  }
  if (!Number.isInteger(offsetMinutes) || Math.abs(offsetMinutes) > MAX_OFFSET_MINUTES) {
    throw invalidParameter('UtcOffsetMinutes', `it must be an integer within ±${MAX_OFFSET_MINUTES}`);
  }
  // Trend buckets are computed by truncating division, the floor only after 1970 (see bucketSql).
  if (from + offsetMinutes * 60_000 < 0) throw invalidParameter('Period', 'it must start after 1970');
  if (limits.some((limit) => !Number.isSafeInteger(limit) || limit < 0)) {
    throw invalidParameter('Limit', 'a list limit must be a non-negative integer');
  }
}
