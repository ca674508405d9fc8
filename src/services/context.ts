import type { Database } from '../persistence/database.ts';
import type { ArtifactStore } from '../storage/artifact-store.ts';
import type { AgentSettings } from './agents.ts';
import type { Mailer } from './mailer.ts';

/**
 * What every service function needs: the database, the artifact store, the
 * key that seals secrets and signs links, a clock, and the file settings.
 */
export interface AppContext {
  db: Database;
  /** Where produced files (exports, reports) live; shared by all nodes. */
  store: ArtifactStore;
  serverKey: Buffer;
  now(): number;
  /**
   * Public base URL for links, e.g. http://127.0.0.1:8080; undefined → derive
   * from the request (Host header + protocol). (PARAPET_PUBLIC_URL)
   */
  publicUrl: string | undefined;
  /** How long a download link stays valid. (Default: 1 h; PARAPET_LINK_TTL_SECONDS) */
  linkTtlMs: number;
  /** How long produced files are kept. (Default: 7 days; PARAPET_ARTIFACT_RETENTION_DAYS) */
  artifactRetentionMs: number;
  /** How long an IAM token lives. (Default: 24 h; PARAPET_TOKEN_TTL_SECONDS) */
  tokenTtlMs: number;
  /** Sends report mail; undefined when no SMTP server is configured. (PARAPET_SMTP_URL, PARAPET_MAIL_FROM) */
  mailer: Mailer | undefined;
  /**
   * This installation's scratch directory for files being produced
   * (`<data-dir>/tmp`): not the system's, where another installation's task
   * of the same id would clean up this one's files.
   */
  workDir: string;
  /** Agent liveness and fan-out deadlines (PARAPET_AGENT_OFFLINE_SECONDS, …). */
  agents: AgentSettings;
}
