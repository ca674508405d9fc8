/**
 * Scheduled reports: every serve node calls runReportSchedules each minute.
 * For each enabled definition whose period is due (dueReportPeriod), it queues
 * one rendering to be mailed to the definition's recipients, keyed on
 * (definition, period): however many nodes run this, each period is
 * generated once.
 */
import { dueReportPeriod } from '../../domain/reports.ts';
import { listEnabledReportConfigs } from '../../persistence/reports.ts';
import type { AppContext } from '../context.ts';
import { queueReport, serverOffsetMinutes } from './report-exports.ts';

/** Queues what is due; returns how many definitions were due (queued now or before). */
export async function runReportSchedules(app: AppContext): Promise<number> {
  const now = app.now();
  const utcOffsetMinutes = serverOffsetMinutes(now);
  let due = 0;
  for (const config of await listEnabledReportConfigs(app.db)) {
    const period = dueReportPeriod(config, now, utcOffsetMinutes);
    if (!period) continue;
    due += 1;
    await queueReport(app, config, {
      format: config.version === '2.0.0' ? 'PDF' : 'HTML',
      period,
      utcOffsetMinutes,
      deliverTo: config.recipients,
      idempotencyKey: `schedule:${config.id}:${period.from}-${period.to}`,
    });
  }
  return due;
}
