/**
 * Streaming .xlsx writer for exports: rows go straight into the zip as
 * SpreadsheetML, one zip entry per sheet, so memory stays flat however many
 * rows there are. The main thread only builds XML text; deflate runs in
 * libuv's thread pool (see zip-writer.ts).
 *
 * Cells are inline strings (no shared-strings table to keep), numbers, and
 * dates as Excel serial numbers styled `yyyy-mm-dd hh:mm:ss`. Each sheet has
 * a bold, frozen header row with an autoFilter; past `maxRowsPerSheet` rows
 * (or, with huge cells, before a sheet's XML reaches 3.5 GiB, as a zip entry
 * must stay below 4 GiB) the writer rolls over to a new sheet with the same
 * header.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  appXml,
  columnLetters,
  contentTypesXml,
  coreXml,
  DATE_STYLE,
  escapeCellText,
  hasEdgeSpace,
  rootRelsXml,
  sheetHead,
  sheetName,
  sheetTail,
  stylesXml,
  workbookRelsXml,
  workbookXml,
  type SheetEntry,
} from './spreadsheet-xml.ts';
import { makeZipWriter, type ZipEntry } from './zip-writer.ts';

/** A cell: text, a number, or (in a 'date' column) epoch milliseconds. null/undefined = empty cell. */
export type CellValue = string | number | null | undefined;

export interface XlsxColumn {
  header: string;
  /** characters */
  width: number;
  type: 'text' | 'number' | 'date';
}

export interface XlsxWriterOptions {
  columns: readonly XlsxColumn[];
  /**
   * Name of the first sheet; later sheets are "<name> (2)", "<name> (3)", … (≤ 31 chars, no []:*?/\ ).
   * A name breaking those rules is mended: such characters become "_", it is shortened to fit.
   */
  sheetName: string;
  /** Where the .xlsx bytes go, e.g. fs.createWriteStream(tmpFile). The writer ends it. */
  output: NodeJS.WritableStream;
  /** Data rows per sheet before rolling over to a new sheet. (Default: 1,048,575 — Excel's 1,048,576 rows minus the header) */
  maxRowsPerSheet?: number;
  /** Minutes east of UTC for an epoch-ms date. (Default: the server's local zone at that instant, i.e. -new Date(ms).getTimezoneOffset()) */
  utcOffsetMinutes?: (epochMs: number) => number;
  /** zlib deflate level. (Default: 1 — exports are read once; speed matters more than size) */
  compressionLevel?: number;
}

export interface XlsxWriter {
  /**
   * Appends rows (each in column order). Resolves when the writer can take more: honour backpressure,
   * never buffer unboundedly. Await each call before the next; a call made while one is pending rejects.
   */
  writeRows(rows: readonly (readonly CellValue[])[]): Promise<void>;
  /** Writes the remaining parts and resolves once `output` has finished (all bytes flushed, stream closed). */
  finish(): Promise<{ rows: number; sheets: number }>;
  /** Stops writing, destroys the output; for a failed/cancelled export. */
  abort(reason?: unknown): void;
}

const EXCEL_MAX_DATA_ROWS = 1_048_575;
const EXCEL_MAX_COLUMNS = 16_384;
/** Bytes of row XML gathered before one write to the sheet entry. */
const CHUNK_BYTES = 64 * 1024;
/** A sheet's XML rolls over to the next sheet past this, well below a zip entry's 4 GiB. */
const MAX_SHEET_BYTES = 3.5 * 2 ** 30;
/** Room for a cell's markup and a number's digits. */
const CELL_MARKUP_BYTES = 128;
const MS_PER_DAY = 86_400_000;
/** Excel's serial number of 1970-01-01. */
const UNIX_EPOCH_SERIAL = 25_569;

