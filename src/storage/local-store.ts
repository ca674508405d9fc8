/**
 * Artifacts as files under one directory. A put copies into a temporary name
 * beside the target, fsyncs, checks size and sha256, then renames: readers
 * see the old file or the whole new one, never a part. Several processes may
 * share the directory (one machine, or a shared mount).
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, rmdir } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ArtifactStore, ByteRange, PutInfo } from './artifact-store.ts';
import { checkKey, checkStored, makeDigestStream, ObjectNotFoundError } from './checks.ts';

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}

export function makeLocalStore(dir: string): ArtifactStore {
  const root = resolve(dir);
  const pathOf = (key: string): string => {
    checkKey(key);
    const path = resolve(root, key);
    // checkKey already rules out escapes; this is the belt to its braces.
    if (!path.startsWith(root + sep)) throw new Error(`"${key}" is not a valid artifact key.`);
    return path;
  };

  return {
    backend: 'local',

    async put(key: string, filePath: string, info: PutInfo): Promise<void> {
      const target = pathOf(key);
      await mkdir(dirname(target), { recursive: true, mode: 0o700 });
      const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
      try {
        const digest = makeDigestStream();
        // flush: fsync before close, so the rename never publishes unwritten data.
        const out = createWriteStream(temp, { flags: 'wx', mode: 0o600, flush: true });
        await pipeline(createReadStream(filePath), digest, out);
        checkStored(key, info, digest.digest());
        await rename(temp, target);
      } catch (err) {
        await rm(temp, { force: true });
        throw err;
      }
      // Make the rename itself durable.
      const parent = await open(dirname(target), 'r');
      try {
        await parent.sync();
      } finally {
        await parent.close();
      }
    },

    async open(key: string, range?: ByteRange): Promise<NodeJS.ReadableStream> {
      const path = pathOf(key);
      // Opening first turns a missing file into a rejection here, not a stream
      // error later, and keeps the file readable if it is deleted meanwhile.
      const handle = await open(path, 'r').catch((err: unknown) => {
        throw isMissing(err) ? new ObjectNotFoundError(key, { cause: err }) : err;
      });
      return handle.createReadStream(range ? { start: range.start, end: range.end } : {});
    },

    async delete(key: string): Promise<void> {
      const path = pathOf(key);
      await rm(path, { force: true });
      // Keys are one directory per task: drop it once empty (another file in it keeps it).
      const parent = dirname(path);
      if (parent !== root) {
        await rmdir(parent).catch(() => undefined);
      }
    },
  };
}
