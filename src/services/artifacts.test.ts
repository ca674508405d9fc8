/**
 * Recording, finding, linking and sweeping artifacts on both databases, over
 * a real local store.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Database } from '../persistence/database.ts';
import { ObjectNotFoundError, type ArtifactStore } from '../storage/artifact-store.ts';
import { verifyDownloadToken } from '../storage/signed-link.ts';
import { dialects, openTestDatabase } from '../../test/support/databases.ts';
import { makeTestApp } from '../../test/support/app-context.ts';
import { testStateDir } from '../../test/support/state-dir.ts';
import {
  artifactKey,
  downloadLink,
  getArtifact,
  recordArtifact,
  sweepArtifacts,
  type Artifact,
} from './artifacts.ts';
import type { AppContext } from './context.ts';
import { createTenant } from './identity.ts';

const NOW = 1_700_000_000_000;
const DAY = 86_400_000;

test('artifactKey is one deterministic path per task file, and refuses names that are paths', () => {
  assert.equal(artifactKey(3, 41, 'vul export.xlsx'), 'tenants/3/tasks/41/vul export.xlsx');
  assert.equal(artifactKey(3, 41, 'vul export.xlsx'), artifactKey(3, 41, 'vul export.xlsx'));
  for (const bad of ['', '.', '..', 'a/b.xlsx', 'a\\b.xlsx']) {
    assert.throws(() => artifactKey(3, 41, bad), /cannot be an artifact file name/, bad);
  }
});

for (const dialect of dialects) {
  describe(`artifacts (${dialect})`, () => {
    let db: Database;
    let app: AppContext & { clock: number };
    let tenantA: number;
    let tenantB: number;
    let nextTask = 1;
    const work = mkdtempSync(join(testStateDir(), `artifacts-${dialect}-`));

    before(async () => {
      db = await openTestDatabase(dialect, `artifacts-${dialect}`);
      const ctx = await makeTestApp(db, {
        storage: { backend: 'local', dir: join(work, 'store') },
        now: NOW,
      });
      app = ctx;
      tenantA = (await createTenant(app, { name: 'tenant-a' })).TenantId;
      tenantB = (await createTenant(app, { name: 'tenant-b' })).TenantId;
    });
    after(() => db.close());

    const expiredCount = async () =>
      (await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM artifacts WHERE expires_at <= ?', [app.clock]))
        ?.n;

    /** Puts a small file in the store and records it, as an export task's commit does. */
    async function produce(tenantId: number, store: ArtifactStore = app.store): Promise<Artifact> {
      const taskId = nextTask++;
      const bytes = randomBytes(256);
      const path = join(work, `file-${taskId}`);
      writeFileSync(path, bytes);
      const fileName = `export-${taskId}.xlsx`;
      const storageKey = artifactKey(tenantId, taskId, fileName);
      const info = {
        contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        size: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      };
      await store.put(storageKey, path, info);
      return db.withTransaction((tx) =>
        recordArtifact(tx, app, { tenantId, taskId, storageKey, fileName, ...info }),
      );
    }

    test('a recorded artifact is found by its tenant only, with expiry = now + retention', async () => {
      const artifact = await produce(tenantA);
      assert.equal(artifact.createdAt, app.clock);
      assert.equal(artifact.expiresAt, app.clock + 7 * DAY);
      assert.equal(artifact.tenantId, tenantA);
      assert.equal(typeof artifact.id, 'number');
      assert.deepEqual(await getArtifact(app, tenantA, artifact.id), artifact);
      assert.equal(await getArtifact(app, tenantB, artifact.id), undefined);
      assert.equal(await getArtifact(app, tenantA, artifact.id + 1000), undefined);
    });

    test('recording in a transaction that rolls back leaves no row', async () => {
      const fields = {
        tenantId: tenantA,
        taskId: 999,
        storageKey: artifactKey(tenantA, 999, 'x.xlsx'),
        fileName: 'x.xlsx',
        contentType: 'text/plain',
        size: 1,
        sha256: 'a'.repeat(64),
      };
      let id = 0;
      await assert.rejects(
        db.withTransaction(async (tx) => {
          id = (await recordArtifact(tx, app, fields)).id;
          throw new Error('the task lost its lease');
        }),
        /lease/,
      );
      assert.equal(await getArtifact(app, tenantA, id), undefined);
    });

    test('downloadLink signs (tenant, artifact, expiry) under the request base or the public URL', async () => {
      const artifact = await produce(tenantA);
      const link = downloadLink(app, artifact, 'http://10.0.0.5:8080/');
      assert.equal(link.expiresAt, app.clock + 3_600_000);
      const match = /^http:\/\/10\.0\.0\.5:8080\/downloads\/([^/]+)$/.exec(link.url);
      assert.ok(match?.[1], link.url);
      assert.deepEqual(verifyDownloadToken(app.serverKey, match[1], app.clock), {
        tenantId: tenantA,
        artifactId: artifact.id,
        expiresAt: link.expiresAt,
      });

      const behindProxy = { ...app, publicUrl: 'https://parapet.example.com/sas' };
      const proxied = downloadLink(behindProxy, artifact, 'http://10.0.0.5:8080', 60_000);
      assert.match(proxied.url, /^https:\/\/parapet\.example\.com\/sas\/downloads\/[\w.-]+$/);
      assert.equal(proxied.expiresAt, app.clock + 60_000);
    });

    test('the sweeper removes expired artifacts from store and table and keeps the rest', async () => {
      const old = await produce(tenantA);
      app.clock += 2 * DAY;
      const young = await produce(tenantB);
      app.clock += 5 * DAY; // old is exactly at its expiry; young has 2 days left

      const expired = await expiredCount();
      assert.ok(expired !== undefined && expired >= 1);
      assert.equal(await sweepArtifacts(app), expired);
      assert.equal(await getArtifact(app, tenantA, old.id), undefined);
      await assert.rejects(app.store.open(old.storageKey), ObjectNotFoundError);
      assert.deepEqual(await getArtifact(app, tenantB, young.id), young);
      await app.store.open(young.storageKey).then((stream) => stream.resume());
      assert.equal(await sweepArtifacts(app), 0, 'nothing left to sweep');
    });

    test('several nodes sweeping at once remove each artifact once', async () => {
      const produced = await Promise.all([1, 2, 3, 4, 5].map(() => produce(tenantA)));
      app.clock += 8 * DAY;
      const expired = await expiredCount();
      assert.ok(expired !== undefined && expired >= produced.length);
      const counts = await Promise.all([sweepArtifacts(app), sweepArtifacts(app), sweepArtifacts(app)]);
      assert.equal(
        counts.reduce((a, b) => a + b, 0),
        expired,
        `each row is counted by the one sweep that deleted it (counts ${counts.join(', ')})`,
      );
      for (const artifact of produced) {
        assert.equal(await getArtifact(app, tenantA, artifact.id), undefined);
      }
      assert.equal(await sweepArtifacts(app), 0);
    });

    test('an object the store cannot delete keeps its row; the others are still swept', async () => {
      const stuck = await produce(tenantA);
      const other = await produce(tenantB);
      app.clock += 8 * DAY;
      const failing: AppContext = {
        ...app,
        store: {
          ...app.store,
          delete: (key) =>
            key === stuck.storageKey ? Promise.reject(new Error('access denied')) : app.store.delete(key),
        },
      };
      await assert.rejects(sweepArtifacts(failing), (err: Error) => {
        assert.match(err.message, /1 expired file\(s\) could not be deleted/);
        assert.match(String((err.cause as Error).message), /access denied/);
        return true;
      });
      assert.deepEqual(await getArtifact(app, tenantA, stuck.id), stuck);
      assert.equal(await getArtifact(app, tenantB, other.id), undefined);
      assert.equal(await sweepArtifacts(app), 1, 'the next sweep finishes it');
    });
  });
}
