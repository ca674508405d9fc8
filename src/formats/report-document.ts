/**
 * A report as a renderer sees it: a title block and a list of sections made
 * of blocks. A template fills it from report data; report-html.ts and
 * report-pdf.ts turn it into a page, mechanically. All strings are final
 * (localized, numbers formatted): renderers never translate.
 */

export interface ReportDocument {
  lang: 'zh' | 'en';
  /** e.g. "Weekly security report" / "安全周报" */
  title: string;
  /** Period and scope, already localized. */
  subtitle: string;
  /** Already localized text. */
  generatedAt: string;
  /** Footer with {page} and {pages} placeholders, e.g. "Page {page} of {pages}" / "第 {page} 页，共 {pages} 页". */
  pageFooter: string;
  sections: ReportSection[];
}

export interface ReportSection {
  heading: string;
  blocks: ReportBlock[];
}

/** How a metric reads: good (green), bad (red) or neutral. */
export type Tone = 'good' | 'bad' | 'neutral';

export type ReportBlock =
  | { kind: 'paragraph'; text: string }
  | { kind: 'metrics'; items: { label: string; value: string; note?: string; tone?: Tone }[] }
  | { kind: 'chart'; title: string; chart: Chart }
  | {
      kind: 'table';
      /** `weight` is the column's share of the width (default 1); `align` defaults to left. */
      columns: { header: string; align?: 'left' | 'right'; weight?: number }[];
      rows: string[][];
      note?: string;
    };

export type Chart =
  | { type: 'bar'; categories: string[]; series: ChartSeries[]; stacked?: boolean }
  | { type: 'line'; categories: string[]; series: ChartSeries[] }
  | { type: 'donut'; slices: { label: string; value: number; color?: string }[]; centerLabel?: string };

/** `values[i]` belongs to `categories[i]`; `color` defaults to the chart palette (see charts.ts). */
export interface ChartSeries {
  name: string;
  values: number[];
  color?: string;
}
