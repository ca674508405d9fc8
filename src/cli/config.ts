/**
 * Operator settings: command-line flags win over environment variables, which
 * win over the embedded defaults (127.0.0.1:8080, SQLite under ./data).
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadServerKey } from '../auth/secret-box.ts';
import { openDatabase } from '../persistence/database.ts';
import { migrate } from '../persistence/migrate.ts';
import type { AppContext } from '../services/context.ts';

export interface ParapetConfig {
  host: string;
  port: number;
  dataDir: string;
  /** `postgres://…` or a SQLite file path. (Default: `<data-dir>/parapet.db`) */
  databaseUrl: string;
  /** Requests per second per tenant before Throttling.User. (Default: 100) */
  rateLimitPerSecond: number;
  rootAccessKeyId: string | undefined;
  rootAccessKeySecret: string | undefined;
  serverKeyEnv: string | undefined;
}

export interface ConfigFlags {
  host?: string | undefined;
  port?: string | undefined;
  'data-dir'?: string | undefined;
}

function positiveInt(name: string, value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) {
    throw new Error(`${name} must be a positive integer, not "${value}"`);
  }
  return number;
}

export function loadConfig(flags: ConfigFlags, env: NodeJS.ProcessEnv = process.env): ParapetConfig {
  const dataDir = resolve(flags['data-dir'] ?? env.PARAPET_DATA_DIR ?? './data');
  const port = positiveInt('port', flags.port ?? env.PARAPET_PORT ?? '8080');
  return {
    host: flags.host ?? env.PARAPET_HOST ?? '127.0.0.1',
    port,
    dataDir,
    databaseUrl: env.PARAPET_DATABASE_URL || join(dataDir, 'parapet.db'),
    rateLimitPerSecond: positiveInt('PARAPET_RATE_LIMIT', env.PARAPET_RATE_LIMIT ?? '100'),
    rootAccessKeyId: env.PARAPET_ROOT_ACCESS_KEY_ID || undefined,
    rootAccessKeySecret: env.PARAPET_ROOT_ACCESS_KEY_SECRET || undefined,
    serverKeyEnv: env.PARAPET_SERVER_KEY || undefined,
  };
}

/** Opens (and migrates) the store the configuration names. */
export async function openApp(config: ParapetConfig): Promise<AppContext> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const db = await openDatabase({ url: config.databaseUrl });
  await migrate(db);
  const serverKey = loadServerKey({ envValue: config.serverKeyEnv, dataDir: config.dataDir });
  return { db, serverKey, now: () => Date.now() };
}
