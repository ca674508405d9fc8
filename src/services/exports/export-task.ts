/**
 * The export task: keyset pages → streaming .xlsx writer (inside a .zip for
 * HSS) → temporary file (hashed as it is written) → artifact store → task succeeded, in that order, so a half-written
 * file is never visible. A crashed attempt leaves only its temporary file; the
 * next attempt starts again and overwrites the same storage key.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ExportParams, ExportResult, ExportSpec } from '../../domain/exports.ts';
import { defineTaskKind, type TaskContext, type TaskKind } from '../../engine/index.ts';
import { makeXlsxWriter, type CellValue } from '../../formats/xlsx-writer.ts';
import { makeZipWriter } from '../../formats/zip-writer.ts';
import { artifactKey, recordArtifact } from '../artifacts.ts';
import { makeDigestStream } from '../../storage/checks.ts';
import type { AppContext } from '../context.ts';
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

interface WrittenFile {
  rows: number;
  size: number;
  sha256: string;
}

/**
 * Writes the source's rows up to the snapshot into `file`, hashing the bytes
 * on their way to it (no second read of the file).
 */
async function writeWorkbook(
  app: AppContext,
  params: ExportParams,
  ctx: TaskContext<ExportResult>,
  file: string,
): Promise<WrittenFile> {
  const source = exportSource(params.spec);
  const digest = makeDigestStream();
  const saved = pipeline(digest, createWriteStream(file));
  saved.catch(() => undefined); // awaited below; an aborted writer rejects it first
  const envelope =
    params.packaging === 'zip' ? zipEnvelope(digest, workbookName(params.fileName)) : undefined;
  const writer = makeXlsxWriter({
    columns: localizeColumns(source.columns, params.lang),
    sheetName: source.sheetName[params.lang],
    output: envelope?.input ?? digest,
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
    await saved;
    // Rows deleted (or no longer matching) since the snapshot are not in the
    // file: the total shown from now on is what the file holds.
    ctx.reportProgress(rows, rows);
    return { rows, ...digest.digest() };
  } catch (err) {
    writer.abort(err);
    envelope?.abort(err instanceof Error ? err : new Error('export aborted', { cause: err }));
    throw err;
  }
}

/** Removes what earlier attempts of this task left in the temporary directory when their worker died here. */
async function removeEarlierAttempts(prefix: string): Promise<void> {
  for (const name of await readdir(tmpdir())) {
    if (name.startsWith(prefix)) await rm(join(tmpdir(), name), { recursive: true, force: true });
  }
}

async function runExport(
  app: AppContext,
  params: ExportParams,
  ctx: TaskContext<ExportResult>,
): Promise<ExportResult> {
  const prefix = `parapet-export-${ctx.taskId}-`;
  await removeEarlierAttempts(prefix);
  const dir = await mkdtemp(join(tmpdir(), prefix));
  try {
    const contentType = params.packaging === 'zip' ? ZIP_CONTENT_TYPE : XLSX_CONTENT_TYPE;
    const file = join(dir, 'export');
    const started = performance.now();
    const { rows, size, sha256 } = await writeWorkbook(app, params, ctx, file);
    const written = performance.now();
    const storageKey = artifactKey(ctx.tenantId, ctx.taskId, params.fileName);
    ctx.signal.throwIfAborted();
    await app.store.put(storageKey, file, { contentType, size, sha256 });
    ctx.log.info('export stored', {
      rows,
      size,
      storageKey,
      writeMs: Math.round(written - started),
      storeMs: Math.round(performance.now() - written),
    });
    return await ctx.commit(async (tx) => {
      const artifact = await recordArtifact(tx, app, {
        tenantId: ctx.tenantId,
        taskId: ctx.taskId,
        storageKey,
        fileName: params.fileName,
        contentType,
        size,
        sha256,
      });
      return { artifactId: artifact.id, fileName: params.fileName, rows, size, sha256 };
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
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
