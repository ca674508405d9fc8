/**
 * Files Parapet produced for a tenant: recorded when the task that wrote them
 * commits, handed out through signed links, removed by the sweeper once
 * expired. The row and the stored object share `storageKey`.
 */
import type { Queryable } from '../persistence/database.ts';
import * as repo from '../persistence/artifacts.ts';
import { signDownloadToken } from '../storage/signed-link.ts';
import type { AppContext } from './context.ts';

export interface Artifact {
  id: number;
  tenantId: number;
  /** Undefined for files no task produced. */
  taskId: number | undefined;
  storageKey: string;
  fileName: string;
  contentType: string;
  size: number;
  /** Lower-case hex. */
  sha256: string;
  createdAt: number;
  expiresAt: number;
}

/** Expired artifacts handled per sweep query. */
const SWEEP_BATCH = 100;

const toArtifact = (r: repo.ArtifactRow): Artifact => ({
  id: r.id,
  tenantId: r.tenant_id,
  taskId: r.task_id ?? undefined,
  storageKey: r.storage_key,
  fileName: r.file_name,
  contentType: r.content_type,
  size: r.size,
  sha256: r.sha256,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
});

/**
 * The storage key of a task's file: `tenants/<tenantId>/tasks/<taskId>/<fileName>`.
 * Deterministic, so a retried attempt overwrites what a failed one left.
 */
export function artifactKey(tenantId: number, taskId: number, fileName: string): string {
  if (fileName === '' || fileName === '.' || fileName === '..' || /[/\\\0]/.test(fileName)) {
    throw new Error(`"${fileName}" cannot be an artifact file name.`);
  }
  return `tenants/${tenantId}/tasks/${taskId}/${fileName}`;
}

/**
 * Called inside the task's commit transaction, after store.put succeeded:
 * records the artifact (expiresAt = now + app.artifactRetentionMs).
 */
export async function recordArtifact(
  tx: Queryable,
  app: AppContext,
  fields: {
    tenantId: number;
    taskId: number;
    storageKey: string;
    fileName: string;
    contentType: string;
    size: number;
    sha256: string;
  },
): Promise<Artifact> {
  const now = app.now();
  const row = await repo.insertArtifact(tx, {
    tenant_id: fields.tenantId,
    task_id: fields.taskId,
    storage_key: fields.storageKey,
    file_name: fields.fileName,
    content_type: fields.contentType,
    size: fields.size,
    sha256: fields.sha256.toLowerCase(),
    created_at: now,
    expires_at: now + app.artifactRetentionMs,
  });
  return toArtifact(row);
}

/** The tenant's artifact, expired or not (the sweeper may not have run yet). */
export async function getArtifact(
  app: AppContext,
  tenantId: number,
  id: number,
): Promise<Artifact | undefined> {
  const row = await repo.findArtifact(app.db, tenantId, id);
  return row && toArtifact(row);
}

/**
 * A signed URL (base = app.publicUrl ?? requestBaseUrl, e.g. `http://host:8080`)
 * for downloading the artifact, valid app.linkTtlMs (or ttlMs).
 */
export function downloadLink(
  app: AppContext,
  artifact: Artifact,
  requestBaseUrl: string,
  ttlMs?: number,
): { url: string; expiresAt: number } {
  const expiresAt = app.now() + (ttlMs ?? app.linkTtlMs);
  const token = signDownloadToken(app.serverKey, {
    tenantId: artifact.tenantId,
    artifactId: artifact.id,
    expiresAt,
  });
  const base = (app.publicUrl ?? requestBaseUrl).replace(/\/+$/, '');
  return { url: `${base}/downloads/${token}`, expiresAt };
}

/**
 * Deletes expired artifacts from the store and the table; returns how many
 * rows this call removed. Safe on several nodes at once: the object goes first
 * (deleting a missing one succeeds), then the row, so a crash in between
 * leaves a row the next sweep finishes. An object that cannot be deleted
 * keeps its row; the others are still swept, then the first failure is thrown.
 */
export async function sweepArtifacts(app: AppContext): Promise<number> {
  const now = app.now();
  let removed = 0;
  let failed = 0;
  let firstError: unknown;
  let afterId = 0;
  for (;;) {
    const batch = await repo.listExpiredArtifacts(app.db, now, afterId, SWEEP_BATCH);
    for (const row of batch) {
      afterId = row.id;
      try {
        await app.store.delete(row.storage_key);
      } catch (err) {
        failed += 1;
        firstError ??= err;
        continue;
      }
      if (await repo.deleteArtifact(app.db, row.id)) removed += 1;
    }
    if (batch.length < SWEEP_BATCH) break;
  }
  if (failed > 0) {
    throw new Error(
      `${failed} expired file(s) could not be deleted from the artifact store; removed ${removed}.`,
      {
        cause: firstError,
      },
    );
  }
  return removed;
}
