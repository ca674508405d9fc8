/**
 * The export task: keyset pages → streaming .xlsx writer (inside a .zip for
 * HSS) → produceFile (temporary file, hashed as written → artifact store →
 * task succeeded with its artifact; see produced-file.ts for the crash rules).
 */
import { Writable } from 'node:stream';
import type { ExportParams, ExportResult, ExportSpec } from '../../domain/exports.ts';
import { defineTaskKind, type TaskContext, type TaskKind } from '../../engine/index.ts';
import { makeXlsxWriter, type CellValue } from '../../formats/xlsx-writer.ts';
import { makeZipWriter } from '../../formats/zip-writer.ts';
import type { AppContext } from '../context.ts';
import { produceFile } from '../produced-file.ts';
import { localizeColumns, type ExportSource } from './export-source.ts';
import { imageVulExportSource } from './image-vul-export.ts';
import { RECORD_SOURCES } from './record-export.ts';
import { vulExportSource } from './vul-export.ts';

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const ZIP_CONTENT_TYPE = 'application/zip';

export function exportSource(spec: ExportSpec): ExportSource {
  switch (spec.source) {
    case 'vul':
      return vulExportSource(spec.filter);
    case 'record':
      return RECORD_SOURCES[spec.type];
    case 'imageVul':
      return imageVulExportSource(spec.filter);
  }
}

/** The name of the .xlsx inside a zipped export: the zip's name with .xlsx. */
export function workbookName(fileName: string): string {
  return fileName.replace(/\.zip$/, '.xlsx');
}

interface Envelope {
  /** Where the .xlsx bytes go. */
  input: NodeJS.WritableStream;
  finish(): Promise<void>;
  abort(error: Error): void;
}

/**
 * A .zip holding one .xlsx, streamed: the workbook's bytes become the zip's
 * only entry as they are written. Stored at level 0 — the workbook is
 * deflated already.
 */
function zipEnvelope(output: NodeJS.WritableStream, entryName: string): Envelope {
  const zip = makeZipWriter({ output, compressionLevel: 0 });
  const entry = zip.openEntry(entryName);
  const input = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (entry.write(chunk)) callback();
      else entry.drained().then(() => callback(), callback);
    },
    final(callback) {
      entry.end().then(() => callback(), callback);
    },
  });
  return { input, finish: () => zip.finish(), abort: (error) => zip.abort(error) };
}

/** The part of a page still within the row cap. */
function capPage(page: CellValue[][], written: number, maxRows: number | undefined): CellValue[][] {
  return maxRows === undefined || written + page.length <= maxRows ? page : page.slice(0, maxRows - written);
}

/**
 * Writes the source's rows up to the snapshot (and the row cap) into
 * `output` as an .xlsx, or a .zip holding it; returns the row count.
 */
async function writeWorkbook(
  app: AppContext,
  params: ExportParams,
  ctx: TaskContext<ExportResult>,
  output: NodeJS.WritableStream,
): Promise<number> {
  const source = exportSource(params.spec);
  const envelope =
    params.packaging === 'zip' ? zipEnvelope(output, workbookName(params.fileName)) : undefined;
  const writer = makeXlsxWriter({
    columns: localizeColumns(source.columns, params.lang),
    sheetName: source.sheetName[params.lang],
    output: envelope?.input ?? output,
  });
  // Read the next page while this one is written: the database and the
  // writer (whose zlib runs in the thread pool) overlap.
  const pages = source.pages(app.db, ctx.tenantId, params.maxId, params.lang)[Symbol.asyncIterator]();
  const read = () => {
    const next = pages.next();
    next.catch(() => undefined); // awaited below; this only keeps an early rejection from going unhandled
    return next;
  };
  try {
    let rows = 0;
    let next = read();
    while (params.maxRows === undefined || rows < params.maxRows) {
      ctx.signal.throwIfAborted();
      const page = await next;
      if (page.done) break;
      next = read();
      const capped = capPage(page.value, rows, params.maxRows);
      await writer.writeRows(capped);
      rows += capped.length;
      ctx.reportProgress(rows);
    }
    await pages.return?.(); // closes the source early when the row cap stopped the loop
    await writer.finish();
    await envelope?.finish();
    // Rows deleted (or no longer matching) since the snapshot are not in the
    // file: the total shown from now on is what the file holds.
    ctx.reportProgress(rows, rows);
    return rows;
  } catch (err) {
    writer.abort(err);
    envelope?.abort(err instanceof Error ? err : new Error('export aborted', { cause: err }));
    throw err;
  }
}

function runExport(
  app: AppContext,
  params: ExportParams,
  ctx: TaskContext<ExportResult>,
): Promise<ExportResult> {
  return produceFile(
    app,
    ctx,
    {
      fileName: params.fileName,
      contentType: params.packaging === 'zip' ? ZIP_CONTENT_TYPE : XLSX_CONTENT_TYPE,
      label: 'export',
    },
    (output) => writeWorkbook(app, params, ctx, output),
    (artifact, rows) => ({
      artifactId: artifact.id,
      fileName: params.fileName,
      rows,
      size: artifact.size,
      sha256: artifact.sha256,
    }),
  );
}

export function makeExportTaskKind(app: AppContext): TaskKind<ExportParams, ExportResult> {
  return defineTaskKind<ExportParams, ExportResult>({
    kind: EXPORT_TASK_KIND,
    timeoutMs: 60 * 60_000,
    maxAttempts: 3,
    concurrency: 2,
    run: (params, ctx) => runExport(app, params, ctx),
  });
}

export const EXPORT_TASK_KIND = 'export';
