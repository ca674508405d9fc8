/**
 * Glossary.
 * - Report definition: what a tenant saved with SaveCustomizeReportConfig — a
 *   title, recipients, a period (daily, weekly, monthly, a fixed date range or
 *   the most recent N days), a language, a scope (all hosts or some host
 *   groups) and when to send it. Exporting one renders a report.
 * - Period: the time range a report covers; for a scheduled report, the one
 *   that ended most recently.
 */
import { invalidParameter, missingParameter } from './errors.ts';

/** Sas `ReportType`: 0 daily, 1 weekly, 2 monthly, 3 a custom date range, 4 the most recent N days. */
export const REPORT_TYPES = [0, 1, 2, 3, 4] as const;
export type ReportType = (typeof REPORT_TYPES)[number];
export const REPORT_TYPE = { daily: 0, weekly: 1, monthly: 2, dateRange: 3, recentDays: 4 } as const;

export const REPORT_LANGS = ['zh', 'en'] as const;
export type ReportLang = (typeof REPORT_LANGS)[number];

export const REPORT_VERSIONS = ['1.0.0', '2.0.0'] as const;
export type ReportVersion = (typeof REPORT_VERSIONS)[number];

export const SEND_PERIOD_TYPES = ['DAY', 'WEEK', 'MONTH'] as const;
export type SendPeriodType = (typeof SEND_PERIOD_TYPES)[number];

/** `ALIYUN_RG` (resource groups, which Parapet does not have) or `SAS_GROUP` (host groups). */
export const GROUP_TYPES = ['ALIYUN_RG', 'SAS_GROUP'] as const;
export type GroupType = (typeof GROUP_TYPES)[number];

/** Most recipients one report is mailed to. */
export const MAX_RECIPIENTS = 20;
/** Longest "most recent N days" period. */
export const MAX_REPORT_DAYS = 366;

export interface ReportDefinition {
  title: string;
  recipients: string[];
  enabled: boolean;
  type: ReportType;
  lang: ReportLang;
  version: ReportVersion;
  /** `yyyy-MM-dd`, for a date-range report. */
  startDate: string | undefined;
  endDate: string | undefined;
  /** For a recent-days report. */
  reportDays: number | undefined;
  /** 1–4: the 6-hour window it is sent in (v1 reports). */
  sendWindow: number | undefined;
  /** `HH:mm:ss`. */
  sendStartTime: string | undefined;
  sendEndTime: string | undefined;
  sendPeriodType: SendPeriodType | undefined;
  sendPeriodDays: number | undefined;
  groupType: GroupType | undefined;
  /** Host group ids; empty = every host of the tenant. */
  targetGroups: number[];
  pinnedAt: number | undefined;
}

export interface ReportConfig extends ReportDefinition {
  id: number;
  tenantId: number;
  createdAt: number;
  updatedAt: number;
}

/** Roughly RFC 5322's dot-atom address: enough to refuse what no mail server would take. */
const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** `Recipients`: comma-separated e-mail addresses, at least one. */
export function parseRecipients(text: string): string[] {
  const recipients = text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (recipients.length === 0) throw invalidParameter('Recipients', 'give at least one e-mail address');
  if (recipients.length > MAX_RECIPIENTS) {
    throw invalidParameter('Recipients', `at most ${MAX_RECIPIENTS} addresses`);
  }
  for (const address of recipients) {
    if (!EMAIL.test(address))
      throw invalidParameter('Recipients', `"${address.slice(0, 64)}" is not an e-mail address`);
  }
  return [...new Set(recipients)];
}

/** A real calendar date `yyyy-MM-dd`. */
export function isCalendarDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * The rules across fields: a date range needs both dates in order, a
 * recent-days report its day count, a scheduled report a send time (or
 * window), PDF-era fields only what they mean.
 */
export function checkReportDefinition(definition: ReportDefinition): void {
  const { type } = definition;
  if (type === REPORT_TYPE.dateRange) {
    if (definition.startDate === undefined) throw missingParameter('ReportStartDate');
    if (definition.endDate === undefined) throw missingParameter('ReportEndDate');
    if (definition.startDate > definition.endDate) {
      throw invalidParameter('ReportStartDate', 'it is after ReportEndDate');
    }
  }
  if (type === REPORT_TYPE.recentDays && definition.reportDays === undefined) {
    throw missingParameter('ReportDays');
  }
  if (type !== REPORT_TYPE.dateRange && definition.sendWindow === undefined) {
    if (definition.sendStartTime === undefined) throw missingParameter('SendStartTime');
    if (definition.sendEndTime === undefined) throw missingParameter('SendEndTime');
  }
  if (
    definition.sendStartTime !== undefined &&
    definition.sendEndTime !== undefined &&
    definition.sendStartTime > definition.sendEndTime
  ) {
    throw invalidParameter('SendStartTime', 'it is after SendEndTime');
  }
  if (definition.targetGroups.length > 0 && definition.groupType === 'ALIYUN_RG') {
    throw invalidParameter('GroupType', 'Parapet has host groups (SAS_GROUP), not resource groups');
  }
}

const DAY_MS = 86_400_000;

/** Epoch ms of local midnight (in a zone `utcOffsetMinutes` east of UTC) of the day holding `epochMs`. */
export function startOfDay(epochMs: number, utcOffsetMinutes: number): number {
  const offset = utcOffsetMinutes * 60_000;
  return Math.floor((epochMs + offset) / DAY_MS) * DAY_MS - offset;
}

