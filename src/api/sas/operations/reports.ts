/**
 * Sas report definitions: SaveCustomizeReportConfig (create without
 * `ReportId`, replace with it), DescribeCustomizeReportList,
 * DescribeCustomizeReportConfigDetail, DeleteCustomizeReport; and rendering
 * them: ExportCustomizeReport → DescribeReportExport. Field types
 * follow the SDK models: the list's ReportStatus and IsDefault are strings,
 * its dates epoch ms; the detail's status, type, send window and dates are
 * strings.
 */
import { invalidParameter } from '../../../domain/errors.ts';
import {
  GROUP_TYPES,
  MAX_REPORT_DAYS,
  REPORT_EXPORT_TYPES,
  REPORT_LANGS,
  REPORT_VERSIONS,
  SEND_PERIOD_TYPES,
  isCalendarDate,
  parseRecipients,
  type ReportConfig,
  type ReportType,
} from '../../../domain/reports.ts';
import {
  deleteReportConfig,
  getReportConfig,
  listReportConfigs,
  saveReportConfig,
} from '../../../services/reports.ts';
import { downloadLink } from '../../../services/artifacts.ts';
import {
  describeReportExport as describeReportExportInfo,
  sendReportNow,
  serverOffsetMinutes,
  startReportExport,
} from '../../../services/reports/report-exports.ts';
import { SAS_REPORT_EXPORT_STATUS } from '../../task-status-names.ts';
import { bool, csv, int, oneOf, required, str, withDefault, type Codec } from '../../text-params.ts';
import { defineAction } from '../action.ts';

/** `yyyy-MM-dd`, a real calendar date. */
function calendarDate(): Codec<string | undefined> {
  return {
    decode(params, name) {
      const value = str({ maxLength: 10 }).decode(params, name);
      if (value !== undefined && !isCalendarDate(value)) {
        throw invalidParameter(name, `"${value}" is not a date written yyyy-MM-dd`);
      }
      return value;
    },
  };
}

const timeOfDay = str({ pattern: /^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/ });
const reportType = int({ min: 0, max: 4 }) as Codec<ReportType | undefined>;
const reportId = int({ min: 1 });

/** Epoch ms of the date's midnight in the server's zone (the list's date fields). */
function dateMs(date: string | undefined): number | undefined {
  if (date === undefined) return undefined;
  const [year = 0, month = 1, day = 1] = date.split('-').map(Number);
  return new Date(year, month - 1, day).getTime();
}

export const saveCustomizeReportConfig = defineAction({
  name: 'SaveCustomizeReportConfig',
  params: {
    ReportId: reportId,
    Title: required(str({ maxLength: 128 })),
    Recipients: required(str({ maxLength: 8192 })),
    ReportStatus: required(int({ min: 0, max: 1 })),
    ReportType: required(reportType),
    ReportLang: withDefault(oneOf(REPORT_LANGS), 'zh'),
    ReportVersion: withDefault(oneOf(REPORT_VERSIONS), '2.0.0'),
    ReportSendType: int({ min: 1, max: 4 }),
    ReportStartDate: calendarDate(),
    ReportEndDate: calendarDate(),
    ReportDays: int({ min: 1, max: MAX_REPORT_DAYS }),
    SendStartTime: timeOfDay,
    SendEndTime: timeOfDay,
    SendPeriodType: oneOf(SEND_PERIOD_TYPES),
    SendPeriodDays: int({ min: 1, max: 31 }),
    GroupType: oneOf(GROUP_TYPES),
    TargetGroups: csv(str({ pattern: /^\d{1,15}$/ })),
    TargetUids: csv(str({ pattern: /^\d{1,20}$/ })),
    PinnedTime: int({ min: 0 }),
    MemberAccountSyncFlag: bool(),
    Lang: oneOf(REPORT_LANGS),
  },
  async handle({ app, caller, params: p }) {
    const others = (p.TargetUids ?? []).filter((uid) => uid !== caller.tenant.accountId);
    if (others.length > 0) {
      throw invalidParameter(
        'TargetUids',
        `only this account (${caller.tenant.accountId}) can be reported on`,
      );
    }
    const saved = await saveReportConfig(app, caller.tenant.id, p.ReportId, {
      title: p.Title,
      recipients: parseRecipients(p.Recipients),
      enabled: p.ReportStatus === 1,
      type: p.ReportType,
      lang: p.ReportLang,
      version: p.ReportVersion,
      startDate: p.ReportStartDate,
      endDate: p.ReportEndDate,
      reportDays: p.ReportDays,
      sendWindow: p.ReportSendType,
      sendStartTime: p.SendStartTime,
      sendEndTime: p.SendEndTime,
      sendPeriodType: p.SendPeriodType,
      sendPeriodDays: p.SendPeriodDays,
      groupType: p.GroupType,
      targetGroups: (p.TargetGroups ?? []).map(Number),
      pinnedAt: p.PinnedTime,
    });
    return { ReportId: saved.id };
  },
});

