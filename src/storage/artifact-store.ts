/**
 * The artifact store: where files Parapet produced (exports, reports) live
 * between the task that wrote them and the download that reads them. A local
 * directory by default; an S3 bucket (AWS S3, MinIO, …) when several nodes
 * must share the files. The `artifacts` table says which keys exist; the
 * store only holds bytes.
 */
export { checkKey, ObjectNotFoundError } from './checks.ts';
import { makeLocalStore } from './local-store.ts';

/** A byte range, inclusive at both ends, like HTTP's `bytes=start-end`. */
export interface ByteRange {
  start: number;
  end: number;
}

/** What the caller knows about the file it puts: checked against what was stored. */
export interface PutInfo {
  contentType: string;
  size: number;
  /** Lower-case hex. */
  sha256: string;
}

export interface ArtifactStore {
  readonly backend: 'local' | 's3';
  /**
   * Stores the finished file at filePath under key (overwriting: a retried task reuses its key).
   * Visible to open() only once complete. Verifies the stored size (and sha256) matches `info`,
   * throwing otherwise.
   */
  put(key: string, filePath: string, info: PutInfo): Promise<void>;
  /** Streams the object or one range of it; throws ObjectNotFoundError if the object is gone. */
  open(key: string, range?: ByteRange): Promise<NodeJS.ReadableStream>;
  /** Idempotent: deleting a missing object succeeds. */
  delete(key: string): Promise<void>;
}

export type StorageConfig =
  | {
      backend: 'local';
      /** The directory objects are written to. (Default: `<data-dir>/artifacts`) */
      dir: string;
    }
  | {
      backend: 's3';
      /** e.g. `http://minio:9000`; undefined → AWS S3 for the region. */
      endpoint: string | undefined;
      bucket: string;
      region: string;
      /** `http://host/bucket/key` rather than `http://bucket.host/key` (MinIO, s3rver). */
      forcePathStyle: boolean;
      // Credentials come from the SDK's default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, …).
    };

export async function openArtifactStore(config: StorageConfig): Promise<ArtifactStore> {
  switch (config.backend) {
    case 'local':
      return makeLocalStore(config.dir);
    case 's3': {
      // Loaded only when used: the AWS SDK adds some 30 MB to every process.
      const { makeS3Store } = await import('./s3-store.ts');
      return makeS3Store(config);
    }
  }
}
