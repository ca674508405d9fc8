/**
 * The report task: aggregate the period's data in SQL → the template →
 * HTML or PDF → produceFile (temporary file, store, artifact, succeeded —
 * and, for a report to be mailed, the mail task queued in that commit).
 */
import type { ReportExportParams, ReportExportResult } from '../../domain/reports.ts';
import { defineTaskKind, type TaskContext, type TaskKind } from '../../engine/index.ts';
import { renderReportHtml } from '../../formats/report-html.ts';
import { renderReportPdf } from '../../formats/report-pdf.ts';
import { listHostGroups } from '../../persistence/hosts.ts';
import type { AppContext } from '../context.ts';
import { produceFile } from '../produced-file.ts';
import { collectReportData } from './report-data.ts';
import { queueReportMail } from './report-mail.ts';
import { buildReportDocument } from './report-template.ts';

export const REPORT_TASK_KIND = 'report';

export const REPORT_CONTENT_TYPES = { HTML: 'text/html; charset=utf-8', PDF: 'application/pdf' } as const;

/** What a rendering needs: the definition's title, kind, language and scope, the period and zone. */
export type ReportRendering = Pick<
  ReportExportParams,
  'definition' | 'format' | 'period' | 'utcOffsetMinutes'
>;

/**
 * Renders a report of the tenant into `output` (and ends it): data
 * aggregated in SQL, the template, then HTML or PDF.
 */
export async function writeReport(
  app: AppContext,
  tenantId: number,
  rendering: ReportRendering,
  output: NodeJS.WritableStream,
): Promise<void> {
  const { definition } = rendering;
  const data = await collectReportData(app, tenantId, {
    period: rendering.period,
    scope: { groupIds: definition.targetGroups },
    utcOffsetMinutes: rendering.utcOffsetMinutes,
  });
  const groups = new Map((await listHostGroups(app.db, tenantId)).map((group) => [group.id, group.name]));
  const document = buildReportDocument(definition, data, {
    now: app.now(),
    utcOffsetMinutes: rendering.utcOffsetMinutes,
    groupNames: definition.targetGroups.map((id) => groups.get(id) ?? `#${id}`),
  });
  if (rendering.format === 'PDF') {
    await renderReportPdf(document, output);
  } else {
    output.end(renderReportHtml(document));
  }
}

function runReport(
  app: AppContext,
  params: ReportExportParams,
  ctx: TaskContext<ReportExportResult>,
): Promise<ReportExportResult> {
  return produceFile(
    app,
    ctx,
    { fileName: params.fileName, contentType: REPORT_CONTENT_TYPES[params.format], label: 'report' },
    async (output) => {
      await writeReport(app, ctx.tenantId, params, output);
      ctx.reportProgress(1, 1);
    },
    async (artifact, _written, tx) => {
      if (params.deliverTo && params.deliverTo.length > 0) {
        await queueReportMail(tx, app, { taskId: ctx.taskId, tenantId: ctx.tenantId, params, artifact });
      }
      return {
        artifactId: artifact.id,
        fileName: params.fileName,
        size: artifact.size,
        sha256: artifact.sha256,
      };
    },
  );
}

export function makeReportTaskKind(app: AppContext): TaskKind<ReportExportParams, ReportExportResult> {
  return defineTaskKind<ReportExportParams, ReportExportResult>({
    kind: REPORT_TASK_KIND,
    timeoutMs: 10 * 60_000,
    maxAttempts: 3,
    concurrency: 1,
    run: (params, ctx) => runReport(app, params, ctx),
  });
}
