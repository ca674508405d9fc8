/**
 * An AppContext for in-process tests: a local artifact store in the run's
 * state dir, a random server key, and a clock the test can move.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from '../../src/persistence/database.ts';
import { DEFAULT_AGENT_SETTINGS } from '../../src/services/agents.ts';
import type { AppContext } from '../../src/services/context.ts';
import type { Mailer } from '../../src/services/mailer.ts';
import { openArtifactStore, type StorageConfig } from '../../src/storage/artifact-store.ts';
import { testStateDir } from './state-dir.ts';

export type TestApp = AppContext & { clock: number };

export interface TestAppOptions {
  /** (Default: a local store in a new directory of the run's state dir) */
  storage?: StorageConfig;
  /** The clock's start, epoch ms. (Default: Date.now()) */
  now?: number;
  /** e.g. a makeMailer() pointed at startSmtpServer(). (Default: none) */
  mailer?: Mailer;
}

export async function makeTestApp(db: Database, options: TestAppOptions = {}): Promise<TestApp> {
  const storage = options.storage ?? { backend: 'local', dir: mkdtempSync(join(testStateDir(), 'store-')) };
  const app: TestApp = {
    db,
    store: await openArtifactStore(storage),
    serverKey: randomBytes(32),
    clock: options.now ?? Date.now(),
    now: () => app.clock,
    publicUrl: undefined,
    linkTtlMs: 3_600_000,
    artifactRetentionMs: 7 * 86_400_000,
    tokenTtlMs: 86_400_000,
    workDir: mkdtempSync(join(testStateDir(), 'work-')),
    mailer: options.mailer,
    agents: DEFAULT_AGENT_SETTINGS,
  };
  return app;
}
