/**
 * The export service on both databases: the running export is returned for the
 * same request, the per-tenant limit, the snapshot, and a real run by a worker
 * whose stored file is read back.
 */
import assert from 'node:assert/strict';
import { buffer } from 'node:stream/consumers';
import { after, before, describe, test } from 'node:test';
import ExcelJS from 'exceljs';
import { ParapetError } from '../../domain/errors.ts';
import { MAX_UNFINISHED_EXPORTS, type ExportResult, type ExportSpec } from '../../domain/exports.ts';
import type { Caller, Principal } from '../../domain/identity.ts';
import type { VulType } from '../../domain/vulnerabilities.ts';
import { getTask, makeWorker, type Worker } from '../../engine/index.ts';
import type { Database } from '../../persistence/database.ts';
import { dialects, openTestDatabase } from '../../../test/support/databases.ts';
import { makeTestApp, type TestApp } from '../../../test/support/app-context.ts';
import { downloadLink } from '../artifacts.ts';
import { generateDemoData } from '../demo-data.ts';
import { createTenant, createUser, findUser, resolveTenant } from '../identity.ts';
import { makeTaskKinds } from '../task-kinds.ts';
import { describeExport, startExport } from './exports.ts';

const BASE_URL = 'http://127.0.0.1:8080';

async function callerOf(app: TestApp, tenantRef: string, principal: Principal): Promise<Caller> {
  return {
    tenant: await resolveTenant(app, tenantRef),
    principal,
    accessKeyId: 'LTAItest',
    sourceIp: '127.0.0.1',
    secureTransport: false,
  };
}

const vulSpec = (types: VulType[]): ExportSpec => ({
  source: 'vul',
  filter: { types },
});

async function waitFinal(app: TestApp, tenantId: number, id: number) {
  for (let i = 0; i < 300; i++) {
    const task = await getTask(app.db, tenantId, id);
    if (task && ['succeeded', 'failed', 'timed_out', 'cancelled'].includes(task.status)) return task;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`export ${id} did not finish`);
}

