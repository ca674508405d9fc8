/**
 * ReportDocument → PDF (A4) with pdfkit: a title block, sections with
 * headings, metrics as boxes, charts (the SVG of charts.ts drawn by
 * svg-to-pdfkit), tables that flow across pages with their header row
 * repeated and zebra rows, and a footer with the page number on every page.
 *
 * The PDF is piped to `output` as pdfkit produces it, but pages are buffered
 * until the end (`bufferPages`) because the footer needs the page count, so
 * most bytes come out at the end. pdfkit keeps every drawing operation as a
 * Buffer of its own (some 65 per table row, with ~200 bytes of overhead
 * each); compactPage joins a finished page's into one, which brings what a
 * 5,000-row table (141 pages) holds from ~97 MB of heap down to ~19 MB.
 * Text, fonts and wrapping: see pdf-text.ts.
 */
import { pipeline } from 'node:stream/promises';
import PDFDocument from 'pdfkit';
import SVGtoPDF from 'svg-to-pdfkit';
import { CHART_COLORS, renderChartSvg } from './charts.ts';
import { LINE_HEIGHT, PdfText, type TextLine } from './pdf-text.ts';
import type { ReportBlock, ReportDocument, Tone } from './report-document.ts';

export interface ReportPdfOptions {
  /** The document's CreationDate (default: now). */
  creationDate?: Date;
}

const MARGIN = { top: 56, bottom: 64, left: 50, right: 50 };
const INK = '#1F2933';
const MUTED = '#616E7C';
const ACCENT = CHART_COLORS.primary;
const RULE = '#D5DBE3';
const PANEL = '#F4F6F9';
const ZEBRA = '#F4F6F9';
const TONE_COLORS: Record<Tone, string> = { good: CHART_COLORS.good, bad: '#B42318', neutral: ACCENT };
const BODY = 10;
const SMALL = 8.5;
const CELL_PAD = { x: 5, y: 3.5 };
/** A cell longer than this many lines is cut with "…", so a row always fits on a page. */
const MAX_CELL_LINES = 12;
const CHART_HEIGHT = { bar: 220, line: 220, donut: 170 };

/** Renders `doc` as a PDF into `output`; resolves when `output` has finished, rejects on an error of either. */
export async function renderReportPdf(
  doc: ReportDocument,
  output: NodeJS.WritableStream,
  options: ReportPdfOptions = {},
): Promise<void> {
  const pdf = new PDFDocument({
    size: 'A4',
    margins: MARGIN,
    bufferPages: true,
    lang: doc.lang === 'zh' ? 'zh-CN' : 'en',
    displayTitle: true,
    info: {
      Title: doc.title,
      Subject: doc.subtitle,
      Creator: 'Parapet',
      CreationDate: options.creationDate ?? new Date(),
    },
  });
  const done = pipeline(pdf, output);
  try {
    const page = new PageWriter(pdf);
    page.titleBlock(doc);
    for (const section of doc.sections) {
      page.heading(section.heading);
      for (const block of section.blocks) page.block(block);
    }
    page.footers(doc);
    pdf.end();
  } catch (error) {
    pdf.destroy(error as Error);
  }
  await done;
}

/** Lays blocks out top to bottom, starting new pages as needed. */
class PageWriter {
  readonly #pdf: PDFKit.PDFDocument;
  readonly #text: PdfText;
  readonly #left = MARGIN.left;
  readonly #width: number;
  readonly #bottom: number;
  #y = MARGIN.top;

  constructor(pdf: PDFKit.PDFDocument) {
    this.#pdf = pdf;
    this.#text = new PdfText(pdf);
    this.#width = pdf.page.width - MARGIN.left - MARGIN.right;
    this.#bottom = pdf.page.height - MARGIN.bottom;
  }

  titleBlock(doc: ReportDocument): void {
    this.#pdf.rect(this.#left, this.#y, 36, 4).fill(ACCENT);
    this.#y += 14;
    this.#paragraph(doc.title, { size: 22, weight: 'bold', color: INK, lineHeight: 30 });
    this.#y += 2;
    this.#paragraph(doc.subtitle, { size: 11, color: MUTED, lineHeight: 16 });
    this.#paragraph(doc.generatedAt, { size: SMALL, color: MUTED, lineHeight: 13 });
    this.#y += 10;
    this.#rule(this.#y, RULE, 1);
    this.#y += 8;
  }

