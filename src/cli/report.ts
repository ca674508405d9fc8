/**
 * `parapet report`: renders a report of a tenant straight to files, without a
 * server — the same data, template and renderers as ExportCustomizeReport.
 * `--lang zh,en` writes one file per language.
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import {
  REPORT_LANGS,
  recentDaysReport,
  reportPeriod,
  type ReportExportType,
  type ReportLang,
} from '../domain/reports.ts';
import type { AppContext } from '../services/context.ts';
import { resolveTenant } from '../services/identity.ts';
import { serverOffsetMinutes } from '../services/reports/report-exports.ts';
import { writeReport } from '../services/reports/report-task.ts';

export interface ReportFlags {
  tenant?: string | undefined;
  lang?: string | undefined;
  format?: string | undefined;
  days?: string | undefined;
  out?: string | undefined;
}

const TITLES: Record<ReportLang, string> = { zh: '安全报告', en: 'Security report' };

function option<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new Error(`--${name} must be one of ${allowed.join(', ')}, not "${value}"`);
  }
  return value as T;
}

/** Renders the report(s) and returns where they were written. */
export async function runReport(app: AppContext, flags: ReportFlags): Promise<Record<string, unknown>> {
  const tenant = await resolveTenant(app, flags.tenant);
  const langs = (flags.lang ?? 'zh,en').split(',').map((lang) => option('lang', lang.trim(), REPORT_LANGS));
  const format = option<ReportExportType>('format', (flags.format ?? 'pdf').toUpperCase(), ['HTML', 'PDF']);
  const days = Number(flags.days ?? 30);
  if (!Number.isInteger(days) || days < 1 || days > 366) throw new Error('--days must be 1 to 366');
  const dir = flags.out ?? '.';
  await mkdir(dir, { recursive: true });
  const now = app.now();
  const utcOffsetMinutes = serverOffsetMinutes(now);
  const files: string[] = [];
  for (const lang of langs) {
    const definition = recentDaysReport(TITLES[lang], lang, days);
    const file = join(dir, `report-${lang}.${format.toLowerCase()}`);
    const output = createWriteStream(file);
    const period = reportPeriod(definition, now, utcOffsetMinutes);
    await writeReport(app, tenant.id, { definition, format, period, utcOffsetMinutes }, output);
    await finished(output);
    files.push(file);
  }
  return { TenantId: tenant.id, Days: days, Files: files };
}
