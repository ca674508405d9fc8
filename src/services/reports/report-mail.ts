/**
 * Mailing a rendered report: a task of its own, queued in the same
 * transaction that stores the report, so a crash between the two loses
 * nothing, and an SMTP failure retries with backoff without rendering again.
 * The file is attached up to MAX_ATTACHMENT_BYTES; a larger one is linked
 * (which needs PARAPET_PUBLIC_URL).
 */
import type { ReportExportParams } from '../../domain/reports.ts';
import { createTask, defineTaskKind, PermanentTaskError, type TaskKind } from '../../engine/index.ts';
import type { Queryable } from '../../persistence/database.ts';
import { downloadLink, getArtifact, type Artifact } from '../artifacts.ts';
import type { AppContext } from '../context.ts';
import { formatDate, REPORT_STRINGS } from './report-strings.ts';

export const REPORT_MAIL_TASK_KIND = 'report-mail';
/** Mail servers commonly refuse messages over 10–25 MB. */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

export interface ReportMailParams {
  artifactId: number;
  recipients: string[];
  subject: string;
  text: string;
}

export interface ReportMailResult {
  messageId: string;
  accepted: string[];
  rejected: string[];
  attached: boolean;
}

/** Queues the mail of a stored report, inside the transaction that records it. */
export async function queueReportMail(
  tx: Queryable,
  app: AppContext,
  report: { taskId: number; tenantId: number; params: ReportExportParams; artifact: Artifact },
): Promise<void> {
  const { params, artifact } = report;
  const { lang, title } = params.definition;
  const t = REPORT_STRINGS[lang];
  const last = formatDate(params.period.to - 1, lang, params.utcOffsetMinutes);
  const first = formatDate(params.period.from, lang, params.utcOffsetMinutes);
  const period = first === last ? first : `${first} – ${last}`;
  await createTask(tx, {
    tenantId: report.tenantId,
    kind: makeReportMailTaskKind(app),
    idempotencyKey: `report-task:${report.taskId}`,
    params: {
      artifactId: artifact.id,
      recipients: params.deliverTo ?? [],
      subject: `${title} · ${period}`,
      text: t.mailText(title, period),
    } satisfies ReportMailParams,
  });
}

async function sendReportMail(
  app: AppContext,
  tenantId: number,
  params: ReportMailParams,
): Promise<ReportMailResult> {
  if (!app.mailer)
    throw new PermanentTaskError('Mail is not configured on this server: set PARAPET_SMTP_URL.');
  const artifact = await getArtifact(app, tenantId, params.artifactId);
  if (!artifact || artifact.expiresAt <= app.now()) {
    throw new PermanentTaskError('The report expired before it could be mailed.');
  }
  const attach = artifact.size <= MAX_ATTACHMENT_BYTES || app.publicUrl === undefined;
  const text = attach
    ? params.text
    : `${params.text}\n\n${downloadLink(app, artifact, app.publicUrl ?? '', 7 * 86_400_000).url}`;
  const sent = await app.mailer.send({
    to: params.recipients,
    subject: params.subject,
    text,
    ...(attach
      ? {
          attachments: [
            {
              filename: artifact.fileName,
              contentType: artifact.contentType,
              content: await app.store.open(artifact.storageKey),
            },
          ],
        }
      : {}),
  });
  return { ...sent, attached: attach };
}

export function makeReportMailTaskKind(app: AppContext): TaskKind<ReportMailParams, ReportMailResult> {
  return defineTaskKind<ReportMailParams, ReportMailResult>({
    kind: REPORT_MAIL_TASK_KIND,
    timeoutMs: 2 * 60_000,
    maxAttempts: 6,
    retryDelayMs: 30_000,
    concurrency: 2,
    run: (params, ctx) => sendReportMail(app, ctx.tenantId, params),
  });
}
