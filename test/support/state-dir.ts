/**
 * Where a test run keeps its files (SQLite databases, data dirs) for
 * inspection: `.test-state/run-…`, one directory per `test/run.ts`, so two
 * runs in one checkout do not clear each other's state.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

export function testStateDir(): string {
  const dir = resolve(process.env.PARAPET_TEST_STATE_DIR ?? '.test-state/adhoc');
  mkdirSync(dir, { recursive: true });
  return dir;
}
