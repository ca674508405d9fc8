/**
 * Sample ReportDocuments (zh and en) with every block kind, for the renderer
 * tests and anyone who wants to look at a report without data. The figures
 * agree across languages, so tests can look for the same numbers in both.
 */
import { CHART_COLORS } from '../../src/formats/charts.ts';
import type { ReportDocument } from '../../src/formats/report-document.ts';

export interface SampleReportOptions {
  /** Rows of the long host table (default 300). */
  tableRows?: number;
}

const text = {
  zh: {
    title: '安全周报',
    subtitle: '2025年6月2日 – 2025年6月8日 · 全部主机（128 台）',
    generatedAt: '生成时间：2025年6月9日 08:00',
    pageFooter: '第 {page} 页，共 {pages} 页',
    summary: '概览',
    intro:
      '本周新发现漏洞 1,284 个，其中高危 37 个。已修复 912 个，修复率 71.0%。建议优先处理 Web 服务器上的 OpenSSL 与 nginx 漏洞。',
    metrics: ['主机', '未处理漏洞', '高危漏洞', '修复率'],
    notes: ['较上周 +4', '较上周 −112', '较上周 +9', '较上周 +3.2%'],
    trends: '漏洞趋势',
    bySeverity: '按紧急程度',
    severities: ['高', '中', '低'],
    byDay: '每日新增与修复',
    added: '新增',
    fixed: '已修复',
    days: ['周一', '周二', '周三', '周四', '周五', '周六', '周日'],
    share: '漏洞分布',
    total: '1,284\n个漏洞',
    hosts: '主机明细',
    columns: ['主机名称', 'IP 地址', '操作系统', '高危', '中危', '低危'],
    tableNote: '仅列出存在未处理漏洞的主机。',
    os: ['CentOS 7.9', 'Ubuntu 22.04', 'Windows Server 2019', 'Alibaba Cloud Linux 3'],
    host: '生产-Web服务器',
  },
  en: {
    title: 'Weekly security report',
    subtitle: 'June 2 – June 8, 2025 · All hosts (128)',
    generatedAt: 'Generated June 9, 2025 08:00',
    pageFooter: 'Page {page} of {pages}',
    summary: 'Overview',
    intro:
      'This week 1,284 new vulnerabilities were found, 37 of them high-risk. 912 were fixed, a fix rate of 71.0%. Fix the OpenSSL and nginx vulnerabilities on the web servers first.',
    metrics: ['Hosts', 'Open vulnerabilities', 'High-risk', 'Fix rate'],
    notes: ['+4 vs last week', '−112 vs last week', '+9 vs last week', '+3.2% vs last week'],
    trends: 'Vulnerability trends',
    bySeverity: 'By necessity',
    severities: ['High', 'Medium', 'Low'],
    byDay: 'Found and fixed per day',
    added: 'Found',
    fixed: 'Fixed',
    days: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'],
    share: 'Distribution',
    total: '1,284\nvulnerabilities',
    hosts: 'Hosts',
    columns: ['Host name', 'IP address', 'OS', 'High', 'Medium', 'Low'],
    tableNote: 'Only hosts with open vulnerabilities are listed.',
    os: ['CentOS 7.9', 'Ubuntu 22.04', 'Windows Server 2019', 'Alibaba Cloud Linux 3'],
    host: 'prod-web-server',
  },
};

/** A deterministic weekly report in `lang`; host i has i % 7 high, (i * 3) % 11 medium and i % 5 low. */
export function makeSampleReport(lang: 'zh' | 'en', options: SampleReportOptions = {}): ReportDocument {
  const t = text[lang];
  const rows = Array.from({ length: options.tableRows ?? 300 }, (_, i) => [
    `${t.host}-${String(i + 1).padStart(4, '0')}`,
    `10.${Math.floor(i / 250)}.${i % 250}.${(i * 7) % 250}`,
    t.os[i % t.os.length] ?? '',
    String(i % 7),
    String((i * 3) % 11),
    String(i % 5),
  ]);
  return {
    lang,
    title: t.title,
    subtitle: t.subtitle,
    generatedAt: t.generatedAt,
    pageFooter: t.pageFooter,
    sections: [
      {
        heading: t.summary,
        blocks: [
          { kind: 'paragraph', text: t.intro },
          {
            kind: 'metrics',
            items: [
              { label: t.metrics[0] ?? '', value: '128', note: t.notes[0], tone: 'neutral' },
              { label: t.metrics[1] ?? '', value: '372', note: t.notes[1], tone: 'good' },
              { label: t.metrics[2] ?? '', value: '37', note: t.notes[2], tone: 'bad' },
              { label: t.metrics[3] ?? '', value: '71.0%', note: t.notes[3], tone: 'good' },
            ],
          },
        ],
      },
      {
        heading: t.trends,
        blocks: [
          {
            kind: 'chart',
            title: t.bySeverity,
            chart: {
              type: 'bar',
              stacked: true,
              categories: t.days,
              series: [
                { name: t.severities[0] ?? '', values: [5, 8, 3, 6, 9, 2, 4], color: CHART_COLORS.high },
                {
                  name: t.severities[1] ?? '',
                  values: [40, 52, 38, 61, 47, 20, 18],
                  color: CHART_COLORS.medium,
                },
                {
                  name: t.severities[2] ?? '',
                  values: [88, 120, 95, 130, 110, 45, 40],
                  color: CHART_COLORS.low,
                },
              ],
            },
          },
          {
            kind: 'chart',
            title: t.byDay,
            chart: {
              type: 'line',
              categories: t.days,
              series: [
                { name: t.added, values: [133, 180, 136, 197, 166, 67, 62] },
                { name: t.fixed, values: [90, 140, 150, 160, 170, 110, 92] },
              ],
            },
          },
          {
            kind: 'chart',
            title: t.share,
            chart: {
              type: 'donut',
              centerLabel: t.total,
              slices: [
                { label: t.severities[0] ?? '', value: 37, color: CHART_COLORS.high },
                { label: t.severities[1] ?? '', value: 276, color: CHART_COLORS.medium },
                { label: t.severities[2] ?? '', value: 971, color: CHART_COLORS.low },
              ],
            },
          },
        ],
      },
      {
        heading: t.hosts,
        blocks: [
          {
            kind: 'table',
            columns: [
              { header: t.columns[0] ?? '', weight: 2.4 },
              { header: t.columns[1] ?? '', weight: 1.4 },
              { header: t.columns[2] ?? '', weight: 2 },
              { header: t.columns[3] ?? '', align: 'right', weight: 0.8 },
              { header: t.columns[4] ?? '', align: 'right', weight: 0.8 },
              { header: t.columns[5] ?? '', align: 'right', weight: 0.8 },
            ],
            rows,
            note: t.tableNote,
          },
        ],
      },
    ],
  };
}
