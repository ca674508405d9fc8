/**
 * The tail every file-producing task shares (exports, reports): write into a
 * temporary file of this attempt, hashed on the way; store it under the
 * task's key; record the artifact in the task's final transaction — in that
 * order, so a half-written file is never visible. A crashed attempt leaves
 * only its temporary directory (in the installation's work directory), which
 * the next attempt there removes; the storage key is per task, so a retry
 * overwrites.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { TaskContext } from '../engine/index.ts';
import type { Queryable } from '../persistence/database.ts';
import { makeDigestStream } from '../storage/checks.ts';
import { artifactKey, recordArtifact, type Artifact } from './artifacts.ts';
import type { AppContext } from './context.ts';

export interface ProducedFileOptions {
  /** The download's name; also the last part of the storage key. */
  fileName: string;
  contentType: string;
  /** Names the temporary directory: `parapet-<label>-<taskId>-…`. */
  label: string;
}

/** Removes what earlier attempts of this task left in the work directory when their worker died here. */
async function removeEarlierAttempts(workDir: string, prefix: string): Promise<void> {
  for (const name of await readdir(workDir)) {
    if (name.startsWith(prefix)) await rm(join(workDir, name), { recursive: true, force: true });
  }
}

/**
 * Runs `write` against the temporary file's stream (it must end the stream,
 * or throw), stores the file and commits the task with `result(artifact,
 * written, tx)`, where `written` is what `write` returned and `tx` the commit
 * transaction (for work that must happen with the commit, e.g. queueing the
 * next task).
 */
export async function produceFile<W, R>(
  app: AppContext,
  ctx: TaskContext<R>,
  options: ProducedFileOptions,
  write: (output: NodeJS.WritableStream) => Promise<W>,
  result: (artifact: Artifact, written: W, tx: Queryable) => R | Promise<R>,
): Promise<R> {
  const prefix = `parapet-${options.label}-${ctx.taskId}-`;
  await mkdir(app.workDir, { recursive: true, mode: 0o700 });
  await removeEarlierAttempts(app.workDir, prefix);
  const dir = await mkdtemp(join(app.workDir, prefix));
  try {
    const file = join(dir, 'file');
    const started = performance.now();
    const digest = makeDigestStream();
    const saved = pipeline(digest, createWriteStream(file));
    saved.catch(() => undefined); // awaited below; a failed write rejects it first
    let written: W;
    const writing = write(digest);
    writing.catch(() => undefined); // awaited below, unless the file fails first
    try {
      // If the file cannot be written (disk full, directory gone), stop at once:
      // the writer would otherwise wait for the full stream to drain forever.
      await Promise.race([writing, saved.then(() => writing)]);
      written = await writing;
      await saved;
    } catch (err) {
      digest.destroy(err instanceof Error ? err : new Error('write failed', { cause: err }));
      throw err;
    }
    const { size, sha256 } = digest.digest();
    const writeMs = Math.round(performance.now() - started);
    const storageKey = artifactKey(ctx.tenantId, ctx.taskId, options.fileName);
    ctx.signal.throwIfAborted();
    await app.store.put(storageKey, file, { contentType: options.contentType, size, sha256 });
    ctx.log.info(`${options.label} stored`, {
      size,
      storageKey,
      writeMs,
      storeMs: Math.round(performance.now() - started) - writeMs,
    });
    return await ctx.commit(async (tx) => {
      const artifact = await recordArtifact(tx, app, {
        tenantId: ctx.tenantId,
        taskId: ctx.taskId,
        storageKey,
        fileName: options.fileName,
        contentType: options.contentType,
        size,
        sha256,
      });
      return await result(artifact, written, tx);
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
