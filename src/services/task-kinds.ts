import type { TaskKind } from '../engine/index.ts';
import type { AppContext } from './context.ts';
import { makeExportTaskKind } from './exports/export-task.ts';
import { makeReportMailTaskKind } from './reports/report-mail.ts';
import { makeReportTaskKind } from './reports/report-task.ts';

/**
 * Every kind of durable task Parapet runs; each worker (in `parapet serve` or
 * `parapet worker`) registers all of them. Reports and fleet scans add their
 * kinds here as they arrive.
 */
export function makeTaskKinds(app: AppContext): TaskKind[] {
  return [makeExportTaskKind(app), makeReportTaskKind(app), makeReportMailTaskKind(app)];
}
