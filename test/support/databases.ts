/**
 * One suite, both databases: `forEachDatabase` hands a test a fresh, migrated
 * database of each backend. SQLite files and PostgreSQL databases are named
 * after the test file and kept for inspection (`.test-state/run-…/`, or the test
 * server until the run ends).
 */
import { randomBytes } from 'node:crypto';
import { basename, resolve } from 'node:path';
import pg from 'pg';
import { openDatabase, type Database, type Dialect } from '../../src/persistence/database.ts';
import { migrate } from '../../src/persistence/migrate.ts';
import { testStateDir } from './state-dir.ts';

export const dialects: Dialect[] = ['sqlite', 'postgres'];

/** A URL for a new, empty database of the given backend. */
export async function createDatabaseUrl(dialect: Dialect, label: string): Promise<string> {
  const name = `${basename(label).replace(/\W+/g, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  if (dialect === 'sqlite') {
    return resolve(testStateDir(), `${name}.db`);
  }
  const adminUrl = process.env.PARAPET_TEST_POSTGRES_URL;
  if (!adminUrl) throw new Error('PARAPET_TEST_POSTGRES_URL is not set: run the suite with `npm test`.');
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Opens a new migrated database; the caller closes it. */
export async function openTestDatabase(dialect: Dialect, label: string): Promise<Database> {
  const db = await openDatabase({ url: await createDatabaseUrl(dialect, label) });
  await migrate(db);
  return db;
}
