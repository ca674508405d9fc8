/**
 * One-time task ids are deterministic: the same request within the same
 * second (retried by a client, or received by two nodes) is one task.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Tenant } from '../domain/identity.ts';
import type { Database } from '../persistence/database.ts';
import { dialects, openTestDatabase } from '../../test/support/databases.ts';
import { makeTestApp, type TestApp } from '../../test/support/app-context.ts';
import { lightHostFacts } from '../../test/support/light-agent.ts';
import { createEnrollToken, enrollAgent } from './agents.ts';
import { createTenant, resolveTenant } from './identity.ts';
import { generateOnceTask, type OnceTaskRequest } from './once-tasks.ts';

const request: OnceTaskRequest = {
  taskType: 'ASSETS_COLLECTION',
  taskName: 'ASSETS_COLLECTION',
  param: '{}',
  source: 'test',
};

for (const dialect of dialects) {
  describe(`one-time task ids on ${dialect}`, () => {
    let db: Database;
    let app: TestApp;
    let tenant: Tenant;

    before(async () => {
      db = await openTestDatabase(dialect, import.meta.filename);
      app = await makeTestApp(db, { now: Date.UTC(2026, 11, 7, 8, 0, 0, 100) });
      await createTenant(app, { name: 'root' });
      tenant = await resolveTenant(app, 'root');
      const { Token } = await createEnrollToken(app, tenant, { ttlMs: 3_600_000 });
      await enrollAgent(app, Token, lightHostFacts('h1', '10.0.0.1'));
    });
    after(() => db.close());

    const taskId = async () => {
      const result = await generateOnceTask(app, tenant.id, request);
      assert.ok(result.created);
      return result.view.onceTaskId;
    };
    const taskRows = async () =>
      Number(
        (await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM tasks WHERE tenant_id = ?', [tenant.id]))?.n,
      );

    test('the same request within a second is one task, even when the two arrive at once', async () => {
      const [first, second] = await Promise.all([taskId(), taskId()]);
      assert.match(first, /^[0-9a-f]{32}$/);
      assert.equal(second, first);
      app.clock += 800; // still the same second
      assert.equal(await taskId(), first);
      assert.equal(await taskRows(), 1);
    });

    test('a second later, or another request, is another task', async () => {
      const before = await taskId();
      app.clock += 1000;
      const later = await taskId();
      assert.notEqual(later, before);
      const other = await generateOnceTask(app, tenant.id, { ...request, param: '{"timeout":60}' });
      assert.ok(other.created);
      assert.notEqual(other.view.onceTaskId, later);
      assert.equal(await taskRows(), 3);
    });
  });
}
