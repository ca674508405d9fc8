/**
 * The one report template: report data → a ReportDocument of localized
 * blocks, which the HTML and PDF renderers draw alike. Sections: executive
 * summary (risk score and what changed since the previous period),
 * vulnerabilities by priority and type with the trend, top 10 vulnerabilities
 * and hosts, open high-priority items, container images, and the appendix.
 */
import type { NecessityCounts, ReportData } from '../../domain/report-data.ts';
import type { ReportDefinition } from '../../domain/reports.ts';
import { NECESSITIES, VUL_TYPES } from '../../domain/vulnerabilities.ts';
import { CHART_COLORS } from '../../formats/charts.ts';
import type { ReportBlock, ReportDocument, ReportSection, Tone } from '../../formats/report-document.ts';
import { formatDate, formatDateTime, formatNumber, REPORT_STRINGS } from './report-strings.ts';

export interface TemplateOptions {
  now: number;
  utcOffsetMinutes: number;
  /** Names of the report's host groups; empty = all hosts. */
  groupNames: string[];
}

const DAY_MS = 86_400_000;
const SEVERITIES = ['Critical', 'High', 'Medium', 'Low'] as const;
/** Priorities in the charts' palette: red, amber, slate. */
const NECESSITY_COLORS = {
  asap: CHART_COLORS.high,
  later: CHART_COLORS.medium,
  nntf: CHART_COLORS.low,
} as const;

const sum = (counts: NecessityCounts) => counts.asap + counts.later + counts.nntf;

/** Lower is better for every figure in the summary. */
function tone(current: number, previous: number): Tone {
  if (current === previous) return 'neutral';
  return current < previous ? 'good' : 'bad';
}