  heading(text: string): void {
    // Keep a heading with the start of its content.
    this.#ensure(110);
    if (this.#y > MARGIN.top) this.#y += 14;
    this.#paragraph(text, { size: 14, weight: 'bold', color: ACCENT, lineHeight: 21 });
    this.#rule(this.#y + 2, RULE, 0.75);
    this.#y += 12;
  }

  block(block: ReportBlock): void {
    switch (block.kind) {
      case 'paragraph':
        this.#paragraph(block.text, { size: BODY, color: INK, lineHeight: BODY * 1.6 });
        this.#y += 8;
        break;
      case 'metrics':
        this.#metrics(block.items);
        break;
      case 'chart':
        this.#chart(block);
        break;
      case 'table':
        this.#table(block);
        break;
    }
  }

  /** Writes the title (left) and `pageFooter` with the page numbers (right) at the bottom of every page. */
  footers(doc: ReportDocument): void {
    const range = this.#pdf.bufferedPageRange();
    for (let i = range.start; i < range.start + range.count; i++) {
      this.#pdf.switchToPage(i);
      const y = this.#pdf.page.height - MARGIN.bottom + 22;
      this.#rule(y - 8, RULE, 0.5);
      const footer = doc.pageFooter
        .replaceAll('{page}', String(i + 1))
        .replaceAll('{pages}', String(range.count));
      const style = { size: 8, color: MUTED, lineHeight: 12 };
      const right = this.#text.layout(footer, this.#width / 2, { size: 8, maxLines: 1 });
      const left = this.#text.layout(doc.title, this.#width / 2 - 12, { size: 8, maxLines: 1 });
      this.#text.draw(left, this.#left, y, style);
      this.#text.draw(right, this.#left, y, { ...style, align: 'right', width: this.#width });
    }
  }

  #paragraph(
    text: string,
    style: { size: number; color: string; lineHeight: number; weight?: 'regular' | 'bold' },
  ): void {
    for (const line of this.#text.layout(text, this.#width, style)) {
      this.#ensure(style.lineHeight);
      this.#y = this.#text.draw([line], this.#left, this.#y, style);
    }
  }