function renderListItem(config: ReportConfig): Record<string, unknown> {
  return {
    ReportId: config.id,
    Title: config.title,
    ReportType: config.type,
    ReportStatus: config.enabled ? '1' : '0',
    ReportVersion: config.version,
    IsDefault: '0',
    ReportDays: config.reportDays,
    ReportStartDate: dateMs(config.startDate),
    ReportEndDate: dateMs(config.endDate),
    PinnedTime: config.pinnedAt,
  };
}

export const describeCustomizeReportList = defineAction({
  name: 'DescribeCustomizeReportList',
  params: {
    Lang: oneOf(REPORT_LANGS),
    Pinned: bool(),
    ReportStatus: int({ min: 0, max: 1 }),
    ReportType: reportType,
    ReportVersion: oneOf(REPORT_VERSIONS),
    Title: str({ maxLength: 128 }),
  },
  async handle({ app, caller, params: p }) {
    const configs = await listReportConfigs(app, caller.tenant.id, {
      title: p.Title,
      enabled: p.ReportStatus === undefined ? undefined : p.ReportStatus === 1,
      type: p.ReportType,
      version: p.ReportVersion,
      pinned: p.Pinned,
    });
    return { ReportList: configs.map(renderListItem) };
  },
});

export const describeCustomizeReportConfigDetail = defineAction({
  name: 'DescribeCustomizeReportConfigDetail',
  params: { ReportId: required(reportId), Lang: oneOf(REPORT_LANGS), SourceIp: str({ maxLength: 64 }) },
  async handle({ app, caller, params: p }) {
    const config = await getReportConfig(app, caller.tenant.id, p.ReportId);
    return {
      ReportId: config.id,
      Title: config.title,
      Recipients: config.recipients.join(','),
      ReportStatus: config.enabled ? '1' : '0',
      ReportType: String(config.type),
      ReportLang: config.lang,
      ReportSendType: config.sendWindow === undefined ? undefined : String(config.sendWindow),
      ReportStartDate: config.startDate,
      ReportEndDate: config.endDate,
      ReportDays: config.reportDays,
      SendStartTime: config.sendStartTime,
      SendEndTime: config.sendEndTime,
      SendTime: config.sendStartTime,
      SendPeriodType: config.sendPeriodType,
      SendPeriodDays: config.sendPeriodDays,
      GroupType: config.groupType,
      TargetGroups: config.targetGroups.join(','),
      TargetUids: caller.tenant.accountId,
      PinnedTime: config.pinnedAt,
      IsDefault: 0,
      ChartIds: '',
    };
  },
});

export const deleteCustomizeReport = defineAction({
  name: 'DeleteCustomizeReport',
  params: { ReportId: required(reportId), Lang: oneOf(REPORT_LANGS) },
  async handle({ app, caller, params: p }) {
    await deleteReportConfig(app, caller.tenant.id, p.ReportId);
    return {};
  },
});

/** `yyyy-MM-dd` of an instant in the server's zone. */
function exportDate(epochMs: number): string {
  return new Date(epochMs + serverOffsetMinutes(epochMs) * 60_000).toISOString().slice(0, 10);
}

export const exportCustomizeReport = defineAction({
  name: 'ExportCustomizeReport',
  params: {
    ReportId: required(reportId),
    ExportType: withDefault(oneOf(REPORT_EXPORT_TYPES), 'HTML'),
    Lang: oneOf(REPORT_LANGS),
  },
  async handle({ app, caller, params: p }) {
    const started = await startReportExport(app, caller, p.ReportId, p.ExportType);
    return {
      ReportId: p.ReportId,
      ExportId: started.id,
      ExportStatus: 'exporting',
      FileName: started.fileName,
      ExportDate: exportDate(app.now()),
    };
  },
});

export const describeReportExport = defineAction({
  name: 'DescribeReportExport',
  ramService: 'yundun-aegis',
  params: { ExportId: required(int({ min: 1 })), Lang: oneOf(REPORT_LANGS) },
  async handle({ app, caller, params: p, request }) {
    const info = await describeReportExportInfo(app, caller.tenant.id, p.ExportId);
    const link = info.artifact && downloadLink(app, info.artifact, request.baseUrl);
    return {
      ExportId: info.id,
      ReportId: info.reportId,
      ExportStatus: SAS_REPORT_EXPORT_STATUS[info.status],
      FileName: info.fileName,
      ExportDate: exportDate(info.createdAt),
      DownloadUrl: link?.url,
      UrlExpiredTime: link?.expiresAt,
      Message: info.message,
    };
  },
});

export const sendCustomizeReport = defineAction({
  name: 'SendCustomizeReport',
  params: { ReportId: required(reportId), Lang: oneOf(REPORT_LANGS) },
  async handle({ app, caller, params: p }) {
    await sendReportNow(app, caller, p.ReportId);
    return {};
  },
});
