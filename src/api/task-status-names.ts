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

/** Sas GetOnceTaskResultInfo / GetLastOnceTaskInfo / ListUnfinishedOnceTask `Status` text. */
export const SAS_ONCE_TASK_STATUS: Record<TaskStatus, string> = {
  queued: 'INIT',
  running: 'START',
  succeeded: 'SUCCESS',
  failed: 'FAIL',
  timed_out: 'TIMEOUT',
  cancelled: 'FAIL',
};

/** Sas DescribeOnceTask `TaskStatus` (1 started, 2 done, 3 failed, 4 timed out). */
export const SAS_ONCE_TASK_STATUS_CODE: Record<TaskStatus, number> = {
  queued: 1,
  running: 1,
  succeeded: 2,
  failed: 3,
  timed_out: 4,
  cancelled: 3,
};

/** The core statuses a Sas status code (1–4) filter stands for: the inverse of SAS_ONCE_TASK_STATUS_CODE. */
export function statusesOfSasCode(code: number): TaskStatus[] {
  return (Object.keys(SAS_ONCE_TASK_STATUS_CODE) as TaskStatus[]).filter(
    (status) => SAS_ONCE_TASK_STATUS_CODE[status] === code,
  );
}

/** Sas DescribeScanTaskProgress `ScanTaskProgress` (mixed case, as the cloud sends it). */
export const SAS_SCAN_PROGRESS: Record<TaskStatus, string> = {
  queued: 'init',
  running: 'Processing',
  succeeded: 'Success',
  failed: 'Failed',
  timed_out: 'Failed',
  cancelled: 'Failed',
};

/** Sas ListVirusScanTask `Status` of one host's scan (1 scanning, 2 done, 3 failed, 4 timed out). */
export const SAS_VIRUS_SCAN_STATUS_CODE: Record<TaskStatus, number> = SAS_ONCE_TASK_STATUS_CODE;
