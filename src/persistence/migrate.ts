import { readdirSync, readFileSync } from 'node:fs';
import type { Database } from './database.ts';

const migrationsDir = new URL('./migrations/', import.meta.url);
// Any constant works; it only has to be the same for every Parapet node.
const MIGRATION_LOCK_ID = 7_271_001;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The numbered migrations of one backend, in order (`NNNN-name.sql`). */
export function loadMigrations(dialect: Database['dialect']): Migration[] {
  const dir = new URL(`${dialect}/`, migrationsDir);
  return readdirSync(dir)
    .filter((file) => /^\d{4}-[\w-]+\.sql$/.test(file))
    .sort()
    .map((file) => ({
      version: Number(file.slice(0, 4)),
      name: file.slice(5, -4),
      sql: readFileSync(new URL(file, dir), 'utf8'),
    }));
}

/**
 * Brings the schema up to date. Safe to run from several nodes at once: on
 * PostgreSQL an advisory lock serialises them, on SQLite the write lock does.
 * Returns the versions it applied.
 */
export async function migrate(db: Database): Promise<number[]> {
  const migrations = loadMigrations(db.dialect);
  return db.withTransaction(async (tx) => {
    if (tx.dialect === 'postgres') {
      await tx.run('SELECT pg_advisory_xact_lock(?)', [MIGRATION_LOCK_ID]);
    }
    await tx.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
    );
    const rows = await tx.all<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((row) => row.version));
    const done: number[] = [];
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      await tx.exec(migration.sql);
      await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
        migration.version,
        migration.name,
        Date.now(),
      ]);
      done.push(migration.version);
    }
    return done;
  });
}