// The markup around values, encoded once.
const ascii = (text: string): Buffer => Buffer.from(text, 'latin1');
const ROW_OPEN = ascii('<row r="');
const ROW_OPEN_END = ascii('">');
const ROW_CLOSE = ascii('</row>');
const TEXT_OPEN = ascii('" t="inlineStr"><is><t>');
const TEXT_OPEN_PRESERVE = ascii('" t="inlineStr"><is><t xml:space="preserve">');
const TEXT_CLOSE = ascii('</t></is></c>');
const NUMBER_OPEN = ascii('"><v>');
const DATE_OPEN = ascii(`" s="${DATE_STYLE}"><v>`);
const VALUE_CLOSE = ascii('</v></c>');

function localOffsetMinutes(epochMs: number): number {
  return -new Date(epochMs).getTimezoneOffset();
}

export function makeXlsxWriter(options: XlsxWriterOptions): XlsxWriter {
  const { columns, output } = options;
  const maxRowsPerSheet = options.maxRowsPerSheet ?? EXCEL_MAX_DATA_ROWS;
  const utcOffsetMinutes = options.utcOffsetMinutes ?? localOffsetMinutes;
  const compressionLevel = options.compressionLevel ?? 1;
  if (columns.length < 1 || columns.length > EXCEL_MAX_COLUMNS) {
    throw new RangeError(`an xlsx sheet has 1 to ${EXCEL_MAX_COLUMNS} columns, not ${columns.length}`);
  }
  if (!Number.isInteger(maxRowsPerSheet) || maxRowsPerSheet < 1 || maxRowsPerSheet > EXCEL_MAX_DATA_ROWS) {
    throw new RangeError(`maxRowsPerSheet must be an integer from 1 to ${EXCEL_MAX_DATA_ROWS}`);
  }

  const columnCount = columns.length;
  const isDate = columns.map((column) => column.type === 'date');
  // `<c r="B` of each column: the row number and the rest of the cell follow.
  const cellOpen = columns.map((_, i) => ascii(`<c r="${columnLetters(i)}`));

  const created = new Date();
  const zip = makeZipWriter({ output, compressionLevel, mtime: created });

  const sheets: SheetEntry[] = [];
  let sheetRows = 0;
  let sheetBytes = 0;
  let totalRows = 0;
  // Rows are encoded piece by piece straight into this buffer: building them
  // as strings first made so much garbage that V8 grew its young generation
  // to 128 MiB.
  let chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  let used = 0;
  const rowDigits = Buffer.alloc(16);
  let rowDigitCount = 0;
  /** A chunk went to the sheet since writeRows last let the event loop turn. */
  let chunkWritten = false;
  /** The sheet stream asked for a 'drain' before more. */
  let mustWait = false;
  let failure: Error | undefined;
  let busy = false;
  let finished = false;
  let sheet = startSheet();

  function startSheet(): ZipEntry {
    const number = sheets.length + 1;
    sheets.push({ name: sheetName(options.sheetName, number === 1 ? '' : ` (${number})`), dataRows: 0 });
    const entry = zip.openEntry(`xl/worksheets/sheet${number}.xml`);
    const head = Buffer.from(sheetHead(columns, number === 1));
    sheetBytes = head.length;
    entry.write(head);
    return entry;
  }

  async function endSheet(): Promise<void> {
    sheets[sheets.length - 1]!.dataRows = sheetRows;
    flush();
    sheet.write(Buffer.from(sheetTail(columnCount, sheetRows)));
    await sheet.end();
    mustWait = false;
  }

  /** Hands the chunk to the sheet entry. */
  function flush(): void {
    if (used === 0) return;
    const full = chunk.subarray(0, used);
    chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    used = 0;
    writeToSheet(full);
  }

  function writeToSheet(bytes: Buffer): void {
    sheetBytes += bytes.length;
    if (!sheet.write(bytes)) mustWait = true;
    chunkWritten = true;
  }

  function reserve(bytes: number): void {
    if (used + bytes > CHUNK_BYTES) flush();
  }

  function put(bytes: Buffer): void {
    chunk.set(bytes, used);
    used += bytes.length;
  }

  /** Writes text that reserve() has made room for. */
  function putText(text: string): void {
    used += chunk.write(text, used);
  }

  /** Copies the row number's digits, which go into every cell reference. */
  function putRowDigits(): void {
    for (let k = 0; k < rowDigitCount; k++) chunk[used + k] = rowDigits[k]!;
    used += rowDigitCount;
  }

  function putRow(row: readonly CellValue[], rowNumber: number): void {
    rowDigitCount = rowDigits.write(String(rowNumber), 'latin1');
    reserve(CELL_MARKUP_BYTES);
    put(ROW_OPEN);
    putRowDigits();
    put(ROW_OPEN_END);
    for (let i = 0; i < columnCount; i++) {
      const value = row[i];
      if (value === null || value === undefined || value === '') continue;
      if (typeof value === 'number') {
        const number = isDate[i]
          ? (value + utcOffsetMinutes(value) * 60_000) / MS_PER_DAY + UNIX_EPOCH_SERIAL
          : value;
        if (!Number.isFinite(number)) continue;
        reserve(CELL_MARKUP_BYTES);
        put(cellOpen[i]!);
        putRowDigits();
        put(isDate[i] ? DATE_OPEN : NUMBER_OPEN);
        putText(String(number));
        put(VALUE_CLOSE);
      } else {
        const xml = escapeCellText(String(value));
        // A UTF-16 code unit takes at most 3 bytes in UTF-8.
        const bytes = xml.length * 3;
        reserve(CELL_MARKUP_BYTES + bytes);
        put(cellOpen[i]!);
        putRowDigits();
        put(hasEdgeSpace(xml) ? TEXT_OPEN_PRESERVE : TEXT_OPEN);
        if (CELL_MARKUP_BYTES + bytes <= CHUNK_BYTES) {
          putText(xml);
        } else {
          flush();
          writeToSheet(Buffer.from(xml));
        }
        put(TEXT_CLOSE);
      }
    }
    reserve(CELL_MARKUP_BYTES);
    put(ROW_CLOSE);
  }

  function fail(error: unknown): void {
    if (failure) return;
    failure = error instanceof Error ? error : new Error('xlsx export aborted', { cause: error });
    zip.abort(failure);
  }

  async function waitForSheet(): Promise<void> {
    if (mustWait) {
      await sheet.drained();
    } else {
      // Deflate runs in the thread pool but needs the event loop to hand it
      // each next piece: let it, or it idles while rows are encoded.
      await nextTurn();
    }
    mustWait = false;
    chunkWritten = false;
    if (failure) throw failure;
  }

  function checkUsable(): void {
    if (failure) throw failure;
    if (finished) throw new Error('the xlsx writer is finished');
    if (busy) throw new Error('the previous writeRows() has not resolved yet');
  }

  return {
    async writeRows(rows) {
      checkUsable();
      busy = true;
      try {
        for (const row of rows) {
          if (sheetRows === maxRowsPerSheet || sheetBytes + used > MAX_SHEET_BYTES) {
            await endSheet();
            sheet = startSheet();
            sheetRows = 0;
          }
          sheetRows++;
          totalRows++;
          putRow(row, sheetRows + 1);
          if (mustWait || chunkWritten) await waitForSheet();
        }
      } finally {
        busy = false;
      }
    },

    async finish() {
      checkUsable();
      finished = true;
      try {
        await endSheet();
        const parts: [string, string][] = [
          ['[Content_Types].xml', contentTypesXml(sheets.length)],
          ['_rels/.rels', rootRelsXml],
          ['docProps/app.xml', appXml],
          ['docProps/core.xml', coreXml(created)],
          ['xl/workbook.xml', workbookXml(columnCount, sheets)],
          ['xl/_rels/workbook.xml.rels', workbookRelsXml(sheets.length)],
          ['xl/styles.xml', stylesXml],
        ];
        for (const [name, xml] of parts) await zip.addBuffer(name, Buffer.from(xml));
        await zip.finish();
      } catch (error) {
        fail(error);
        throw failure ?? error;
      }
      return { rows: totalRows, sheets: sheets.length };
    },

    abort(reason) {
      fail(reason ?? new Error('xlsx export aborted'));
    },
  };
}
