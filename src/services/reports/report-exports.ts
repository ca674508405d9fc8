/**
 * Rendering a saved report definition on request (ExportCustomizeReport) and
 * reading how far it got (DescribeReportExport). The definition is copied
 * into the task, so editing or deleting it later does not change a report
 * being rendered.
 */
import { createHash } from 'node:crypto';
import { invalidParameter, ParapetError } from '../../domain/errors.ts';
import type { Caller } from '../../domain/identity.ts';
import {
  MAX_UNFINISHED_REPORT_EXPORTS,
  reportPeriod,
  type ReportConfig,
  type ReportExportParams,
  type ReportExportResult,
  type ReportExportType,
} from '../../domain/reports.ts';
import { createTask, getTask, type TaskStatus } from '../../engine/index.ts';
import { getArtifact, type Artifact } from '../artifacts.ts';
import type { AppContext } from '../context.ts';
import { getReportConfig } from '../reports.ts';
import { requestTask } from '../task-quota.ts';
import { makeReportTaskKind, REPORT_TASK_KIND } from './report-task.ts';

/** The server's offset from UTC at an instant, in minutes east. */
export function serverOffsetMinutes(epochMs: number): number {
  return -new Date(epochMs).getTimezoneOffset();
}

/** `yyyyMMdd` of a local day. */
function stamp(epochMs: number, utcOffsetMinutes: number): string {
  return new Date(epochMs + utcOffsetMinutes * 60_000).toISOString().slice(0, 10).replaceAll('-', '');
}

/** The title as a file name: no path separators or characters Windows refuses. */
function fileBase(title: string): string {
  return (
    title
      .replace(/[\\/:*?"<>|\p{Cc}]/gu, '_')
      .trim()
      .slice(0, 80) || 'report'
  );
}

export interface StartedReportExport {
  id: number;
  fileName: string;
}

export interface QueueReportOptions {
  format: ReportExportType;
  period: { from: number; to: number };
  utcOffsetMinutes: number;
  /** Mail the file to these addresses once stored. */
  deliverTo?: string[];
  /** Requests: the same key while one is unfinished returns that one, and the tenant's limit applies. */
  dedupeKey?: string;
  /** Schedules: one task per key, ever — several nodes scheduling the same period make one. */
  idempotencyKey?: string;
}

/** Queues a rendering of `config` (copied into the task) for a period. */
export async function queueReport(
  app: AppContext,
  config: ReportConfig,
  options: QueueReportOptions,
): Promise<StartedReportExport> {
  const { id: reportId, tenantId, createdAt: _createdAt, updatedAt: _updatedAt, ...definition } = config;
  const { format, period, utcOffsetMinutes, deliverTo, dedupeKey, idempotencyKey } = options;
  const params: ReportExportParams = {
    reportId,
    definition,
    format,
    period,
    utcOffsetMinutes,
    fileName: `${fileBase(config.title)}_${stamp(period.to - 1, utcOffsetMinutes)}.${format.toLowerCase()}`,
    ...(deliverTo ? { deliverTo } : {}),
  };
  const kind = makeReportTaskKind(app);
  const task =
    dedupeKey === undefined
      ? await createTask(app.db, {
          tenantId,
          kind,
          params,
          totalCount: 1,
          ...(idempotencyKey ? { idempotencyKey } : {}),
        })
      : await requestTask(
          app.db,
          { tenantId, kind, params, dedupeKey, totalCount: 1 },
          {
            max: MAX_UNFINISHED_REPORT_EXPORTS,
            refusal: `${MAX_UNFINISHED_REPORT_EXPORTS} reports are already being rendered for this account; poll them with DescribeReportExport and retry when one has finished.`,
          },
        );
  return { id: task.id, fileName: task.params.fileName };
}

/** A request's rendering: the period that ended most recently (or the saved range), in the server's zone. */
async function requestReport(
  app: AppContext,
  caller: Caller,
  reportId: number,
  format: ReportExportType | undefined,
  deliver: boolean,
): Promise<StartedReportExport> {
  const config = await getReportConfig(app, caller.tenant.id, reportId);
  const chosen = format ?? (config.version === '2.0.0' ? 'PDF' : 'HTML');
  if (chosen === 'PDF' && config.version !== '2.0.0') {
    throw invalidParameter(
      'ExportType',
      'PDF is offered for reports of version 2.0.0; export this one as HTML',
    );
  }
  const now = app.now();
  const utcOffsetMinutes = serverOffsetMinutes(now);
  const period = reportPeriod(config, now, utcOffsetMinutes);
  const dedupeKey = createHash('sha256')
    .update(
      JSON.stringify({
        principal: caller.principal.id,
        reportId,
        chosen,
        period,
        deliver,
        updated: config.updatedAt,
      }),
    )
    .digest('hex');
  return queueReport(app, config, {
    format: chosen,
    period,
    utcOffsetMinutes,
    dedupeKey,
    ...(deliver ? { deliverTo: config.recipients } : {}),
  });
}

/**
 * Queues a rendering of the tenant's report `reportId`. The same caller
 * asking again while it is queued or running gets the same task.
 */
export function startReportExport(
  app: AppContext,
  caller: Caller,
  reportId: number,
  format: ReportExportType,
): Promise<StartedReportExport> {
  return requestReport(app, caller, reportId, format, false);
}

/** SendCustomizeReport: renders the report now (PDF for 2.0.0 reports) and mails it to its recipients. */
export function sendReportNow(
  app: AppContext,
  caller: Caller,
  reportId: number,
): Promise<StartedReportExport> {
  if (!app.mailer) {
    throw new ParapetError('Mail.NotConfigured');
  }
  return requestReport(app, caller, reportId, undefined, true);
}

export interface ReportExportInfo {
  id: number;
  reportId: number;
  fileName: string;
  status: TaskStatus;
  createdAt: number;
  /** Why it failed, or that its file has expired. */
  message: string | undefined;
  /** The rendered file, once stored and until it expires. */
  artifact: Artifact | undefined;
}

/** A report rendering of this tenant; another tenant's id is ExportTask.NotFound. */
export async function describeReportExport(
  app: AppContext,
  tenantId: number,
  exportId: number,
): Promise<ReportExportInfo> {
  const task = await getTask(app.db, tenantId, exportId);
  if (!task || task.kind !== REPORT_TASK_KIND) {
    throw new ParapetError('ExportTask.NotFound', `No report export ${exportId} exists for this account.`);
  }
  const params = task.params as ReportExportParams;
  const info: ReportExportInfo = {
    id: task.id,
    reportId: params.reportId,
    fileName: params.fileName,
    status: task.status,
    createdAt: task.createdAt,
    message: task.errorMessage,
    artifact: undefined,
  };
  if (task.status !== 'succeeded') return info;
  const artifact = await getArtifact(app, tenantId, (task.result as ReportExportResult).artifactId);
  if (!artifact || artifact.expiresAt <= app.now()) {
    return { ...info, message: 'The rendered report has expired and was removed; export it again.' };
  }
  return { ...info, artifact };
}
