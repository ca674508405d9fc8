/**
 * What an export reads: its sheet, its columns in both languages, a snapshot
 * taken when the export is asked for, and keyset pages of cells up to it.
 */
import type { ExportLang } from '../../domain/exports.ts';
import type { CellValue, XlsxColumn } from '../../formats/xlsx-writer.ts';
import type { Queryable } from '../../persistence/database.ts';
import type { FindingsSnapshot, KeysetSlice } from '../../persistence/vulnerability-export.ts';

export type Localized = Record<ExportLang, string>;

export interface ExportColumn extends Omit<XlsxColumn, 'header'> {
  header: Localized;
}

/** A text column; `width` in characters. */
export const textColumn = (zh: string, en: string, width = 18): ExportColumn => ({
  header: { zh, en },
  width,
  type: 'text',
});
export const numberColumn = (zh: string, en: string): ExportColumn => ({
  header: { zh, en },
  width: 12,
  type: 'number',
});
export const dateColumn = (zh: string, en: string): ExportColumn => ({
  header: { zh, en },
  width: 20,
  type: 'date',
});

export interface ExportSource {
  sheetName: Localized;
  columns: readonly ExportColumn[];
  snapshot(db: Queryable, tenantId: number): Promise<FindingsSnapshot>;
  /** Pages of cells in a stable order, of the rows with ids up to the snapshot's maxId. */
  pages(db: Queryable, tenantId: number, maxId: number, lang: ExportLang): AsyncIterable<CellValue[][]>;
}

/** Rows per database read. */
export const PAGE_ROWS = 500;

/**
 * Walks a keyset: reads the rows after the last id seen, up to maxId, until
 * a read comes back empty; each read is one page of cells.
 */
export async function* keysetPages<R extends { id: number }>(
  maxId: number,
  read: (slice: KeysetSlice) => Promise<readonly R[]>,
  cells: (row: R) => CellValue[],
): AsyncGenerator<CellValue[][]> {
  let afterId = 0;
  for (;;) {
    const rows = await read({ afterId, maxId, limit: PAGE_ROWS });
    const last = rows.at(-1);
    if (!last) return;
    yield rows.map(cells);
    afterId = last.id;
  }
}

export function localizeColumns(columns: readonly ExportColumn[], lang: ExportLang): XlsxColumn[] {
  return columns.map((column) => ({ ...column, header: column.header[lang] }));
}
