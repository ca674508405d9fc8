import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { openTestDatabase } from '../../test/support/databases.ts';
import type { Database } from './database.ts';
import { loadMigrations, migrate } from './migrate.ts';

interface LogicalColumn {
  name: string;
  type: 'integer' | 'real' | 'text';
  notNull: boolean;
}
type LogicalSchema = Record<string, LogicalColumn[]>;

// Both backends store integers as 64-bit (SQLite INTEGER, PostgreSQL BIGINT or
// SMALLINT for flags) and strings as TEXT; that is the logical schema.
function logicalType(declared: string): LogicalColumn['type'] {
  const type = declared.toLowerCase();
  if (/int/.test(type)) return 'integer';
  if (type === 'text') return 'text';
  if (type === 'real' || type === 'double precision') return 'real';
  throw new Error(`unexpected column type ${declared}`);
}

async function readSchema(db: Database): Promise<LogicalSchema> {
  const schema: LogicalSchema = {};
  if (db.dialect === 'sqlite') {
    const tables = await db.all<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    );
    for (const { name } of tables) {
      const columns = await db.all<{ name: string; type: string; notnull: number; pk: number }>(
        `SELECT name, type, "notnull", pk FROM pragma_table_info('${name}')`,
      );
      schema[name] = columns.map((c) => ({
        name: c.name,
        type: logicalType(c.type),
        notNull: c.notnull === 1 || c.pk > 0,
      }));
    }
  } else {
    const columns = await db.all<{
      table_name: string;
      column_name: string;
      data_type: string;
      is_nullable: string;
    }>(
      `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
       WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
    );
    for (const c of columns) {
      (schema[c.table_name] ??= []).push({
        name: c.column_name,
        type: logicalType(c.data_type),
        notNull: c.is_nullable === 'NO',
      });
    }
  }
  return Object.fromEntries(Object.entries(schema).sort(([a], [b]) => a.localeCompare(b)));
}

const snapshot = new URL('./schema.json', import.meta.url);
const committed = JSON.parse(readFileSync(snapshot, 'utf8')) as LogicalSchema;

test('both databases migrate to the committed logical schema', async () => {
  const sqlite = await openTestDatabase('sqlite', import.meta.filename);
  const postgres = await openTestDatabase('postgres', import.meta.filename);
  try {
    const fromSqlite = await readSchema(sqlite);
    const fromPostgres = await readSchema(postgres);
    assert.deepEqual(fromPostgres, fromSqlite);
    // After adding a migration: `PARAPET_UPDATE_SCHEMA=1 npm run test:only src/persistence/schema.test.ts`.
    if (process.env.PARAPET_UPDATE_SCHEMA === '1') {
      writeFileSync(snapshot, `${JSON.stringify(fromSqlite, null, 2)}\n`);
    } else {
      assert.deepEqual(fromSqlite, committed, 'src/persistence/schema.json is out of date (see above)');
    }
  } finally {
    await sqlite.close();
    await postgres.close();
  }
});

test('migrating twice applies nothing the second time', async () => {
  for (const dialect of ['sqlite', 'postgres'] as const) {
    const db = await openTestDatabase(dialect, import.meta.filename);
    try {
      assert.deepEqual(await migrate(db), []);
      const rows = await db.all<{ version: number }>(
        'SELECT version FROM schema_migrations ORDER BY version',
      );
      assert.deepEqual(
        rows.map((r) => r.version),
        loadMigrations(dialect).map((m) => m.version),
      );
    } finally {
      await db.close();
    }
  }
});
