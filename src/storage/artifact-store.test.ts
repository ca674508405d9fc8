/**
 * One contract, both backends: a local directory and a real S3-protocol
 * server (s3rver). After the tests, every object left in either store is read
 * back independently of the store and its sha256 compared with what was put.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { startS3Server, type S3Server } from '../../test/support/s3-server.ts';
import { testStateDir } from '../../test/support/state-dir.ts';
import {
  openArtifactStore,
  ObjectNotFoundError,
  type ArtifactStore,
  type PutInfo,
} from './artifact-store.ts';
import { makeLocalStore } from './local-store.ts';

const MIB = 1024 * 1024;
const work = mkdtempSync(join(testStateDir(), 'artifact-store-'));
let fileCount = 0;

/** Writes bytes to a temp file and returns its path with the PutInfo describing it. */
function sourceFile(bytes: Buffer): { path: string; info: PutInfo } {
  const path = join(work, `source-${++fileCount}`);
  writeFileSync(path, bytes);
  return {
    path,
    info: { contentType: 'application/octet-stream', size: bytes.length, sha256: sha256(bytes) },
  };
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Every key put and not deleted, with the sha256 of what was last put there. */
type Expected = Map<string, string>;

interface Backend {
  name: 'local' | 's3';
  store: ArtifactStore;
  expected: Expected;
  /** Reads every stored object without the store: key → sha256 of its bytes. */
  storedDigests(): Promise<Map<string, string>>;
}

function storeContract(backend: () => Backend): void {
  const put = async (key: string, bytes: Buffer) => {
    const { store, expected } = backend();
    const { path, info } = sourceFile(bytes);
    await store.put(key, path, info);
    expected.set(key, info.sha256);
  };

  test('put, then open returns the same bytes', async () => {
    const bytes = randomBytes(70_000);
    await put('tenants/1/tasks/1/report.xlsx', bytes);
    assert.deepEqual(await readAll(await backend().store.open('tenants/1/tasks/1/report.xlsx')), bytes);
  });

  test('put overwrites what a key held', async () => {
    await put('tenants/1/tasks/2/again.xlsx', randomBytes(1000));
    const second = randomBytes(500);
    await put('tenants/1/tasks/2/again.xlsx', second);
    assert.deepEqual(await readAll(await backend().store.open('tenants/1/tasks/2/again.xlsx')), second);
  });

  test('open reads one inclusive range', async () => {
    const bytes = randomBytes(10_000);
    await put('tenants/1/tasks/3/ranged.bin', bytes);
    const { store } = backend();
    for (const [start, end] of [
      [1, 1],
      [100, 199],
      [9_999, 9_999],
      [0, 9_999],
    ] as const) {
      const got = await readAll(await store.open('tenants/1/tasks/3/ranged.bin', { start, end }));
      assert.deepEqual(got, bytes.subarray(start, end + 1), `bytes ${start}-${end}`);
    }
  });

  test('a 12 MiB file goes in as several parts and comes back whole', async () => {
    const bytes = randomBytes(12 * MIB + 12_345);
    await put('tenants/2/tasks/4/large export.xlsx', bytes);
    const got = await readAll(await backend().store.open('tenants/2/tasks/4/large export.xlsx'));
    assert.equal(got.length, bytes.length);
    assert.equal(sha256(got), sha256(bytes));
    const tail = await backend().store.open('tenants/2/tasks/4/large export.xlsx', {
      start: 12 * MIB,
      end: bytes.length - 1,
    });
    assert.deepEqual(await readAll(tail), bytes.subarray(12 * MIB));
  });

  test('a non-ASCII file name is a valid key', async () => {
    await put('tenants/1/tasks/5/漏洞 导出 é.xlsx', Buffer.from('hello'));
    assert.equal(
      (await readAll(await backend().store.open('tenants/1/tasks/5/漏洞 导出 é.xlsx'))).toString(),
      'hello',
    );
  });

  test('an empty file is stored', async () => {
    await put('tenants/1/tasks/6/empty.csv', Buffer.alloc(0));
    assert.equal((await readAll(await backend().store.open('tenants/1/tasks/6/empty.csv'))).length, 0);
  });

  test('delete removes the object and is idempotent; open of a missing key rejects', async () => {
    const { store, expected } = backend();
    await put('tenants/1/tasks/7/gone.xlsx', randomBytes(100));
    await store.delete('tenants/1/tasks/7/gone.xlsx');
    expected.delete('tenants/1/tasks/7/gone.xlsx');
    await store.delete('tenants/1/tasks/7/gone.xlsx');
    await assert.rejects(store.open('tenants/1/tasks/7/gone.xlsx'), ObjectNotFoundError);
    await assert.rejects(store.open('tenants/9/never/put.xlsx'), ObjectNotFoundError);
  });

  test('put refuses a file whose size or sha256 differs from what was announced, and stores nothing', async () => {
    const { store } = backend();
    const { path, info } = sourceFile(randomBytes(2000));
    await assert.rejects(store.put('tenants/1/tasks/8/bad.xlsx', path, { ...info, size: 1999 }), /1999/);
    await assert.rejects(store.open('tenants/1/tasks/8/bad.xlsx'), ObjectNotFoundError);
    const wrongHash = sha256(Buffer.from('something else'));
    await assert.rejects(
      store.put('tenants/1/tasks/8/bad.xlsx', path, { ...info, sha256: wrongHash }),
      /sha256/,
    );
    await assert.rejects(store.open('tenants/1/tasks/8/bad.xlsx'), ObjectNotFoundError);
  });

  test('put of a missing source file rejects', async () => {
    const info = { contentType: 'text/plain', size: 1, sha256: sha256(Buffer.from('x')) };
    await assert.rejects(backend().store.put('tenants/1/tasks/9/x.txt', join(work, 'no-such-file'), info));
  });

  test('keys that could escape or are ambiguous are refused', async () => {
    const { store } = backend();
    const { path, info } = sourceFile(Buffer.from('x'));
    for (const key of ['../outside', 'a/../../b', '/absolute', 'a//b', 'a/./b', 'a\\b', '', 'trailing/']) {
      await assert.rejects(store.put(key, path, info), /not a valid artifact key/, JSON.stringify(key));
      await assert.rejects(store.open(key), /not a valid artifact key/, JSON.stringify(key));
      await assert.rejects(store.delete(key), /not a valid artifact key/, JSON.stringify(key));
    }
  });

  test('every stored object matches the sha256 it was put with, and nothing else is stored', async () => {
    const { expected } = backend();
    assert.deepEqual(
      [...(await backend().storedDigests())].sort(),
      [...expected].sort(),
      'stored objects (key → sha256) differ from what was put',
    );
  });
}

describe('local artifact store', () => {
  const dir = join(work, 'local');
  const local: Backend = {
    name: 'local',
    store: makeLocalStore(dir),
    expected: new Map(),
    storedDigests() {
      // Temporary files left behind would show up here too.
      const entries = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
      const digests = new Map<string, string>();
      for (const entry of entries) {
        const path = join(entry.parentPath, entry.name);
        digests.set(relative(dir, path), sha256(readFileSync(path)));
      }
      return Promise.resolve(digests);
    },
  };
  storeContract(() => local);

  test('a deleted key leaves no empty task directory behind', () => {
    const dirs = readdirSync(join(dir, 'tenants/1/tasks'));
    assert.ok(!dirs.includes('7'), `directories left: ${dirs.join(', ')}`);
  });
});

describe('S3 artifact store (s3rver)', () => {
  let server: S3Server;
  let s3: Backend | undefined;
  before(async () => {
    server = await startS3Server();
    // The store takes credentials from the SDK's default chain, as in production.
    process.env.AWS_ACCESS_KEY_ID = server.env.AWS_ACCESS_KEY_ID;
    process.env.AWS_SECRET_ACCESS_KEY = server.env.AWS_SECRET_ACCESS_KEY;
    const client = new S3Client({
      region: 'us-east-1',
      endpoint: server.endpoint,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    s3 = {
      name: 's3',
      store: await openArtifactStore({
        backend: 's3',
        endpoint: server.endpoint,
        bucket: server.bucket,
        region: 'us-east-1',
        forcePathStyle: true,
      }),
      expected: new Map(),
      async storedDigests() {
        const digests = new Map<string, string>();
        const listed = await client.send(new ListObjectsV2Command({ Bucket: server.bucket }));
        for (const { Key } of listed.Contents ?? []) {
          assert.ok(Key);
          const object = await client.send(new GetObjectCommand({ Bucket: server.bucket, Key }));
          const bytes = Buffer.from(await object.Body!.transformToByteArray());
          assert.equal(object.Metadata?.sha256, sha256(bytes), `metadata sha256 of ${Key}`);
          digests.set(Key, sha256(bytes));
        }
        return digests;
      },
    };
  });
  after(() => server.stop());

  storeContract(() => {
    assert.ok(s3, 'the S3 server did not start');
    return s3;
  });

  test('a range answered with the wrong length is refused, not served (s3rver reads bytes=0-0 as everything)', async () => {
    assert.ok(s3);
    await assert.rejects(
      s3.store.open('tenants/1/tasks/3/ranged.bin', { start: 0, end: 0 }),
      /with 10000 bytes, not 1/,
    );
  });
});
