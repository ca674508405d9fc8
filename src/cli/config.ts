/**
 * Operator settings: command-line flags win over environment variables, which
 * win over the embedded defaults (127.0.0.1:8080, SQLite and artifacts under
 * ./data).
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadServerKey } from '../auth/secret-box.ts';
import { openDatabase } from '../persistence/database.ts';
import { migrate } from '../persistence/migrate.ts';
import { DEFAULT_AGENT_SETTINGS, type AgentSettings } from '../services/agents.ts';
import type { AppContext } from '../services/context.ts';
import { makeMailer } from '../services/mailer.ts';
import { openArtifactStore, type StorageConfig } from '../storage/artifact-store.ts';

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
  /** S3 when PARAPET_S3_BUCKET is set, else a local directory. (Default: `<data-dir>/artifacts`) */
  storage: StorageConfig;
  /** Base URL put in download links. (Default: from each request's Host header and protocol) */
  publicUrl: string | undefined;
  /** Lifetime of a download link. (Default: 1 h) */
  linkTtlMs: number;
  /** How long produced files are kept. (Default: 7 days) */
  artifactRetentionMs: number;
  /** Lifetime of an IAM token from POST /v3/auth/tokens. (Default: 24 h) */
  tokenTtlMs: number;
  /** How long a worker's claim on a task holds without a heartbeat; a crashed worker's task is taken over after it. (Default: 30 s) */
  taskLeaseMs: number;
  /** Whether `parapet serve` runs tasks itself besides answering requests. (Default: true) */
  serveRunsTasks: boolean;
  /** SMTP server for report mail, `smtp://` or `smtps://` with optional user:password. (Default: none, no mail) */
  smtpUrl: string | undefined;
  /** From of report mail. (Default: `Parapet <parapet@localhost>`) */
  mailFrom: string;
  agents: AgentSettings;
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

/** A duration setting given in seconds, as milliseconds. */
function seconds(name: string, env: NodeJS.ProcessEnv, defaultMs: number): number {
  const value = env[name];
  return value ? positiveInt(name, value) * 1000 : defaultMs;
}

function httpUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${name} must be an http:// or https:// URL, not "${value}"`);
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.search !== '' || url.hash !== '') {
    throw new Error(`${name} must be an http:// or https:// URL without query or fragment, not "${value}"`);
  }
  return url.toString().replace(/\/+$/, '');
}

// The value is never echoed: it may carry the SMTP password.
function smtpUrl(name: string, value: string): string {
  const example = 'e.g. smtps://user:password@mail.example.com:465';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${name} must be an smtp:// or smtps:// URL (${example}); the value set is not a URL`);
  }
  if (!['smtp:', 'smtps:'].includes(url.protocol) || url.hostname === '') {
    throw new Error(
      `${name} must be an smtp:// or smtps:// URL with a host (${example}), not ${url.protocol}//…`,
    );
  }
  return value;
}

function flag(name: string, value: string): boolean {
  if (/^(true|1|yes)$/i.test(value)) return true;
  if (/^(false|0|no)$/i.test(value)) return false;
  throw new Error(`${name} must be true or false, not "${value}"`);
}

function loadStorageConfig(env: NodeJS.ProcessEnv, dataDir: string): StorageConfig {
  const endpoint = env.PARAPET_S3_ENDPOINT
    ? httpUrl('PARAPET_S3_ENDPOINT', env.PARAPET_S3_ENDPOINT)
    : undefined;
  const bucket = env.PARAPET_S3_BUCKET;
  if (!bucket) {
    if (endpoint) {
      throw new Error('PARAPET_S3_ENDPOINT is set but PARAPET_S3_BUCKET is not: name the bucket.');
    }
    return { backend: 'local', dir: resolve(env.PARAPET_ARTIFACT_DIR || join(dataDir, 'artifacts')) };
  }
  return {
    backend: 's3',
    endpoint,
    bucket,
    region: env.PARAPET_S3_REGION || 'us-east-1',
    // MinIO and most self-hosted stores want path style; AWS wants virtual hosts.
    forcePathStyle: env.PARAPET_S3_FORCE_PATH_STYLE
      ? flag('PARAPET_S3_FORCE_PATH_STYLE', env.PARAPET_S3_FORCE_PATH_STYLE)
      : endpoint !== undefined,
  };
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
    storage: loadStorageConfig(env, dataDir),
    publicUrl: env.PARAPET_PUBLIC_URL ? httpUrl('PARAPET_PUBLIC_URL', env.PARAPET_PUBLIC_URL) : undefined,
    linkTtlMs: positiveInt('PARAPET_LINK_TTL_SECONDS', env.PARAPET_LINK_TTL_SECONDS ?? '3600') * 1000,
    artifactRetentionMs:
      positiveInt('PARAPET_ARTIFACT_RETENTION_DAYS', env.PARAPET_ARTIFACT_RETENTION_DAYS ?? '7') * 86_400_000,
    tokenTtlMs: positiveInt('PARAPET_TOKEN_TTL_SECONDS', env.PARAPET_TOKEN_TTL_SECONDS ?? '86400') * 1000,
    taskLeaseMs: positiveInt('PARAPET_TASK_LEASE_SECONDS', env.PARAPET_TASK_LEASE_SECONDS ?? '30') * 1000,
    serveRunsTasks: flag('PARAPET_SERVE_WORKER', env.PARAPET_SERVE_WORKER ?? 'true'),
    smtpUrl: env.PARAPET_SMTP_URL ? smtpUrl('PARAPET_SMTP_URL', env.PARAPET_SMTP_URL) : undefined,
    mailFrom: env.PARAPET_MAIL_FROM || 'Parapet <parapet@localhost>',
    agents: {
      ...DEFAULT_AGENT_SETTINGS,
      offlineAfterMs: seconds('PARAPET_AGENT_OFFLINE_SECONDS', env, DEFAULT_AGENT_SETTINGS.offlineAfterMs),
      assetsTimeoutMs: seconds('PARAPET_ASSETS_TIMEOUT_SECONDS', env, DEFAULT_AGENT_SETTINGS.assetsTimeoutMs),
      virusScanTimeoutMs: seconds(
        'PARAPET_VIRUS_SCAN_TIMEOUT_SECONDS',
        env,
        DEFAULT_AGENT_SETTINGS.virusScanTimeoutMs,
      ),
    },
  };
}

/** Opens (and migrates) the store the configuration names. */
export async function openApp(config: ParapetConfig): Promise<AppContext> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const db = await openDatabase({ url: config.databaseUrl });
  await migrate(db);
  const serverKey = loadServerKey({ envValue: config.serverKeyEnv, dataDir: config.dataDir });
  const workDir = join(config.dataDir, 'tmp'); // made by the first task that needs it
  return {
    db,
    store: await openArtifactStore(config.storage),
    serverKey,
    now: () => Date.now(),
    publicUrl: config.publicUrl,
    linkTtlMs: config.linkTtlMs,
    artifactRetentionMs: config.artifactRetentionMs,
    tokenTtlMs: config.tokenTtlMs,
    mailer: makeMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom }),
    workDir,
    agents: config.agents,
  };
}
