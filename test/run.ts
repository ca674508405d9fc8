/**
 * `npm test` runs this after the type check and the linters: it starts a
 * PostgreSQL server (unless PARAPET_TEST_POSTGRES_URL points at one), then runs
 * the whole suite with node's test runner. Every test that touches a database
 * runs once on SQLite and once on that PostgreSQL.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { startPostgres } from './support/postgres-server.ts';

rmSync('.test-state', { recursive: true, force: true });
mkdirSync('.test-state', { recursive: true });

const external = process.env.PARAPET_TEST_POSTGRES_URL;
const server = external ? undefined : await startPostgres();
const files = process.argv.slice(2);
const result = spawnSync(
  process.execPath,
  [
    '--test',
    '--test-concurrency=2',
    '--test-timeout=300000',
    ...(files.length > 0 ? files : ['src/**/*.test.ts', 'test/**/*.test.ts']),
  ],
  {
    stdio: 'inherit',
    env: { ...process.env, PARAPET_TEST_POSTGRES_URL: external ?? server?.url },
  },
);
server?.stop();
process.exit(result.status ?? 1);
