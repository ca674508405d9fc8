/** Report definitions. Row types stay here; callers get domain types. */
import type {
  GroupType,
  ReportConfig,
  ReportDefinition,
  ReportLang,
  ReportType,
  ReportVersion,
  SendPeriodType,
} from '../domain/reports.ts';
import type { Queryable, SqlValue } from './database.ts';

interface ReportConfigRow {
  id: number;
  tenant_id: number;
  title: string;
  recipients: string;
  enabled: number;
  type: number;
  lang: string;
  version: string;
  start_date: string | null;
  end_date: string | null;
  report_days: number | null;
  send_window: number | null;
  send_start_time: string | null;
  send_end_time: string | null;
  send_period_type: string | null;
  send_period_days: number | null;
  group_type: string | null;
  target_groups: string;
  pinned_at: number | null;
  created_at: number;
  updated_at: number;
}

const toReportConfig = (r: ReportConfigRow): ReportConfig => ({
  id: r.id,
  tenantId: r.tenant_id,
  title: r.title,
  recipients: r.recipients.split(','),
  enabled: r.enabled === 1,
  type: r.type as ReportType,
  lang: r.lang as ReportLang,
  version: r.version as ReportVersion,
  startDate: r.start_date ?? undefined,
  endDate: r.end_date ?? undefined,
  reportDays: r.report_days ?? undefined,
  sendWindow: r.send_window ?? undefined,
  sendStartTime: r.send_start_time ?? undefined,
  sendEndTime: r.send_end_time ?? undefined,
  sendPeriodType: (r.send_period_type ?? undefined) as SendPeriodType | undefined,
  sendPeriodDays: r.send_period_days ?? undefined,
  groupType: (r.group_type ?? undefined) as GroupType | undefined,
  targetGroups: JSON.parse(r.target_groups) as number[],
  pinnedAt: r.pinned_at ?? undefined,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** The definition's columns, in the order of COLUMNS. */
const COLUMNS = [
  'title',
  'recipients',
  'enabled',
  'type',
  'lang',
  'version',
  'start_date',
  'end_date',
  'report_days',
  'send_window',
  'send_start_time',
  'send_end_time',
  'send_period_type',
  'send_period_days',
  'group_type',
  'target_groups',
  'pinned_at',
];

function values(d: ReportDefinition): SqlValue[] {
  return [
    d.title,
    d.recipients.join(','),
    d.enabled ? 1 : 0,
    d.type,
    d.lang,
    d.version,
    d.startDate ?? null,
    d.endDate ?? null,
    d.reportDays ?? null,
    d.sendWindow ?? null,
    d.sendStartTime ?? null,
    d.sendEndTime ?? null,
    d.sendPeriodType ?? null,
    d.sendPeriodDays ?? null,
    d.groupType ?? null,
    JSON.stringify(d.targetGroups),
    d.pinnedAt ?? null,
  ];
}

export async function insertReportConfig(
  db: Queryable,
  tenantId: number,
  definition: ReportDefinition,
  now: number,
): Promise<ReportConfig> {
  const row = await db.get<ReportConfigRow>(
    `INSERT INTO report_configs (tenant_id, ${COLUMNS.join(', ')}, created_at, updated_at)
     VALUES (?, ${COLUMNS.map(() => '?').join(', ')}, ?, ?) RETURNING *`,
    [tenantId, ...values(definition), now, now],
  );
  return toReportConfig(row!);
}

/** Replaces a definition; undefined when the tenant has no such report. */
export async function updateReportConfig(
  db: Queryable,
  tenantId: number,
  id: number,
  definition: ReportDefinition,
  now: number,
): Promise<ReportConfig | undefined> {
  const row = await db.get<ReportConfigRow>(
    `UPDATE report_configs SET ${COLUMNS.map((column) => `${column} = ?`).join(', ')}, updated_at = ?
     WHERE tenant_id = ? AND id = ? RETURNING *`,
    [...values(definition), now, tenantId, id],
  );
  return row && toReportConfig(row);
}

export async function findReportConfig(
  db: Queryable,
  tenantId: number,
  id: number,
): Promise<ReportConfig | undefined> {
  const row = await db.get<ReportConfigRow>('SELECT * FROM report_configs WHERE tenant_id = ? AND id = ?', [
    tenantId,
    id,
  ]);
  return row && toReportConfig(row);
}

export interface ReportConfigQuery {
  /** Contains, case-insensitively. */
  title?: string | undefined;
  enabled?: boolean | undefined;
  type?: ReportType | undefined;
  version?: ReportVersion | undefined;
  pinned?: boolean | undefined;
}

/** The tenant's definitions, pinned ones first (latest pin first), then newest first. */
export async function listReportConfigs(
  db: Queryable,
  tenantId: number,
  query: ReportConfigQuery,
): Promise<ReportConfig[]> {
  const conditions = ['tenant_id = ?'];
  const params: SqlValue[] = [tenantId];
  if (query.title !== undefined) {
    conditions.push(`LOWER(title) LIKE ? ESCAPE '\\'`);
    params.push(`%${query.title.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`);
  }
  if (query.enabled !== undefined) {
    conditions.push('enabled = ?');
    params.push(query.enabled ? 1 : 0);
  }
  if (query.type !== undefined) {
    conditions.push('type = ?');
    params.push(query.type);
  }
  if (query.version !== undefined) {
    conditions.push('version = ?');
    params.push(query.version);
  }
  if (query.pinned !== undefined)
    conditions.push(query.pinned ? 'pinned_at > 0' : '(pinned_at IS NULL OR pinned_at = 0)');
  const rows = await db.all<ReportConfigRow>(
    `SELECT * FROM report_configs WHERE ${conditions.join(' AND ')}
     ORDER BY CASE WHEN pinned_at > 0 THEN pinned_at ELSE 0 END DESC, id DESC`,
    params,
  );
  return rows.map(toReportConfig);
}

export async function deleteReportConfig(db: Queryable, tenantId: number, id: number): Promise<boolean> {
  const result = await db.run('DELETE FROM report_configs WHERE tenant_id = ? AND id = ?', [tenantId, id]);
  return result.changes === 1;
}

/** Every tenant's enabled definitions, for the scheduler. */
export async function listEnabledReportConfigs(db: Queryable): Promise<ReportConfig[]> {
  const rows = await db.all<ReportConfigRow>('SELECT * FROM report_configs WHERE enabled = 1 ORDER BY id');
  return rows.map(toReportConfig);
}
