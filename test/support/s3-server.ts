/**
 * A real S3-protocol server for tests: s3rver on 127.0.0.1, a free port, a
 * temporary directory and one bucket made up front. s3rver checks signatures
 * against its fixed key pair S3RVER/S3RVER.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './postgres-server.ts';

export interface S3Server {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  bucket: string;
  /** PARAPET_S3_* and AWS_* variables that point a Parapet child process at this server. */
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

// s3rver ships no types; this is the part of its API used here.
interface S3rverOptions {
  address: string;
  port: number;
  directory: string;
  silent: boolean;
  configureBuckets: Array<{ name: string }>;
}
interface S3rverInstance {
  run(): Promise<unknown>;
  close(): Promise<void>;
}
const S3rver = createRequire(import.meta.url)('s3rver') as new (options: S3rverOptions) => S3rverInstance;

export async function startS3Server(): Promise<S3Server> {
  const directory = mkdtempSync(join(tmpdir(), 'parapet-s3-'));
  const port = await freePort();
  const bucket = 'parapet-test';
  const server = new S3rver({
    address: '127.0.0.1',
    port,
    directory,
    silent: true,
    configureBuckets: [{ name: bucket }],
  });
  await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    env: {
      PARAPET_S3_ENDPOINT: endpoint,
      PARAPET_S3_BUCKET: bucket,
      PARAPET_S3_REGION: 'us-east-1',
      PARAPET_S3_FORCE_PATH_STYLE: 'true',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
    },
    async stop() {
      try {
        await server.close();
      } finally {
        rmSync(directory, { recursive: true, force: true });
      }
    },
  };
}
