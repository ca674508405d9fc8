/**
 * Every word a report prints, in Chinese and English, and the formatting of
 * its numbers and dates. The template picks from here; renderers never
 * translate.
 */
import type { Necessity, VulType } from '../../domain/vulnerabilities.ts';
import type { ReportLang, ReportType } from '../../domain/reports.ts';

export interface ReportStrings {
  kind: Record<ReportType, string>;
  period: string;
  scope: string;
  allHosts: string;
  generated: string;
  pageFooter: string;
  summary: string;
  riskScore: string;
  openVulns: string;
  foundInPeriod: string;
  fixedInPeriod: string;
  previously: (value: string) => string;
  summaryText: (s: {
    risk: string;
    change: string;
    found: string;
    urgent: string;
    fixed: string;
    hosts: string;
  }) => string;
  riskUp: (points: string) => string;
  riskDown: (points: string) => string;
  riskSame: string;
  vulnerabilities: string;
  byNecessity: string;
  byType: string;
  trend: string;
  necessity: Record<Necessity, string>;
  type: Record<VulType, string>;
  /** Short type names for chart axes. */
  typeShort: Record<VulType, string>;
  onHosts: (affected: string, total: string) => string;
  topVulns: string;
  topHosts: string;
  vulnerability: string;
  vulType: string;
  level: string;
  hostCount: string;
  cves: string;
  host: string;
  ip: string;
  group: string;
  score: string;
  urgent: string;
  firstSeen: string;
  urgentNote: (shown: string, total: string) => string;
  noneUrgent: string;
  images: string;
  imageCount: string;
  imageOpen: string;
  severity: Record<'Critical' | 'High' | 'Medium' | 'Low', string>;
  appendix: string;
  appendixNote: (shown: string, total: string) => string;
  nothingOpen: string;
  mailText: (title: string, period: string) => string;
}

const zh: ReportStrings = {
  kind: { 0: '安全日报', 1: '安全周报', 2: '安全月报', 3: '安全报告', 4: '安全报告' },
  period: '统计周期',
  scope: '范围',
  allHosts: '全部主机',
  generated: '生成时间',
  pageFooter: '第 {page} 页，共 {pages} 页',
  summary: '概览',
  riskScore: '风险评分',
  openVulns: '未处理漏洞',
  foundInPeriod: '本期新发现',
  fixedInPeriod: '本期已修复',
  previously: (value) => `上期 ${value}`,
  summaryText: (s) =>
    `本期风险评分为 ${s.risk}（${s.change}）。共新发现漏洞 ${s.found} 个，其中高危 ${s.urgent} 个；已修复 ${s.fixed} 个。目前有 ${s.hosts} 台主机存在未处理漏洞。`,
  riskUp: (points) => `较上期上升 ${points} 分`,
  riskDown: (points) => `较上期下降 ${points} 分`,
  riskSame: '与上期持平',
  vulnerabilities: '漏洞分析',
  byNecessity: '未处理漏洞（按修复紧急度）',
  byType: '未处理漏洞（按类型）',
  trend: '新发现漏洞趋势',
  necessity: { asap: '高', later: '中', nntf: '低' },
  type: {
    cve: 'Linux软件漏洞',
    sys: 'Windows系统漏洞',
    cms: 'Web-CMS漏洞',
    app: '应用漏洞',
    emg: '应急漏洞',
    sca: '软件成分分析漏洞',
  },
  typeShort: { cve: 'Linux', sys: 'Windows', cms: 'Web-CMS', app: '应用', emg: '应急', sca: '成分分析' },
  onHosts: (affected, total) => `分布在 ${affected} / ${total} 台主机`,
  topVulns: '影响最广的漏洞 Top 10',
  topHosts: '风险最高的主机 Top 10',
  vulnerability: '漏洞',
  vulType: '类型',
  level: '紧急度',
  hostCount: '主机数',
  cves: 'CVE编号',
  host: '主机',
  ip: 'IP',
  group: '分组',
  score: '风险值',
  urgent: '未处理的高危漏洞',
  firstSeen: '首次发现',
  urgentNote: (shown, total) => `显示最早发现的 ${shown} 条，共 ${total} 条。`,
  noneUrgent: '没有未处理的高危漏洞。',
  images: '容器镜像',
  imageCount: '本地镜像',
  imageOpen: '镜像未处理漏洞（按危险程度）',
  severity: { Critical: '严重', High: '高', Medium: '中', Low: '低' },
  appendix: '附录：全部未处理漏洞',
  appendixNote: (shown, total) => `显示 ${shown} 项，共 ${total} 项。`,
  nothingOpen: '没有未处理的漏洞。',
  mailText: (title, period) => `您好：\n\n附件是「${title}」（${period}），由 Parapet 安全中心生成。\n`,
};

