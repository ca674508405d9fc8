/**
 * Text for report-pdf.ts: fonts, line wrapping and drawing.
 *
 * Fonts: Noto Sans SC from @fontsource/noto-sans-sc. Its Simplified Chinese
 * cut (regular and bold, 1.5 MB each as .woff, which fontkit reads) holds
 * some 7,900 characters: common hanzi, CJK punctuation, ASCII and Latin-1. A
 * character it lacks (a traditional or rare hanzi, Latin Extended, Cyrillic,
 * an arrow) is drawn from whichever other Fontsource slice of Noto Sans SC
 * covers it (per unicode.json), loaded on first use. pdfkit embeds only the
 * glyphs used. The .woff files are unpacked to plain TrueType once per
 * process (woffToSfnt): fontkit reads .woff too, but inflates the whole glyph
 * table again for every glyph it reads (20 s instead of 0.3 s for a report
 * with a 300-row table).
 *
 * Wrapping is done here rather than by pdfkit, because pdfkit cannot wrap a
 * line made of runs in different fonts and cannot tell a row's height before
 * drawing it. Lines break at spaces and between CJK characters (closing
 * punctuation stays with the character before it); a word wider than the
 * line is split between characters.
 */
import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { create as openFont } from 'fontkit';

export type Weight = 'regular' | 'bold';

export interface TextStyle {
  size: number;
  weight?: Weight;
  /** Lines beyond this are dropped, the last one ending in "…" (default: no limit). */
  maxLines?: number;
}

/** One line of laid-out text: runs of one font each, `width` in points. */
export interface TextLine {
  runs: { font: string; text: string; width: number }[];
  width: number;
}

export interface TextDrawOptions {
  size: number;
  color: string;
  lineHeight: number;
  align?: 'left' | 'right';
  /** The box width, for right alignment. */
  width?: number;
}

/** Line height as a multiple of the font size. */
export const LINE_HEIGHT = 1.45;
/** Baseline of a line's first row below its top, as a multiple of the font size. */
const BASELINE = 1.1;
const WEIGHTS: Record<Weight, number> = { regular: 400, bold: 700 };
const PRIMARY_SUBSET = 'chinese-simplified';
/** Closing punctuation never starts a line. */
const CLOSING = new Set('，。、；：！？）」』】》〉”’,.;:!?)]}%…·');

/** The package's directory (its exports map lets LICENSE resolve, not the font files). */
const fontPackage = new URL('./', import.meta.resolve('@fontsource/noto-sans-sc/LICENSE'));
const fileCache = new Map<string, Buffer>();

function fontFile(subset: string, weight: Weight): Buffer {
  const name = `noto-sans-sc-${subset}-${WEIGHTS[weight]}-normal.woff`;
  let file = fileCache.get(name);
  if (!file) {
    file = woffToSfnt(readFileSync(new URL(`files/${name}`, fontPackage)));
    fileCache.set(name, file);
  }
  return file;
}

/** Unpacks a WOFF 1.0 font into the TrueType/OpenType file it wraps (zlib per table). */
export function woffToSfnt(woff: Buffer): Buffer {
  if (woff.toString('latin1', 0, 4) !== 'wOFF') throw new Error('not a WOFF font');
  const count = woff.readUInt16BE(12);
  const tables = Array.from({ length: count }, (_, i) => {
    const entry = 44 + i * 20;
    const offset = woff.readUInt32BE(entry + 4);
    const compressed = woff.readUInt32BE(entry + 8);
    const length = woff.readUInt32BE(entry + 12);
    const raw = woff.subarray(offset, offset + compressed);
    return {
      tag: woff.subarray(entry, entry + 4),
      checksum: woff.readUInt32BE(entry + 16),
      data: compressed < length ? inflateSync(raw) : raw,
    };
  });
  const parts: Buffer[] = [];
  const head = Buffer.alloc(12 + 16 * count);
  const power = 2 ** Math.floor(Math.log2(count));
  head.writeUInt32BE(woff.readUInt32BE(4), 0); // the sfnt version ("flavor")
  head.writeUInt16BE(count, 4);
  head.writeUInt16BE(power * 16, 6);
  head.writeUInt16BE(Math.log2(power), 8);
  head.writeUInt16BE(count * 16 - power * 16, 10);
  let offset = head.length;
  tables.forEach((table, i) => {
    const record = 12 + i * 16;
    table.tag.copy(head, record);
    head.writeUInt32BE(table.checksum, record + 4);
    head.writeUInt32BE(offset, record + 8);
    head.writeUInt32BE(table.data.length, record + 12);
    const padded = Buffer.alloc((table.data.length + 3) & ~3);
    table.data.copy(padded);
    parts.push(padded);
    offset += padded.length;
  });
  return Buffer.concat([head, ...parts]);
}

