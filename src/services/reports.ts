/**
 * Report definitions: save (create or replace), list, read, delete. Tenant
 * scoped; another tenant's ReportId is Report.NotFound, like one that never
 * existed. Rendering and schedules build on these.
 */
import { invalidParameter, ParapetError } from '../domain/errors.ts';
import { checkReportDefinition, type ReportConfig, type ReportDefinition } from '../domain/reports.ts';
import { listHostGroups } from '../persistence/hosts.ts';
import * as reports from '../persistence/reports.ts';
import type { AppContext } from './context.ts';

export type { ReportConfigQuery } from '../persistence/reports.ts';

function notFound(id: number): ParapetError {
  return new ParapetError('Report.NotFound', `No report ${id} exists for this account.`);
}

/** Creates a definition (no id) or replaces the tenant's definition `id`; returns it as stored. */
export async function saveReportConfig(
  app: AppContext,
  tenantId: number,
  id: number | undefined,
  definition: ReportDefinition,
): Promise<ReportConfig> {
  checkReportDefinition(definition);
  if (definition.targetGroups.length > 0) {
    const groups = new Set((await listHostGroups(app.db, tenantId)).map((group) => group.id));
    const unknown = definition.targetGroups.filter((group) => !groups.has(group));
    if (unknown.length > 0) {
      throw invalidParameter('TargetGroups', `no host group ${unknown.join(', ')} exists in this account`);
    }
  }
  if (id === undefined) return reports.insertReportConfig(app.db, tenantId, definition, app.now());
  const updated = await reports.updateReportConfig(app.db, tenantId, id, definition, app.now());
  if (!updated) throw notFound(id);
  return updated;
}

export async function getReportConfig(app: AppContext, tenantId: number, id: number): Promise<ReportConfig> {
  const config = await reports.findReportConfig(app.db, tenantId, id);
  if (!config) throw notFound(id);
  return config;
}

export function listReportConfigs(
  app: AppContext,
  tenantId: number,
  query: reports.ReportConfigQuery,
): Promise<ReportConfig[]> {
  return reports.listReportConfigs(app.db, tenantId, query);
}

export async function deleteReportConfig(app: AppContext, tenantId: number, id: number): Promise<void> {
  if (!(await reports.deleteReportConfig(app.db, tenantId, id))) throw notFound(id);
}