const en: ReportStrings = {
  kind: {
    0: 'Daily security report',
    1: 'Weekly security report',
    2: 'Monthly security report',
    3: 'Security report',
    4: 'Security report',
  },
  period: 'Period',
  scope: 'Scope',
  allHosts: 'all hosts',
  generated: 'Generated',
  pageFooter: 'Page {page} of {pages}',
  summary: 'Executive summary',
  riskScore: 'Risk score',
  openVulns: 'Open vulnerabilities',
  foundInPeriod: 'Found this period',
  fixedInPeriod: 'Fixed this period',
  previously: (value) => `previous period ${value}`,
  summaryText: (s) =>
    `The risk score is ${s.risk} (${s.change}). ${s.found} vulnerabilities were found this period, ${s.urgent} of them high priority, and ${s.fixed} were fixed. ${s.hosts} hosts have open vulnerabilities.`,
  riskUp: (points) => `up ${points} from the previous period`,
  riskDown: (points) => `down ${points} from the previous period`,
  riskSame: 'unchanged from the previous period',
  vulnerabilities: 'Vulnerabilities',
  byNecessity: 'Open vulnerabilities by priority',
  byType: 'Open vulnerabilities by type',
  trend: 'Vulnerabilities found over the period',
  necessity: { asap: 'High', later: 'Medium', nntf: 'Low' },
  type: {
    cve: 'Linux software',
    sys: 'Windows system',
    cms: 'Web-CMS',
    app: 'Application',
    emg: 'Urgent',
    sca: 'Software components',
  },
  typeShort: { cve: 'Linux', sys: 'Windows', cms: 'Web-CMS', app: 'Application', emg: 'Urgent', sca: 'SCA' },
  onHosts: (affected, total) => `on ${affected} of ${total} hosts`,
  topVulns: 'Top 10 vulnerabilities by reach',
  topHosts: 'Top 10 hosts by risk',
  vulnerability: 'Vulnerability',
  vulType: 'Type',
  level: 'Priority',
  hostCount: 'Hosts',
  cves: 'CVEs',
  host: 'Host',
  ip: 'IP',
  group: 'Group',
  score: 'Risk',
  urgent: 'Open high-priority vulnerabilities',
  firstSeen: 'First seen',
  urgentNote: (shown, total) => `The ${shown} found earliest of ${total}.`,
  noneUrgent: 'No high-priority vulnerability is open.',
  images: 'Container images',
  imageCount: 'Local images',
  imageOpen: 'Open image vulnerabilities by severity',
  severity: { Critical: 'Critical', High: 'High', Medium: 'Medium', Low: 'Low' },
  appendix: 'Appendix: every open vulnerability',
  appendixNote: (shown, total) => `${shown} of ${total} shown.`,
  nothingOpen: 'No vulnerability is open.',
  mailText: (title, period) => `Hello,\n\nAttached is "${title}" for ${period}, produced by Parapet.\n`,
};

export const REPORT_STRINGS: Record<ReportLang, ReportStrings> = { zh, en };

/** Numbers with the language's grouping (1,234 in both). */
export function formatNumber(value: number, lang: ReportLang): string {
  return new Intl.NumberFormat(lang === 'zh' ? 'zh-CN' : 'en-US').format(value);
}

const EN_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A day in the server's zone: `2026年11月16日` / `16 Nov 2026`. */
export function formatDate(epochMs: number, lang: ReportLang, utcOffsetMinutes: number): string {
  const local = new Date(epochMs + utcOffsetMinutes * 60_000);
  const [year, month, day] = [local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()];
  return lang === 'zh' ? `${year}年${month + 1}月${day}日` : `${day} ${EN_MONTHS[month]} ${year}`;
}

/** A moment in the server's zone, to the minute. */
export function formatDateTime(epochMs: number, lang: ReportLang, utcOffsetMinutes: number): string {
  const local = new Date(epochMs + utcOffsetMinutes * 60_000);
  const time = `${String(local.getUTCHours()).padStart(2, '0')}:${String(local.getUTCMinutes()).padStart(2, '0')}`;
  return `${formatDate(epochMs, lang, utcOffsetMinutes)} ${time}`;
}
