/**
 * GET/HEAD /downloads/:token in-process (Fastify inject), over SQLite with the
 * local store and over PostgreSQL with a real S3-protocol server.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Dialect } from '../persistence/database.ts';
import {
  artifactKey,
  downloadLink,
  recordArtifact,
  sweepArtifacts,
  type Artifact,
} from '../services/artifacts.ts';
import type { AppContext } from '../services/context.ts';
import { createTenant } from '../services/identity.ts';
import type { StorageConfig } from '../storage/artifact-store.ts';
import { signDownloadToken } from '../storage/signed-link.ts';
import { openTestDatabase } from '../../test/support/databases.ts';
import { makeTestApp } from '../../test/support/app-context.ts';
import { startS3Server, type S3Server } from '../../test/support/s3-server.ts';
import { testStateDir } from '../../test/support/state-dir.ts';
import { buildServer, type ParapetServer } from './server.ts';
import { contentDisposition, parseRange } from './downloads.ts';

const NOW = 1_700_000_000_000;
const DAY = 86_400_000;
const FILE_NAME = '漏洞导出 "2024" report.xlsx';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

test('parseRange: the three forms, clipping, unsatisfiable, and what is ignored', () => {
  assert.deepEqual(parseRange('bytes=0-9', 100), { start: 0, end: 9 });
  assert.deepEqual(parseRange('bytes=90-', 100), { start: 90, end: 99 });
  assert.deepEqual(parseRange('bytes=-10', 100), { start: 90, end: 99 });
  assert.deepEqual(parseRange('bytes=-500', 100), { start: 0, end: 99 });
  assert.deepEqual(parseRange('bytes=50-5000', 100), { start: 50, end: 99 });
  assert.deepEqual(parseRange('BYTES=1-1', 100), { start: 1, end: 1 });
  assert.equal(parseRange('bytes=100-', 100), 'unsatisfiable');
  assert.equal(parseRange('bytes=100-200', 100), 'unsatisfiable');
  assert.equal(parseRange('bytes=-0', 100), 'unsatisfiable');
  assert.equal(parseRange('bytes=0-', 0), 'unsatisfiable');
  for (const ignored of [undefined, 'bytes=0-1,5-6', 'bytes=9-1', 'bytes=-', 'items=0-1', 'bytes=a-b']) {
    assert.equal(parseRange(ignored, 100), undefined, String(ignored));
  }
});

test('contentDisposition gives an ASCII stand-in and the exact UTF-8 name', () => {
  assert.equal(
    contentDisposition(FILE_NAME),
    `attachment; filename="____ _2024_ report.xlsx"; filename*=UTF-8''%E6%BC%8F%E6%B4%9E%E5%AF%BC%E5%87%BA%20%222024%22%20report.xlsx`,
  );
  assert.equal(
    contentDisposition('plain.xlsx'),
    `attachment; filename="plain.xlsx"; filename*=UTF-8''plain.xlsx`,
  );
});

const setups: Array<{ dialect: Dialect; backend: StorageConfig['backend'] }> = [
  { dialect: 'sqlite', backend: 'local' },
  { dialect: 'postgres', backend: 's3' },
];

for (const { dialect, backend } of setups) {
  describe(`downloads (${dialect}, ${backend} store)`, () => {
    const work = mkdtempSync(join(testStateDir(), `downloads-${dialect}-`));
    const bytes = randomBytes(200_000);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    let s3: S3Server | undefined;
    let app: AppContext & { clock: number };
    let server: ParapetServer;
    let tenantA: number;
    let tenantB: number;
    let artifact: Artifact;
    let nextTask = 1;

    async function produce(tenantId: number): Promise<Artifact> {
      const taskId = nextTask++;
      const path = join(work, `export-${taskId}`);
      writeFileSync(path, bytes);
      const storageKey = artifactKey(tenantId, taskId, FILE_NAME);
      const info = { contentType: XLSX, size: bytes.length, sha256 };
      await app.store.put(storageKey, path, info);
      return app.db.withTransaction((tx) =>
        recordArtifact(tx, app, { tenantId, taskId, storageKey, fileName: FILE_NAME, ...info }),
      );
    }

    const pathOf = (link: { url: string }) => new URL(link.url).pathname;
    const get = (url: string, headers: Record<string, string> = {}, method: 'GET' | 'HEAD' = 'GET') =>
      server.http.inject({ method, url, headers });

    before(async () => {
      let storage: StorageConfig = { backend: 'local', dir: join(work, 'store') };
      if (backend === 's3') {
        s3 = await startS3Server();
        process.env.AWS_ACCESS_KEY_ID = s3.env.AWS_ACCESS_KEY_ID;
        process.env.AWS_SECRET_ACCESS_KEY = s3.env.AWS_SECRET_ACCESS_KEY;
        storage = {
          backend: 's3',
          endpoint: s3.endpoint,
          bucket: s3.bucket,
          region: 'us-east-1',
          forcePathStyle: true,
        };
      }
      const ctx = await makeTestApp(await openTestDatabase(dialect, `downloads-${dialect}`), {
        storage,
        now: NOW,
      });
      app = ctx;
      server = buildServer({ app });
      tenantA = (await createTenant(app, { name: 'tenant-a' })).TenantId;
      tenantB = (await createTenant(app, { name: 'tenant-b' })).TenantId;
      artifact = await produce(tenantA);
    });
    after(async () => {
      await server.http.close();
      await app.db.close();
      await s3?.stop();
    });

    test('a full download: the bytes and every header', async () => {
      const response = await get(pathOf(downloadLink(app, artifact, 'http://localhost')));
      assert.equal(response.statusCode, 200);
      assert.deepEqual(response.rawPayload, bytes);
      assert.equal(response.headers['content-type'], XLSX);
      assert.equal(response.headers['content-length'], String(bytes.length));
      assert.equal(response.headers['content-disposition'], contentDisposition(FILE_NAME));
      assert.equal(response.headers.etag, `"${sha256}"`);
      assert.equal(response.headers['accept-ranges'], 'bytes');
      assert.equal(response.headers['last-modified'], new Date(NOW).toUTCString());
      assert.equal(response.headers['cache-control'], 'private');
    });

    test('Range: a-b, a- and -n answer 206 with Content-Range', async () => {
      const url = pathOf(downloadLink(app, artifact, 'http://localhost'));
      const size = bytes.length;
      for (const [header, start, end] of [
        ['bytes=10-19', 10, 19],
        ['bytes=150000-', 150_000, size - 1],
        ['bytes=-1000', size - 1000, size - 1],
        ['bytes=199990-999999', 199_990, size - 1],
      ] as const) {
        const response = await get(url, { range: header });
        assert.equal(response.statusCode, 206, header);
        assert.equal(response.headers['content-range'], `bytes ${start}-${end}/${size}`, header);
        assert.equal(response.headers['content-length'], String(end - start + 1), header);
        assert.deepEqual(response.rawPayload, bytes.subarray(start, end + 1), header);
      }
    });

    test('an unsatisfiable range is 416 with Content-Range: bytes */size', async () => {
      const url = pathOf(downloadLink(app, artifact, 'http://localhost'));
      for (const header of ['bytes=200000-', 'bytes=-0']) {
        const response = await get(url, { range: header });
        assert.equal(response.statusCode, 416, header);
        assert.equal(response.headers['content-range'], `bytes */${bytes.length}`);
      }
    });

    test('several ranges, a malformed range or a stale If-Range get the whole file', async () => {
      const url = pathOf(downloadLink(app, artifact, 'http://localhost'));
      const variants: Array<Record<string, string>> = [
        { range: 'bytes=0-9,20-29' },
        { range: 'bytes=9-0' },
        { range: 'bytes=0-9', 'if-range': '"0000"' },
        { range: 'bytes=0-9', 'if-range': new Date(NOW - 1000).toUTCString() },
      ];
      for (const headers of variants) {
        const response = await get(url, headers);
        assert.equal(response.statusCode, 200, JSON.stringify(headers));
        assert.equal(response.rawPayload.length, bytes.length);
      }
      const resumed = await get(url, { range: 'bytes=100-', 'if-range': `"${sha256}"` });
      assert.equal(resumed.statusCode, 206, 'a matching If-Range honours the range');
    });

    test('If-None-Match with the ETag is 304 without a body', async () => {
      const url = pathOf(downloadLink(app, artifact, 'http://localhost'));
      for (const tag of [`"${sha256}"`, `W/"${sha256}"`, `"other", "${sha256}"`, '*']) {
        const response = await get(url, { 'if-none-match': tag });
        assert.equal(response.statusCode, 304, tag);
        assert.equal(response.rawPayload.length, 0);
        assert.equal(response.headers.etag, `"${sha256}"`);
      }
      assert.equal((await get(url, { 'if-none-match': '"other"' })).statusCode, 200);
    });

    test('HEAD answers the headers of GET without a body', async () => {
      const url = pathOf(downloadLink(app, artifact, 'http://localhost'));
      const whole = await get(url, {}, 'HEAD');
      assert.equal(whole.statusCode, 200);
      assert.equal(whole.headers['content-length'], String(bytes.length));
      assert.equal(whole.headers.etag, `"${sha256}"`);
      assert.equal(whole.rawPayload.length, 0);
      const part = await get(url, { range: 'bytes=0-99' }, 'HEAD');
      assert.equal(part.statusCode, 206);
      assert.equal(part.headers['content-length'], '100');
      assert.equal(part.headers['content-range'], `bytes 0-99/${bytes.length}`);
    });

    /** Asserts a Sas error body with the given status and code; returns its Message. */
    function expectError(response: Awaited<ReturnType<typeof get>>, status: number, code: string): string {
      assert.equal(response.statusCode, status, response.body);
      assert.match(String(response.headers['content-type']), /^application\/json/);
      assert.equal(response.headers['content-disposition'], undefined);
      const body = response.json<Record<string, string>>();
      assert.deepEqual(Object.keys(body).sort(), ['Code', 'HostId', 'Message', 'Recommend', 'RequestId']);
      assert.equal(body.Code, code);
      assert.match(body.RequestId ?? '', /^[0-9A-F-]{36}$/);
      return body.Message ?? '';
    }

    test('a tampered or malformed link is 403 DownloadLink.Invalid', async () => {
      const token = pathOf(downloadLink(app, artifact, 'http://localhost')).split('/')[2] ?? '';
      const [tenant, id, expires, signature = ''] = token.split('.');
      const tampered = [
        `${Number(tenant) + 1}.${id}.${expires}.${signature}`,
        `${tenant}.${Number(id) + 1}.${expires}.${signature}`,
        `${tenant}.${id}.${Number(expires) + 1}.${signature}`,
        `${tenant}.${id}.${expires}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`,
        token.slice(0, -3),
        'not-a-token',
        'x'.repeat(500),
      ];
      for (const bad of tampered) {
        const message = expectError(await get(`/downloads/${bad}`), 403, 'DownloadLink.Invalid');
        assert.match(message, /not valid/);
      }
    });

    test('an expired link is 403 DownloadLink.Expired', async () => {
      const url = pathOf(downloadLink(app, artifact, 'http://localhost', 60_000));
      app.clock += 60_000;
      try {
        expectError(await get(url), 403, 'DownloadLink.Expired');
      } finally {
        app.clock -= 60_000;
      }
    });

    test("a genuine link naming another tenant's artifact finds nothing: 404", async () => {
      const token = signDownloadToken(app.serverKey, {
        tenantId: tenantB,
        artifactId: artifact.id,
        expiresAt: app.clock + 60_000,
      });
      expectError(await get(`/downloads/${token}`), 404, 'DownloadLink.FileGone');
    });

    test('an artifact whose object vanished from the store is 404, not 500', async () => {
      const lost = await produce(tenantB);
      await app.store.delete(lost.storageKey);
      expectError(
        await get(pathOf(downloadLink(app, lost, 'http://localhost'))),
        404,
        'DownloadLink.FileGone',
      );
    });

    test('after retention (before and after the sweep) the link says the file is gone and for how long files are kept', async () => {
      const url = pathOf(downloadLink(app, artifact, 'http://localhost', 30 * DAY));
      app.clock += 7 * DAY;
      const unswept = expectError(await get(url), 404, 'DownloadLink.FileGone');
      assert.match(unswept, /kept 7 days/);
      assert.ok((await sweepArtifacts(app)) >= 1);
      const swept = expectError(await get(url), 404, 'DownloadLink.FileGone');
      assert.match(swept, /kept 7 days/);
    });
  });
}