let primaryCoverage: Set<number> | undefined;
/** Code points of the primary cut (the same in both weights). */
function coverage(): Set<number> {
  if (!primaryCoverage) {
    const font = openFont(fontFile(PRIMARY_SUBSET, 'regular'));
    if (!('characterSet' in font)) throw new Error('Noto Sans SC: expected a font, found a collection');
    primaryCoverage = new Set(font.characterSet);
  }
  return primaryCoverage;
}

let slices: { subset: string; ranges: [number, number][] }[] | undefined;
/** The other slices with their unicode ranges, from Fontsource's unicode.json. */
function otherSlices(): { subset: string; ranges: [number, number][] }[] {
  if (!slices) {
    const unicode = readFileSync(new URL('unicode.json', fontPackage), 'utf8');
    const json = JSON.parse(unicode) as Record<string, string>;
    slices = Object.entries(json).map(([key, ranges]) => ({
      subset: key.replace(/^\[(\d+)\]$/, '$1'),
      ranges: ranges.split(',').map((range): [number, number] => {
        const [from = '0', to = from] = range.trim().replace(/^U\+/i, '').split('-');
        return [parseInt(from, 16), parseInt(to, 16)];
      }),
    }));
  }
  return slices;
}

/**
 * Draws text in one document with Noto Sans SC: `layout` wraps, `draw` draws
 * what `layout` returned. Registers the fonts with the document.
 */
export class PdfText {
  readonly #pdf: PDFKit.PDFDocument;
  /** Fallback font names by weight and code point; undefined where no slice covers it. */
  readonly #fallbacks = new Map<string, string | undefined>();

  constructor(pdf: PDFKit.PDFDocument) {
    this.#pdf = pdf;
    pdf.registerFont('regular', fontFile(PRIMARY_SUBSET, 'regular'));
    pdf.registerFont('bold', fontFile(PRIMARY_SUBSET, 'bold'));
  }

  /** Wraps `text` into lines no wider than `width`; an empty text is no lines. */
  layout(text: string, width: number, style: TextStyle): TextLine[] {
    const weight = style.weight ?? 'regular';
    const lines: TextLine[] = [];
    for (const paragraph of text.split(/\r?\n/)) {
      // Most cells: one font, one line.
      const whole = this.#singleRun(weight, style.size, paragraph);
      if (whole && whole.width <= width) {
        lines.push({ runs: whole.width > 0 ? [whole] : [], width: whole.width });
        continue;
      }
      let line: TextLine = { runs: [], width: 0 };
      let pendingSpace = 0;
      for (const token of tokens(paragraph)) {
        if (/^\s+$/.test(token)) {
          if (line.runs.length > 0) pendingSpace += this.#measure(weight, style.size, ' ');
          continue;
        }
        const runs = this.#runs(weight, style.size, token);
        const tokenWidth = runs.reduce((sum, run) => sum + run.width, 0);
        if (line.runs.length > 0 && line.width + pendingSpace + tokenWidth > width) {
          lines.push(line);
          line = { runs: [], width: 0 };
          pendingSpace = 0;
        }
        if (pendingSpace > 0) append(line, { font: weight, text: ' ', width: pendingSpace });
        pendingSpace = 0;
        if (tokenWidth <= width) {
          for (const run of runs) append(line, run);
          continue;
        }
        // A word wider than the line: character by character.
        for (const char of token) {
          const [run] = this.#runs(weight, style.size, char);
          if (!run) continue;
          if (line.runs.length > 0 && line.width + run.width > width) {
            lines.push(line);
            line = { runs: [], width: 0 };
          }
          append(line, run);
        }
      }
      if (line.runs.length > 0 || lines.length > 0) lines.push(line);
    }
    while (lines.length > 0 && lines[lines.length - 1]?.runs.length === 0) lines.pop();
    if (style.maxLines !== undefined && lines.length > style.maxLines) {
      lines.length = style.maxLines;
      const last = lines[lines.length - 1];
      if (last) this.#ellipsis(last, weight, style.size, width);
    }
    return lines;
  }