for (const dialect of dialects) {
  describe(`exports on ${dialect}`, () => {
    let db: Database;
    let app: TestApp;
    let root: Caller;
    let analyst: Caller;
    let stranger: Caller;

    before(async () => {
      db = await openTestDatabase(dialect, `exports-${dialect}`);
      app = await makeTestApp(db);
      const a = await createTenant(app, { name: 'tenant-a' });
      const b = await createTenant(app, { name: 'tenant-b' });
      const tenantA = await resolveTenant(app, String(a.TenantId));
      root = await callerOf(app, String(a.TenantId), await findUser(app, tenantA, 'root'));
      analyst = await callerOf(app, String(a.TenantId), await createUser(app, tenantA, 'analyst'));
      stranger = await callerOf(
        app,
        String(b.TenantId),
        await findUser(app, await resolveTenant(app, String(b.TenantId)), 'root'),
      );
      await generateDemoData(db, { tenantId: a.TenantId, hosts: 6, vulns: 240, seed: 3 });
      await generateDemoData(db, { tenantId: b.TenantId, hosts: 2, vulns: 40, seed: 4 });
    });
    after(() => db.close());

    test('the same request while one is unfinished returns it; a tenant has at most 5 unfinished', async () => {
      const first = await startExport(app, root, vulSpec(['cve']), { lang: 'zh' });
      assert.equal((await startExport(app, root, vulSpec(['cve']), { lang: 'zh' })).id, first.id);
      assert.notEqual(
        (await startExport(app, root, vulSpec(['cve']), { lang: 'en' })).id,
        first.id,
        'another language',
      );
      assert.notEqual(
        (await startExport(app, analyst, vulSpec(['cve']), { lang: 'zh' })).id,
        first.id,
        'another caller',
      );
      await startExport(app, root, vulSpec(['sys']), { lang: 'zh' });
      await startExport(app, root, { source: 'record', type: 'assetInstance' }, { lang: 'zh' });
      // Five are unfinished now.
      const refused = await startExport(app, root, vulSpec(['app']), { lang: 'zh' }).catch(
        (err: unknown) => err,
      );
      assert.ok(refused instanceof ParapetError);
      assert.equal(refused.code, 'Throttling.ExportLimit');
      assert.match(refused.message, new RegExp(`${MAX_UNFINISHED_EXPORTS} exports`));
      assert.equal(
        (await startExport(app, root, vulSpec(['cve']), { lang: 'zh' })).id,
        first.id,
        'still found at the limit',
      );
      const other = await startExport(app, stranger, vulSpec(['cve']), { lang: 'zh' });
      assert.notEqual(other.id, first.id, 'the limit is per tenant');

      const info = await describeExport(app, root.tenant.id, first.id);
      assert.equal(info.status, 'queued');
      assert.equal(info.progress, 0);
      assert.ok(info.totalCount > 0, 'the total is known from the start');
      assert.equal(info.artifact, undefined);
      await assert.rejects(describeExport(app, stranger.tenant.id, first.id), {
        code: 'ExportTask.NotFound',
      });
    });

    describe('run by a worker', () => {
      let worker: Worker;
      before(async () => {
        // Clear the queue of the test above so its exports do not count here.
        await db.run(`UPDATE tasks SET status = 'cancelled', finished_at = ? WHERE status = 'queued'`, [
          Date.now(),
        ]);
        worker = makeWorker({ db, kinds: makeTaskKinds(app), pollIntervalMs: 20, log: silent });
        worker.start();
      });
      after(() => worker.stop());

      test('stores a workbook of the snapshot, and finishes at 100 with a signed link', async () => {
        const { count } = (await db.get<{ count: number }>(
          `SELECT COUNT(*) AS count FROM vulnerabilities WHERE tenant_id = ? AND type = 'cve'`,
          [root.tenant.id],
        )) ?? { count: 0 };
        const started = await startExport(app, root, vulSpec(['cve']), { lang: 'en' });
        const task = await waitFinal(app, root.tenant.id, started.id);
        assert.equal(task.status, 'succeeded', task.errorMessage);
        const result = task.result as ExportResult;
        assert.equal(result.rows, Number(count));

        const info = await describeExport(app, root.tenant.id, started.id);
        assert.equal(info.progress, 100);
        assert.equal(info.currentCount, Number(count));
        assert.equal(info.totalCount, Number(count));
        assert.ok(info.artifact, 'the stored file is described');
        const link = downloadLink(app, info.artifact, BASE_URL);
        assert.ok(link.url.startsWith(`${BASE_URL}/downloads/`));
        assert.equal(link.expiresAt, app.now() + app.linkTtlMs);

        const artifact = await db.get<{ storage_key: string; sha256: string; size: number }>(
          'SELECT storage_key, sha256, size FROM artifacts WHERE id = ?',
          [result.artifactId],
        );
        assert.ok(artifact);
        const bytes = await buffer(await app.store.open(artifact.storage_key));
        assert.equal(bytes.length, artifact.size);
        const workbook = new ExcelJS.Workbook();
        await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
        const sheet = workbook.worksheets[0];
        assert.equal(sheet?.name, 'Vulnerabilities');
        assert.equal(sheet.rowCount, Number(count) + 1);
        assert.equal(sheet.getRow(1).getCell(1).value, 'Host name');
      });

      test('the total shown at the end is the rows in the file, even if some were deleted meanwhile', async () => {
        await worker.stop();
        const started = await startExport(app, stranger, vulSpec(['sys', 'cve']), { lang: 'en' });
        const before = (await getTask(db, stranger.tenant.id, started.id))?.totalCount ?? 0;
        await db.run(
          `DELETE FROM vulnerabilities WHERE id = (SELECT MIN(id) FROM vulnerabilities WHERE tenant_id = ? AND type = 'cve')`,
          [stranger.tenant.id],
        );
        worker = makeWorker({ db, kinds: makeTaskKinds(app), pollIntervalMs: 20, log: silent });
        worker.start();
        const task = await waitFinal(app, stranger.tenant.id, started.id);
        assert.equal(task.status, 'succeeded', task.errorMessage);
        assert.equal((task.result as ExportResult).rows, before - 1);
        assert.equal(task.totalCount, before - 1);
        assert.equal(task.doneCount, before - 1);
      });

      test('rows added after the request are not in the file', async () => {
        const started = await startExport(
          app,
          stranger,
          { source: 'record', type: 'assetInstance' },
          { lang: 'zh' },
        );
        await generateDemoData(db, { tenantId: stranger.tenant.id, hosts: 3, vulns: 0, seed: 9 });
        const task = await waitFinal(app, stranger.tenant.id, started.id);
        assert.equal(task.status, 'succeeded', task.errorMessage);
        assert.equal((task.result as ExportResult).rows, 2, 'the two hosts of the snapshot');
        assert.equal(task.totalCount, 2);
      });
    });
  });
}

const silent = { info() {}, warn() {}, error() {} };
