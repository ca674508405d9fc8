/**
 * How each operation names the core task statuses — the table in
 * docs/design.md, kept in one place. Dialects render through these maps only.
 */
import type { TaskStatus } from '../engine/index.ts';

/** Sas DescribeVulExportInfo / DescribeExportInfo `ExportStatus`. */
export const SAS_EXPORT_STATUS: Record<TaskStatus, string> = {
  queued: 'init',
  running: 'exporting',
  succeeded: 'success',
  failed: 'failed',
  timed_out: 'failed',
  cancelled: 'failed',
};

/** HSS ListQueryExportTask `task_status`. */
export const HSS_EXPORT_TASK_STATUS: Record<TaskStatus, string> = {
  queued: 'running',
  running: 'running',
  succeeded: 'success',
  failed: 'failure',
  timed_out: 'failure',
  cancelled: 'failure',
};

/** Sas DescribeReportExport `ExportStatus` (strings in the SDK model). */
export const SAS_REPORT_EXPORT_STATUS: Record<TaskStatus, string> = {
  queued: '0',
  running: '1',
  succeeded: '2',
  failed: '-1',
  timed_out: '-1',
  cancelled: '-1',
};
