/**
 * Many rows into one table, fast on both backends: multi-row INSERTs on
 * SQLite; on PostgreSQL one `INSERT … SELECT FROM unnest(…)` with an array per
 * column, which it parses far faster than thousands of placeholders.
 */
import type { Queryable, SqlValue } from './database.ts';

export interface BulkTable {
  name: string;
  /** Each column with its PostgreSQL array element type. */
  columns: readonly (readonly [string, 'bigint' | 'text' | 'float8'])[];
}

/**
 * Rows per multi-row INSERT on SQLite. Every statement text is prepared and
 * kept, so statements have this size or one row: a few texts per table, not
 * one for every batch's remainder.
 */
const ROWS_PER_STATEMENT = 128;

/** Inserts `rows` (values in the table's column order). */
export async function insertRows(
  tx: Queryable,
  table: BulkTable,
  rows: readonly SqlValue[][],
): Promise<void> {
  if (rows.length === 0) return;
  const names = table.columns.map(([name]) => name).join(', ');
  if (tx.dialect === 'postgres') {
    const arrays = table.columns.map(([, type]) => `?::${type}[]`).join(', ');
    const params = table.columns.map((_, column) => arrayLiteral(rows, column));
    await tx.run(`INSERT INTO ${table.name} (${names}) SELECT * FROM unnest(${arrays})`, params);
    return;
  }
  const row = `(${table.columns.map(() => '?').join(', ')})`;
  const insert = (n: number) =>
    `INSERT INTO ${table.name} (${names}) VALUES ${Array(n).fill(row).join(', ')}`;
  let start = 0;
  for (; start + ROWS_PER_STATEMENT <= rows.length; start += ROWS_PER_STATEMENT) {
    await tx.run(insert(ROWS_PER_STATEMENT), rows.slice(start, start + ROWS_PER_STATEMENT).flat());
  }
  for (const one of rows.slice(start)) await tx.run(insert(1), one);
}

/** A PostgreSQL array literal of one column; every string is quoted, so only `"` and `\` need escaping. */
export function arrayLiteral(rows: readonly SqlValue[][], column: number): string {
  let text = '{';
  for (let i = 0; i < rows.length; i++) {
    const value = rows[i]![column]!;
    if (i > 0) text += ',';
    if (value === null) text += 'NULL';
    else if (typeof value === 'number') text += String(value);
    else text += `"${value.replace(/["\\]/g, '\\$&')}"`;
  }
  return `${text}}`;
}