/** Epoch ms of local midnight of a `yyyy-MM-dd` date. */
export function dateStart(date: string, utcOffsetMinutes: number): number {
  const [year = 1970, month = 1, day = 1] = date.split('-').map(Number);
  return Date.UTC(year, month - 1, day) - utcOffsetMinutes * 60_000;
}

/**
 * The period a report covers when made at `now`: the last full day, week
 * (Monday to Monday) or month; the saved date range (end date included); or
 * the `reportDays` full days before today. Half-open: [from, to).
 */
export function reportPeriod(
  config: Pick<ReportDefinition, 'type' | 'startDate' | 'endDate' | 'reportDays'>,
  now: number,
  utcOffsetMinutes: number,
): { from: number; to: number } {
  const today = startOfDay(now, utcOffsetMinutes);
  switch (config.type) {
    case REPORT_TYPE.daily:
      return { from: today - DAY_MS, to: today };
    case REPORT_TYPE.weekly: {
      const weekday = (new Date(today + utcOffsetMinutes * 60_000).getUTCDay() + 6) % 7; // Monday = 0
      const monday = today - weekday * DAY_MS;
      return { from: monday - 7 * DAY_MS, to: monday };
    }
    case REPORT_TYPE.monthly: {
      const local = new Date(today + utcOffsetMinutes * 60_000);
      const to = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), 1) - utcOffsetMinutes * 60_000;
      const from = Date.UTC(local.getUTCFullYear(), local.getUTCMonth() - 1, 1) - utcOffsetMinutes * 60_000;
      return { from, to };
    }
    case REPORT_TYPE.dateRange:
      return {
        from: dateStart(config.startDate ?? '1970-01-01', utcOffsetMinutes),
        to: dateStart(config.endDate ?? '1970-01-01', utcOffsetMinutes) + DAY_MS,
      };
    case REPORT_TYPE.recentDays:
      return { from: today - (config.reportDays ?? 7) * DAY_MS, to: today };
  }
}

/** `ExportCustomizeReport` `ExportType`. */
export const REPORT_EXPORT_TYPES = ['HTML', 'PDF'] as const;
export type ReportExportType = (typeof REPORT_EXPORT_TYPES)[number];

/** What a report task renders: the definition as it was when asked for, and its period. */
export interface ReportExportParams {
  reportId: number;
  definition: ReportDefinition;
  format: ReportExportType;
  period: { from: number; to: number };
  /** The server's zone when the report was asked for: days and dates are cut in it. */
  utcOffsetMinutes: number;
  fileName: string;
  /** Mail the file to these addresses once it is stored (schedules, SendCustomizeReport). */
  deliverTo?: string[];
}

export interface ReportExportResult {
  artifactId: number;
  fileName: string;
  size: number;
  sha256: string;
}

/** At most this many report renderings of one tenant are queued or running at once. */
export const MAX_UNFINISHED_REPORT_EXPORTS = 5;

/** Local minutes after midnight of `HH:mm:ss`. */
function minutesOf(time: string): number {
  const [hours = 0, minutes = 0] = time.split(':').map(Number);
  return hours * 60 + minutes;
}

/**
 * The period an enabled definition should be sent for at `now`, or undefined
 * when nothing is due: a period is due from its end's send time (SendStartTime,
 * else the start of its ReportSendType window, else midnight) on the day it
 * ended, and stays due until the next one replaces it — a node that was down
 * at send time still sends on its return. A recent-days report is sent daily,
 * or weekly/monthly on day SendPeriodDays of SendPeriodType; a date-range
 * report once, after its end date. Each (definition, period) is sent once:
 * the caller keys the task on it.
 */
export function dueReportPeriod(
  config: ReportDefinition,
  now: number,
  utcOffsetMinutes: number,
): { from: number; to: number } | undefined {
  if (!config.enabled) return undefined;
  const period = reportPeriod(config, now, utcOffsetMinutes);
  const sendAfterMinutes =
    config.sendStartTime !== undefined
      ? minutesOf(config.sendStartTime)
      : config.sendWindow !== undefined
        ? (config.sendWindow - 1) * 360
        : 0;
  if (now < period.to + sendAfterMinutes * 60_000) return undefined;
  if (
    config.type === REPORT_TYPE.recentDays &&
    config.sendPeriodType !== undefined &&
    config.sendPeriodType !== 'DAY'
  ) {
    const sendDay = new Date(period.to + utcOffsetMinutes * 60_000);
    const day = config.sendPeriodDays ?? 1;
    const matches =
      config.sendPeriodType === 'WEEK'
        ? ((sendDay.getUTCDay() + 6) % 7) + 1 === day
        : sendDay.getUTCDate() === day;
    if (!matches) return undefined;
  }
  return period;
}

/** A definition made on the spot (not saved): the last `days` full days of every host. */
export function recentDaysReport(title: string, lang: ReportLang, days: number): ReportDefinition {
  return {
    title,
    recipients: [],
    enabled: false,
    type: REPORT_TYPE.recentDays,
    lang,
    version: '2.0.0',
    startDate: undefined,
    endDate: undefined,
    reportDays: days,
    sendWindow: undefined,
    sendStartTime: undefined,
    sendEndTime: undefined,
    sendPeriodType: undefined,
    sendPeriodDays: undefined,
    groupType: undefined,
    targetGroups: [],
    pinnedAt: undefined,
  };
}
