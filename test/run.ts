/**
 * `npm test` runs this after the type check and the linters: it starts a
 * PostgreSQL server (unless PARAPET_TEST_POSTGRES_URL points at one), then runs
 * the whole suite with node's test runner. Every test that touches a database
 * runs once on SQLite and once on that PostgreSQL.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startPostgres } from './support/postgres-server.ts';

// Each run keeps its state in its own directory; runs older than a day are removed.
const STATE_ROOT = '.test-state';
mkdirSync(STATE_ROOT, { recursive: true });
for (const entry of readdirSync(STATE_ROOT)) {
  const path = join(STATE_ROOT, entry);
  if (Date.now() - statSync(path).mtimeMs > 86_400_000) rmSync(path, { recursive: true, force: true });
}
const stateDir = join(STATE_ROOT, `run-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`);
mkdirSync(stateDir, { recursive: true });

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
    env: {
      ...process.env,
      PARAPET_TEST_POSTGRES_URL: external ?? server?.url,
      PARAPET_TEST_STATE_DIR: stateDir,
    },
  },
);
server?.stop();
process.exit(result.status ?? 1);