  /** Draws lines with their top at `y`; returns the y below the last line. */
  draw(lines: TextLine[], x: number, y: number, options: TextDrawOptions): number {
    this.#pdf.fillColor(options.color);
    lines.forEach((line, i) => {
      const baseline = y + i * options.lineHeight + (options.lineHeight - options.size * LINE_HEIGHT) / 2;
      let runX =
        options.align === 'right' && options.width !== undefined ? x + options.width - line.width : x;
      for (const run of line.runs) {
        this.#pdf
          .font(run.font)
          .fontSize(options.size)
          .text(run.text, runX, baseline + options.size * BASELINE, {
            lineBreak: false,
            baseline: 'alphabetic',
          });
        runX += run.width;
      }
    });
    return y + lines.length * options.lineHeight;
  }

  #measure(font: string, size: number, text: string): number {
    return this.#pdf.font(font).fontSize(size).widthOfString(text);
  }

  /** Splits a token into runs by font: primary where it has the glyph, else a fallback slice. */
  #runs(weight: Weight, size: number, token: string): TextLine['runs'] {
    const covered = coverage();
    const runs: TextLine['runs'] = [];
    let current: { font: string; text: string } | undefined;
    for (const char of token) {
      const code = char.codePointAt(0) ?? 0;
      const font = covered.has(code) ? weight : (this.#fallback(weight, code) ?? weight);
      if (current && current.font === font) current.text += char;
      else {
        if (current) runs.push({ ...current, width: this.#measure(current.font, size, current.text) });
        current = { font, text: char };
      }
    }
    if (current) runs.push({ ...current, width: this.#measure(current.font, size, current.text) });
    return runs;
  }

  #singleRun(weight: Weight, size: number, text: string): TextLine['runs'][number] | undefined {
    const covered = coverage();
    for (const char of text) if (!covered.has(char.codePointAt(0) ?? 0)) return undefined;
    return { font: weight, text, width: this.#measure(weight, size, text) };
  }

  #fallback(weight: Weight, code: number): string | undefined {
    const key = `${weight}:${code}`;
    if (this.#fallbacks.has(key)) return this.#fallbacks.get(key);
    const slice = otherSlices().find((s) => s.ranges.some(([from, to]) => code >= from && code <= to));
    let name: string | undefined;
    if (slice) {
      name = `${weight}-${slice.subset}`;
      this.#pdf.registerFont(name, fontFile(slice.subset, weight));
    }
    this.#fallbacks.set(key, name);
    return name;
  }

  /** Shortens a line until it fits with a trailing "…". */
  #ellipsis(line: TextLine, weight: Weight, size: number, width: number): void {
    const dots = this.#measure(weight, size, '…');
    while (line.runs.length > 0 && line.width + dots > width) {
      const run = line.runs[line.runs.length - 1];
      if (!run) break;
      const chars = [...run.text];
      chars.pop();
      line.width -= run.width;
      if (chars.length === 0) line.runs.pop();
      else {
        run.text = chars.join('');
        run.width = this.#measure(run.font, size, run.text);
        line.width += run.width;
      }
    }
    append(line, { font: weight, text: '…', width: dots });
  }
}

function append(line: TextLine, run: TextLine['runs'][number]): void {
  const last = line.runs[line.runs.length - 1];
  if (last && last.font === run.font) {
    last.text += run.text;
    last.width += run.width;
  } else line.runs.push({ ...run });
  line.width += run.width;
}

/** Break units: runs of spaces, single CJK characters, and words; closing punctuation joins the unit before it. */
function tokens(text: string): string[] {
  const result: string[] = [];
  for (const match of text.matchAll(
    /\s+|[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]|[^\s\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]+/gu,
  )) {
    const token = match[0];
    const previous = result[result.length - 1];
    const first = token[0] ?? '';
    if (previous !== undefined && !/^\s/.test(previous) && CLOSING.has(first) && [...token].length === 1) {
      result[result.length - 1] = previous + token;
    } else result.push(token);
  }
  return result;
}
