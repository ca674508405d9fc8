/**
 * Glossary.
 * - Export: a task that turns a filtered list (vulnerabilities, hosts, …) into
 *   an .xlsx file. Its file is an *artifact*, downloaded through a signed,
 *   expiring link.
 * - Export spec: what to export — the source and its filter — stored as the
 *   task's params, so any worker can run it.
 * - Snapshot: the row count and highest id when the export was asked for; the
 *   file holds exactly the rows that matched then (up to that id).
 */
import type { ImageVulExportFilter } from './images.ts';
import type { VulFilter } from './vulnerabilities.ts';

export const EXPORT_LANGS = ['zh', 'en'] as const;
export type ExportLang = (typeof EXPORT_LANGS)[number];

/**
 * The Sas `ExportRecord` types Parapet can export: hosts, the inventory agents
 * collect, and virus-scan events.
 */
export const RECORD_EXPORT_TYPES = [
  'assetInstance',
  'user',
  'port',
  'process',
  'software',
  'virusScanExport',
] as const;
export type RecordExportType = (typeof RECORD_EXPORT_TYPES)[number];

export type ExportSpec =
  | { source: 'vul'; filter: VulFilter }
  | { source: 'record'; type: RecordExportType }
  | { source: 'imageVul'; filter: ImageVulExportFilter };

/**
 * How the file is handed out: the .xlsx itself (Sas links), or the .xlsx
 * inside a .zip (HSS `ListDownloadExportedFile`).
 */
export type ExportPackaging = 'xlsx' | 'zip';

/** What a caller asks of an export besides its spec. */
export interface ExportOptions {
  lang: ExportLang;
  /** At most this many rows, the first ones in the source's order (HSS `export_size`). (Default: all) */
  maxRows?: number;
  /** (Default: 'xlsx') */
  packaging?: ExportPackaging;
}

export interface ExportParams {
  spec: ExportSpec;
  lang: ExportLang;
  /** The download's file name, with its extension. */
  fileName: string;
  /** The highest source id in the file (the snapshot); rows added later are not exported. */
  maxId: number;
  /** See ExportOptions; undefined = every row. */
  maxRows?: number;
  /** See ExportOptions; undefined = 'xlsx' (tasks queued before packaging existed). */
  packaging?: ExportPackaging;
}

/** What a finished export task holds as its result. */
export interface ExportResult {
  artifactId: number;
  fileName: string;
  rows: number;
  size: number;
  sha256: string;
}

/** At most this many exports of one tenant are queued or running at once. */
export const MAX_UNFINISHED_EXPORTS = 5;
