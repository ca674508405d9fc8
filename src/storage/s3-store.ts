/**
 * Artifacts as objects in one S3 bucket (AWS S3, MinIO, or anything speaking
 * the protocol), so every node reads what any worker wrote. Uploads are
 * multipart and streamed from the file; an object appears only when complete.
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { ArtifactStore, ByteRange, PutInfo, StorageConfig } from './artifact-store.ts';
import { checkKey, checkStored, makeDigestStream, ObjectNotFoundError } from './checks.ts';

const MIB = 1024 * 1024;
/** S3's smallest part (all but the last). */
const MIN_PART_SIZE = 5 * MIB;
/** S3's largest number of parts in one upload. */
const MAX_PARTS = 10_000;
/** Parts uploaded at once; memory stays near QUEUE_SIZE × part size. */
const QUEUE_SIZE = 2;

type S3StorageConfig = Extract<StorageConfig, { backend: 's3' }>;

function isNotFound(err: unknown): boolean {
  return (
    err instanceof S3ServiceException &&
    (err.name === 'NoSuchKey' || err.name === 'NotFound' || err.$metadata.httpStatusCode === 404)
  );
}

export function makeS3Store(config: S3StorageConfig): ArtifactStore {
  const client = new S3Client({
    region: config.region,
    endpoint: config.endpoint,
    forcePathStyle: config.forcePathStyle,
    // The SDK's default sends streamed bodies aws-chunked with a trailing
    // checksum; stores that do not speak it (s3rver, some gateways) keep the
    // chunk framing as data (474 extra bytes, measured). Size and sha256 are
    // checked by put() instead.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const Bucket = config.bucket;

  return {
    backend: 's3',

    async put(key: string, filePath: string, info: PutInfo): Promise<void> {
      checkKey(key);
      // Hash what is actually sent, so a file that changed since the caller
      // hashed it is caught, not stored.
      const digest = makeDigestStream();
      createReadStream(filePath)
        .on('error', (err) => digest.destroy(err))
        .pipe(digest);
      const upload = new Upload({
        client,
        params: {
          Bucket,
          Key: key,
          Body: digest,
          ContentType: info.contentType,
          Metadata: { sha256: info.sha256.toLowerCase() },
        },
        partSize: Math.max(MIN_PART_SIZE, Math.ceil(info.size / MAX_PARTS)),
        queueSize: QUEUE_SIZE,
        leavePartsOnError: false,
      });
      await upload.done();
      const sent = digest.digest();
      const head = await client.send(new HeadObjectCommand({ Bucket, Key: key }));
      try {
        checkStored(key, info, sent);
        checkStored(key, info, { size: head.ContentLength ?? -1, sha256: head.Metadata?.sha256 ?? '' });
      } catch (err) {
        // Leave nothing that a later open() could mistake for the file.
        await client.send(new DeleteObjectCommand({ Bucket, Key: key }));
        throw err;
      }
    },

    async open(key: string, range?: ByteRange): Promise<NodeJS.ReadableStream> {
      checkKey(key);
      try {
        const object = await client.send(
          new GetObjectCommand({
            Bucket,
            Key: key,
            Range: range ? `bytes=${range.start}-${range.end}` : undefined,
          }),
        );
        // In Node the body is an http.IncomingMessage (a Readable).
        const body = object.Body as Readable;
        const expected = range ? range.end - range.start + 1 : undefined;
        if (expected !== undefined && object.ContentLength !== expected) {
          // Serving it would send wrong bytes under a right-looking Content-Range.
          body.destroy();
          throw new Error(
            `The S3 server answered bytes=${range?.start}-${range?.end} of "${key}" with ${object.ContentLength} bytes, not ${expected}.`,
          );
        }
        return body;
      } catch (err) {
        throw isNotFound(err) ? new ObjectNotFoundError(key, { cause: err }) : err;
      }
    },

    async delete(key: string): Promise<void> {
      checkKey(key);
      // S3 answers 204 whether or not the key existed.
      await client.send(new DeleteObjectCommand({ Bucket, Key: key }));
    },
  };
}