export function buildReportDocument(
  config: Pick<ReportDefinition, 'title' | 'type' | 'lang'>,
  data: ReportData,
  options: TemplateOptions,
): ReportDocument {
  const { lang } = config;
  const t = REPORT_STRINGS[lang];
  const n = (value: number) => formatNumber(value, lang);
  const date = (ms: number) => formatDate(ms, lang, options.utcOffsetMinutes);
  const lastDay = data.period.to - DAY_MS;
  const periodText =
    data.period.to - data.period.from <= DAY_MS
      ? date(data.period.from)
      : `${date(data.period.from)} – ${date(lastDay)}`;
  const scopeText =
    options.groupNames.length === 0 ? t.allHosts : options.groupNames.join(lang === 'zh' ? '、' : ', ');

  const riskDelta = data.risk.current - data.risk.previous;
  const change =
    riskDelta > 0 ? t.riskUp(n(riskDelta)) : riskDelta < 0 ? t.riskDown(n(-riskDelta)) : t.riskSame;
  const found = sum(data.found.current);

  const summary: ReportSection = {
    heading: t.summary,
    blocks: [
      {
        kind: 'metrics',
        items: [
          {
            label: t.riskScore,
            value: n(data.risk.current),
            note: t.previously(n(data.risk.previous)),
            tone: tone(data.risk.current, data.risk.previous),
          },
          {
            label: t.openVulns,
            value: n(data.open.total),
            note: t.onHosts(n(data.hosts.affected), n(data.hosts.total)),
          },
          {
            label: t.foundInPeriod,
            value: n(found),
            note: t.previously(n(sum(data.found.previous))),
            tone: tone(found, sum(data.found.previous)),
          },
          {
            label: t.fixedInPeriod,
            value: n(data.fixed.current),
            note: t.previously(n(data.fixed.previous)),
            tone: tone(data.fixed.previous, data.fixed.current),
          },
        ],
      },
      {
        kind: 'paragraph',
        text: t.summaryText({
          risk: n(data.risk.current),
          change,
          found: n(found),
          urgent: n(data.found.current.asap),
          fixed: n(data.fixed.current),
          hosts: n(data.hosts.affected),
        }),
      },
    ],
  };

  const necessitySeries = NECESSITIES.map((necessity) => ({
    name: t.necessity[necessity],
    color: NECESSITY_COLORS[necessity],
    values: data.trend.map((bucket) => bucket.counts[necessity]),
  }));
  const vulnerabilities: ReportSection = {
    heading: t.vulnerabilities,
    blocks: [
      {
        kind: 'chart',
        title: t.byNecessity,
        chart: {
          type: 'donut',
          centerLabel: n(data.open.total),
          slices: NECESSITIES.map((necessity) => ({
            label: t.necessity[necessity],
            value: data.open.byNecessity[necessity],
            color: NECESSITY_COLORS[necessity],
          })),
        },
      },
      {
        kind: 'chart',
        title: t.byType,
        chart: {
          type: 'bar',
          categories: VUL_TYPES.map((type) => t.typeShort[type]),
          series: [{ name: t.openVulns, values: VUL_TYPES.map((type) => data.open.byType[type]) }],
        },
      },
      {
        kind: 'chart',
        title: t.trend,
        chart: {
          type: 'bar',
          stacked: true,
          categories: data.trend.map((bucket) => bucket.label.slice(5)),
          series: necessitySeries,
        },
      },
    ],
  };

  const vulnRows = (items: ReportData['topVulnerabilities']) =>
    items.map((item) => [
      item.aliasName || item.name,
      t.type[item.type],
      t.necessity[item.necessity],
      n(item.hosts),
      item.cves.slice(0, 3).join(', ') + (item.cves.length > 3 ? ' …' : ''),
    ]);
  const vulnColumns = [
    { header: t.vulnerability, weight: 5 },
    { header: t.vulType, weight: 2 },
    { header: t.level, weight: 1 },
    { header: t.hostCount, align: 'right' as const, weight: 1 },
    { header: t.cves, weight: 3 },
  ];
  const table = (columns: typeof vulnColumns, rows: string[][], note?: string): ReportBlock =>
    rows.length === 0
      ? { kind: 'paragraph', text: t.nothingOpen }
      : { kind: 'table', columns, rows, ...(note ? { note } : {}) };

  const sections: ReportSection[] = [
    summary,
    vulnerabilities,
    { heading: t.topVulns, blocks: [table(vulnColumns, vulnRows(data.topVulnerabilities))] },
    {
      heading: t.topHosts,
      blocks: [
        table(
          [
            { header: t.host, weight: 3 },
            { header: t.ip, weight: 2 },
            { header: t.group, weight: 2 },
            { header: t.necessity.asap, align: 'right', weight: 1 },
            { header: t.necessity.later, align: 'right', weight: 1 },
            { header: t.necessity.nntf, align: 'right', weight: 1 },
            { header: t.score, align: 'right', weight: 1 },
          ],
          data.topHosts.map((host) => [
            host.name,
            host.ip,
            host.group,
            n(host.counts.asap),
            n(host.counts.later),
            n(host.counts.nntf),
            n(host.score),
          ]),
        ),
      ],
    },
    {
      heading: t.urgent,
      blocks:
        data.urgent.total === 0
          ? [{ kind: 'paragraph', text: t.noneUrgent }]
          : [
              {
                kind: 'table',
                columns: [
                  { header: t.host, weight: 3 },
                  { header: t.ip, weight: 2 },
                  { header: t.vulnerability, weight: 5 },
                  { header: t.vulType, weight: 2 },
                  { header: t.firstSeen, weight: 2 },
                ],
                rows: data.urgent.items.map((item) => [
                  item.hostName,
                  item.ip,
                  item.aliasName || item.name,
                  t.type[item.type],
                  date(item.firstSeen),
                ]),
                ...(data.urgent.total > data.urgent.items.length
                  ? { note: t.urgentNote(n(data.urgent.items.length), n(data.urgent.total)) }
                  : {}),
              },
            ],
    },
  ];
  if (data.images.total > 0) {
    sections.push({
      heading: t.images,
      blocks: [
        { kind: 'metrics', items: [{ label: t.imageCount, value: n(data.images.total) }] },
        {
          kind: 'chart',
          title: t.imageOpen,
          chart: {
            type: 'bar',
            categories: SEVERITIES.map((severity) => t.severity[severity]),
            series: [
              {
                name: t.imageOpen,
                values: SEVERITIES.map((severity) => data.images.openBySeverity[severity]),
                color: CHART_COLORS.high,
              },
            ],
          },
        },
      ],
    });
  }
  sections.push({
    heading: t.appendix,
    blocks: [
      table(
        vulnColumns,
        vulnRows(data.appendix.items),
        data.appendix.total > data.appendix.items.length
          ? t.appendixNote(n(data.appendix.items.length), n(data.appendix.total))
          : undefined,
      ),
    ],
  });

  return {
    lang,
    title: config.title,
    subtitle: `${t.kind[config.type]} · ${t.period}: ${periodText} · ${t.scope}: ${scopeText}`,
    generatedAt: `${t.generated}: ${formatDateTime(options.now, lang, options.utcOffsetMinutes)}`,
    pageFooter: t.pageFooter,
    sections,
  };
}