  #metrics(items: Extract<ReportBlock, { kind: 'metrics' }>['items']): void {
    const perRow = Math.min(4, Math.max(1, items.length));
    const gap = 10;
    const boxWidth = (this.#width - gap * (perRow - 1)) / perRow;
    const inner = boxWidth - 22;
    for (let start = 0; start < items.length; start += perRow) {
      const row = items.slice(start, start + perRow).map((item) => ({
        item,
        label: this.#text.layout(item.label, inner, { size: SMALL, maxLines: 2 }),
        value: this.#text.layout(item.value, inner, { size: 20, weight: 'bold', maxLines: 1 }),
        note: this.#text.layout(item.note ?? '', inner, { size: SMALL, maxLines: 2 }),
      }));
      const labelLines = Math.max(...row.map((m) => m.label.length));
      const noteLines = Math.max(...row.map((m) => m.note.length));
      const height = 12 + labelLines * 12 + 30 + noteLines * 12 + 10;
      this.#ensure(height);
      row.forEach(({ item, label, value, note }, i) => {
        const x = this.#left + i * (boxWidth + gap);
        const tone = TONE_COLORS[item.tone ?? 'neutral'];
        this.#pdf.rect(x, this.#y, boxWidth, height).fill(PANEL);
        this.#pdf.rect(x, this.#y, 3, height).fill(tone);
        let y = this.#text.draw(label, x + 12, this.#y + 10, { size: SMALL, color: MUTED, lineHeight: 12 });
        y = this.#text.draw(value, x + 12, y + 2, { size: 20, color: INK, lineHeight: 28 });
        this.#text.draw(note, x + 12, y, {
          size: SMALL,
          color: item.tone === 'neutral' ? MUTED : tone,
          lineHeight: 12,
        });
      });
      this.#y += height + 12;
    }
  }

  #chart(block: Extract<ReportBlock, { kind: 'chart' }>): void {
    const height = CHART_HEIGHT[block.chart.type];
    const title = this.#text.layout(block.title, this.#width, { size: 10.5, weight: 'bold', maxLines: 2 });
    this.#ensure(title.length * 16 + 6 + height);
    this.#y = this.#text.draw(title, this.#left, this.#y, { size: 10.5, color: INK, lineHeight: 16 });
    this.#y += 4;
    const svg = renderChartSvg(block.chart, { width: this.#width, height, fontFamily: 'Noto Sans SC' });
    SVGtoPDF(this.#pdf, svg, this.#left, this.#y, {
      width: this.#width,
      height,
      assumePt: true,
      fontCallback: (_family, bold) => (bold ? 'bold' : 'regular'),
    });
    this.#y += height + 14;
  }

  #table(table: Extract<ReportBlock, { kind: 'table' }>): void {
    const weights = table.columns.map((c) => (c.weight !== undefined && c.weight > 0 ? c.weight : 1));
    const total = weights.reduce((sum, w) => sum + w, 0);
    const widths = weights.map((w) => (w / total) * this.#width);
    const lineHeight = SMALL * LINE_HEIGHT;
    const layoutRow = (
      cells: readonly string[],
      weight: 'regular' | 'bold',
    ): { lines: TextLine[][]; height: number } => {
      const lines = widths.map((w, i) =>
        this.#text.layout(cells[i] ?? '', w - 2 * CELL_PAD.x, {
          size: SMALL,
          weight,
          maxLines: MAX_CELL_LINES,
        }),
      );
      return { lines, height: Math.max(1, ...lines.map((l) => l.length)) * lineHeight + 2 * CELL_PAD.y };
    };
    const drawRow = (
      row: { lines: TextLine[][]; height: number },
      fill: string | undefined,
      color: string,
    ): void => {
      if (fill) this.#pdf.rect(this.#left, this.#y, this.#width, row.height).fill(fill);
      let x = this.#left;
      row.lines.forEach((lines, i) => {
        const width = widths[i] ?? 0;
        const align = table.columns[i]?.align ?? 'left';
        this.#text.draw(lines, x + CELL_PAD.x, this.#y + CELL_PAD.y, {
          size: SMALL,
          color,
          lineHeight,
          align,
          width: width - 2 * CELL_PAD.x,
        });
        x += width;
      });
      this.#y += row.height;
    };

    const header = layoutRow(
      table.columns.map((c) => c.header),
      'bold',
    );
    const first = table.rows[0] ? layoutRow(table.rows[0], 'regular') : undefined;
    this.#ensure(header.height + (first?.height ?? 0));
    drawRow(header, ACCENT, '#FFFFFF');
    table.rows.forEach((cells, i) => {
      const row = i === 0 && first ? first : layoutRow(cells, 'regular');
      if (this.#y + row.height > this.#bottom) {
        this.#newPage();
        drawRow(header, ACCENT, '#FFFFFF');
      }
      drawRow(row, i % 2 === 1 ? ZEBRA : undefined, INK);
    });
    this.#rule(this.#y, RULE, 0.75);
    this.#y += 6;
    if (table.note) this.#paragraph(table.note, { size: SMALL, color: MUTED, lineHeight: 12 });
    this.#y += 10;
  }

  #rule(y: number, color: string, width: number): void {
    this.#pdf
      .moveTo(this.#left, y)
      .lineTo(this.#left + this.#width, y)
      .lineWidth(width)
      .strokeColor(color)
      .stroke();
  }

  #ensure(height: number): void {
    if (this.#y + height > this.#bottom && this.#y > MARGIN.top) this.#newPage();
  }

  #newPage(): void {
    compactPage(this.#pdf);
    this.#pdf.addPage();
    this.#y = MARGIN.top;
  }
}

/**
 * Joins the current page's content chunks into one Buffer. This reaches into
 * pdfkit (0.20: PDFReference#buffer, joined the same way when the page is
 * written); should that change, the guard makes it a no-op and only memory
 * use grows.
 */
function compactPage(pdf: PDFKit.PDFDocument): void {
  const content = (pdf.page as unknown as { content?: { buffer?: unknown } }).content;
  if (content && Array.isArray(content.buffer) && content.buffer.length > 1) {
    content.buffer = [Buffer.concat(content.buffer as Uint8Array[])];
  }
}
