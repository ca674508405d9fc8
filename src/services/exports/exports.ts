/**
 * Starting exports and reading how far they got. One task kind runs every
 * export; the spec in its params says what to read.
 */
import { createHash } from 'node:crypto';
import { ParapetError } from '../../domain/errors.ts';
import {
  MAX_UNFINISHED_EXPORTS,
  type ExportOptions,
  type ExportParams,
  type ExportResult,
  type ExportSpec,
} from '../../domain/exports.ts';
import type { Caller } from '../../domain/identity.ts';
import { getTask, type TaskStatus } from '../../engine/index.ts';
import { getArtifact, type Artifact } from '../artifacts.ts';
import type { AppContext } from '../context.ts';
import { requestTask } from '../task-quota.ts';
import { EXPORT_TASK_KIND, exportSource, makeExportTaskKind } from './export-task.ts';

export interface StartedExport {
  id: number;
  /** The download's file name, with `.xlsx` (or `.zip`). */
  fileName: string;
  /** Rows matching when the export was asked for (before any row cap). */
  matched: number;
}

/** `yyyyMMdd` in the server's zone, as the cloud's export names carry it. */
function dateStamp(epochMs: number): string {
  const d = new Date(epochMs);
  return `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
}

/** `HHmmss` in the server's zone. */
function timeStamp(epochMs: number): string {
  const d = new Date(epochMs);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join('');
}

/** The download's name, with `.xlsx`, or `.zip` when packaged. */
function fileName(spec: ExportSpec, options: ExportOptions, now: number): string {
  const extension = options.packaging === 'zip' ? 'zip' : 'xlsx';
  switch (spec.source) {
    case 'vul':
      return `${spec.filter.types[0] ?? 'vul'}_${dateStamp(now)}.${extension}`;
    case 'record':
      return `${spec.type}_${dateStamp(now)}.${extension}`;
    case 'imageVul':
      // The HSS console's pattern: hss-<what>-<lang>-<stamp>.zip
      return `hss-image-vul-${options.lang}-${dateStamp(now)}${timeStamp(now)}.${extension}`;
  }
}

/**
 * Queues an export of what `spec` selects now (the snapshot). The same caller
 * asking for the same export while one is queued or running gets that one
 * back; otherwise at most MAX_UNFINISHED_EXPORTS run per tenant.
 */
export async function startExport(
  app: AppContext,
  caller: Caller,
  spec: ExportSpec,
  options: ExportOptions,
): Promise<StartedExport> {
  const tenantId = caller.tenant.id;
  const kind = makeExportTaskKind(app);
  const { lang, maxRows, packaging } = options;
  const dedupeKey = createHash('sha256')
    .update(JSON.stringify({ principal: caller.principal.id, spec, lang, maxRows, packaging }))
    .digest('hex');
  const snapshot = await exportSource(spec).snapshot(app.db, tenantId);
  const params: ExportParams = {
    spec,
    lang,
    fileName: fileName(spec, options, app.now()),
    maxId: snapshot.maxId,
    ...(maxRows === undefined ? {} : { maxRows }),
    ...(packaging === undefined ? {} : { packaging }),
  };
  const totalCount = maxRows === undefined ? snapshot.count : Math.min(snapshot.count, maxRows);
  const task = await requestTask(
    app.db,
    { tenantId, kind, params, dedupeKey, totalCount },
    {
      max: MAX_UNFINISHED_EXPORTS,
      refusal: `${MAX_UNFINISHED_EXPORTS} exports are already queued or running for this account; poll them with DescribeVulExportInfo/DescribeExportInfo and retry when one has finished.`,
    },
  );
  return { id: task.id, fileName: task.params.fileName, matched: snapshot.count };
}

export interface ExportInfo {
  id: number;
  fileName: string;
  status: TaskStatus;
  /** 0–100; 100 only once the file is stored. */
  progress: number;
  currentCount: number;
  totalCount: number;
  /** Why it failed, or that its file has expired. */
  message: string | undefined;
  /** The stored file, once the export has succeeded and until the file expires. */
  artifact: Artifact | undefined;
}

/** An export of this tenant; another tenant's id is ExportTask.NotFound, like one that never existed. */
export async function describeExport(
  app: AppContext,
  tenantId: number,
  exportId: number,
): Promise<ExportInfo> {
  const task = await getTask(app.db, tenantId, exportId);
  if (!task || task.kind !== EXPORT_TASK_KIND) {
    throw new ParapetError('ExportTask.NotFound', `No export task ${exportId} exists for this account.`);
  }
  const params = task.params as ExportParams;
  const info: ExportInfo = {
    id: task.id,
    fileName: params.fileName,
    status: task.status,
    progress: task.progress,
    currentCount: task.doneCount,
    totalCount: task.totalCount,
    message: task.errorMessage,
    artifact: undefined,
  };
  if (task.status !== 'succeeded') return info;
  const result = task.result as ExportResult;
  const artifact = await getArtifact(app, tenantId, result.artifactId);
  if (!artifact) {
    return { ...info, message: 'The exported file has expired and was removed; start a new export.' };
  }
  return { ...info, artifact };
}
