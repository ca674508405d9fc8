/**
 * Glossary.
 * - Report data: every figure a security report shows for one tenant, period
 *   and scope, aggregated by the database (see collectReportData).
 * - Open: unhandled now (UNHANDLED_STATUSES), whenever it was found.
 * - Found: first seen (first_ts) within a period.
 * - Fixed: repaired (repair_ts) within a period and handled now.
 * - Risk score: 0–100 from the open findings per host (see riskScore).
 * - Trend bucket: one local day of the period, or one local week (from Monday)
 *   when the period is longer than TREND_DAILY_MAX_DAYS.
 */
import type { ImageVulSeverity } from './images.ts';
import type { Necessity, VulType } from './vulnerabilities.ts';

/** Epoch ms, `from` included, `to` excluded. */
export interface ReportPeriod {
  from: number;
  to: number;
}

/** Host group ids; empty = every host of the tenant, grouped or not. */
export interface ReportScope {
  groupIds: number[];
}

export interface NecessityCounts {
  asap: number;
  later: number;
  nntf: number;
}

/** Unhandled findings of one vulnerability (type + name). */
export interface ReportVulnerability {
  name: string;
  aliasName: string;
  type: VulType;
  /** The most urgent necessity among its unhandled findings. */
  necessity: Necessity;
  /** Hosts with it unhandled (a host has a vulnerability at most once). */
  hosts: number;
  cves: string[];
}

export interface ReportHost {
  uuid: string;
  name: string;
  /** The internet IP, or the intranet IP when it has none. */
  ip: string;
  /** '' for a host in no group. */
  group: string;
  /** Unhandled findings by necessity. */
  counts: NecessityCounts;
  /** See HOST_WEIGHTS. */
  score: number;
}

export interface UrgentFinding {
  hostName: string;
  ip: string;
  aliasName: string;
  name: string;
  type: VulType;
  /** first_ts, epoch ms. */
  firstSeen: number;
}

export interface ReportData {
  period: ReportPeriod;
  /** The period of the same length just before. */
  previous: ReportPeriod;
  /** affected = with at least one unhandled finding now. */
  hosts: { total: number; online: number; affected: number };
  /** Unhandled now, in scope. */
  open: { total: number; byNecessity: NecessityCounts; byType: Record<VulType, number> };
  /** Findings first seen in the period / the previous period, by necessity. */
  found: { current: NecessityCounts; previous: NecessityCounts };
  /** Findings whose repair_ts falls in the period / previous period and that are handled now. */
  fixed: { current: number; previous: number };
  /**
   * See riskScore; both use today's host count. `previous` scores what was open at
   * previous.to: first seen before it, not repaired before it, and not ignored now.
   */
  risk: { current: number; previous: number };
  /** Findings first seen per trend bucket, by necessity; every bucket of the period, zero-filled. */
  trend: { label: string; counts: NecessityCounts }[];
  /** Unhandled vulnerabilities: necessity (asap first), then affected hosts desc, then name; at most 10. */
  topVulnerabilities: ReportVulnerability[];
  /** Hosts by score desc, then name; only hosts with an unhandled finding; at most 10. */
  topHosts: ReportHost[];
  /** Unhandled asap findings, oldest first_ts first, at most `urgentLimit`; total counts them all. */
  urgent: { total: number; items: UrgentFinding[] };
  /** Unhandled vulnerabilities ordered as topVulnerabilities, at most `appendixLimit`; total counts them all. */
  appendix: { total: number; items: ReportVulnerability[] };
  /** Local images (on a host in scope, for a group scope) and their unhandled vulnerabilities by severity. */
  images: { total: number; openBySeverity: Record<ImageVulSeverity, number> };
}

export const zeroNecessityCounts = (): NecessityCounts => ({ asap: 0, later: 0, nntf: 0 });

/** How much one open finding weighs, for a host's score and for the risk score. */
export const NECESSITY_WEIGHTS: Readonly<NecessityCounts> = { asap: 10, later: 3, nntf: 1 };

export function weightedCount(counts: NecessityCounts): number {
  return (
    NECESSITY_WEIGHTS.asap * counts.asap +
    NECESSITY_WEIGHTS.later * counts.later +
    NECESSITY_WEIGHTS.nntf * counts.nntf
  );
}

/** Points per tenfold of weighted open findings per host; 100 is reached at about 316 per host. */
export const RISK_POINTS_PER_DECADE = 40;

/**
 * `40 × log10(1 + w / hosts)`, rounded and capped at 100, where
 * w = 10 × asap + 3 × later + 1 × nntf open findings. 0 when nothing is open,
 * at least 1 when anything is. Logarithmic, so that it still moves on fleets
 * that carry dozens of findings per host, where a saturating curve would sit
 * at 100: one asap finding per host scores 42, three score 60, six 71, thirty
 * asap and five later ones 100. `hosts` below 1 counts as 1.
 */
export function riskScore(open: NecessityCounts, hosts: number): number {
  const weighted = weightedCount(open);
  if (weighted <= 0) return 0;
  const score = Math.round(RISK_POINTS_PER_DECADE * Math.log10(1 + weighted / Math.max(1, hosts)));
  return Math.min(100, Math.max(1, score));
}

/** The period of the same length that ends where `period` starts. */
export function previousPeriod(period: ReportPeriod): ReportPeriod {
  return { from: 2 * period.from - period.to, to: period.from };
}

export const DAY_MS = 86_400_000;
/** Longer periods are trended by week. */
export const TREND_DAILY_MAX_DAYS = 92;

/**
 * How a period is cut into trend buckets. A bucket is numbered by its local
 * day (days since 1970-01-01 in the zone) or, for weeks, by
 * ⌊(local day + 3) / 7⌋: 1970-01-01 was a Thursday, so week w starts on the
 * Monday that is local day 7w − 3.
 */
export interface TrendBucketing {
  days: 1 | 7;
  offsetMs: number;
}

export function trendBucketing(period: ReportPeriod, utcOffsetMinutes: number): TrendBucketing {
  return {
    days: period.to - period.from > TREND_DAILY_MAX_DAYS * DAY_MS ? 7 : 1,
    offsetMs: utcOffsetMinutes * 60_000,
  };
}

/** The bucket of a timestamp; the SQL in report-queries.ts computes the same. */
export function trendBucketOf(bucketing: TrendBucketing, ts: number): number {
  const day = Math.floor((ts + bucketing.offsetMs) / DAY_MS);
  return bucketing.days === 1 ? day : Math.floor((day + 3) / 7);
}

/** yyyy-MM-dd of the bucket's first local day. */
export function trendBucketLabel(bucketing: TrendBucketing, bucket: number): string {
  const day = bucketing.days === 1 ? bucket : 7 * bucket - 3;
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The buckets that hold some instant of the period, in order. */
export function trendBuckets(bucketing: TrendBucketing, period: ReportPeriod): number[] {
  const first = trendBucketOf(bucketing, period.from);
  const last = trendBucketOf(bucketing, period.to - 1);
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}
