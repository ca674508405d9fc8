/**
 * The HSS dialect refuses what it must, in its own error body and status,
 * and creates nothing: bad signatures and dates, other tenants' projects,
 * expired and revoked tokens, policy denials, malformed bodies, wrong types,
 * unknown paths.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openDatabase, type Database } from '../src/persistence/database.ts';
import { dialects } from './support/databases.ts';
import { expectHssSdkError, makeHssSdkClient, signedFetch } from './support/hss-clients.ts';
import { makeDataDir, startParapet, type ParapetProcess } from './support/parapet-process.ts';

const PASSWORD = 'a-long-enough-password';
/** Requests per second per tenant; the other tests stay well below it. */
const RATE_LIMIT = 40;

interface Key {
  accessKeyId: string;
  accessKeySecret: string;
}

async function errorBody(response: Response): Promise<Record<string, unknown>> {
  assert.match(response.headers.get('content-type') ?? '', /application\/json/);
  assert.match(response.headers.get('x-request-id') ?? '', /^[0-9a-f]{32}$/);
  return (await response.json()) as Record<string, unknown>;
}

for (const dialect of dialects) {
  describe(`HSS refusals (${dialect})`, () => {
    let parapet: ParapetProcess;
    let db: Database;
    let projectId: string;
    let tenantName: string;
    let other: { projectId: string; key: Key };
    let base: string;

    const taskCount = async () =>
      Number((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM tasks'))?.n ?? 0);

    async function login(user: string, password = PASSWORD, domain = tenantName, project = projectId) {
      return fetch(`${parapet.url}/v3/auth/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          auth: {
            identity: {
              methods: ['password'],
              password: { user: { name: user, password, domain: { name: domain } } },
            },
            scope: { project: { id: project } },
          },
        }),
      });
    }

    async function tokenFor(user: string): Promise<string> {
      const response = await login(user);
      assert.equal(response.status, 201, await response.clone().text());
      return response.headers.get('x-subject-token') ?? '';
    }

    const exportBody = JSON.stringify({ operate_all: true });

    before(async () => {
      parapet = await startParapet(dialect, 'hss-errors', { PARAPET_RATE_LIMIT: String(RATE_LIMIT) });
      parapet.cli(['demo-data', '--hosts', '3', '--vulns', '20', '--images', '5', '--seed', '2']);
      parapet.cli(['admin', 'user', 'passwd', 'root', '--password', PASSWORD]);
      const tenant = (
        parapet.cli(['admin', 'tenant', 'list']).Tenants as { ProjectId: string; Name: string }[]
      )[0];
      projectId = tenant?.ProjectId ?? '';
      tenantName = tenant?.Name ?? '';
      base = `${parapet.url}/v5/${projectId}`;
      const created = parapet.cli(['admin', 'tenant', 'create', 'other-team']);
      other = {
        projectId: String(created.ProjectId),
        key: { accessKeyId: String(created.AccessKeyId), accessKeySecret: String(created.AccessKeySecret) },
      };
      // A reader may list images, and nothing else.
      parapet.cli(['admin', 'user', 'create', 'reader']);
      parapet.cli(['admin', 'user', 'passwd', 'reader', '--password', PASSWORD]);
      const policy = join(makeDataDir(), 'policy.json');
      writeFileSync(
        policy,
        JSON.stringify({
          Version: '1',
          Statement: [{ Effect: 'Allow', Action: ['hss:image:list'], Resource: '*' }],
        }),
      );
      parapet.cli(['admin', 'policy', 'put', 'reader', policy]);
      db = await openDatabase({ url: parapet.databaseUrl });
    });
    after(async () => {
      await db?.close();
      await parapet?.stop();
    });

    test('a wrong secret key is 401 APIGW.0301 through the SDK, with the request id', async () => {
      const before = await taskCount();
      const sdk = makeHssSdkClient(parapet.url, projectId, {
        ...parapet.rootKey,
        accessKeySecret: 'x'.repeat(30),
      });
      const error = await expectHssSdkError(
        sdk.send({
          method: 'POST',
          url: '/v5/{project_id}/image/local-vulnerability/export',
          queryParams: { export_size: 10 },
          data: { operate_all: true },
        }),
      );
      assert.equal(error.httpStatusCode, 401);
      assert.equal(error.errorCode, 'APIGW.0301');
      assert.match(error.errorMsg, /verify aksk signature fail/);
      assert.match(error.requestId ?? '', /^[0-9a-f]{32}$/);
      assert.equal(await taskCount(), before);
    });

    test('an X-Sdk-Date 20 minutes old, an unknown key and no credentials are 401 APIGW.0301', async () => {
      const old = await signedFetch(`${base}/image/local-repositories`, parapet.rootKey, {
        date: Date.now() - 20 * 60_000,
      });
      assert.equal(old.status, 401);
      assert.equal((await errorBody(old)).error_code, 'APIGW.0301');
      const unknown = await signedFetch(`${base}/image/local-repositories`, {
        accessKeyId: 'NOSUCHKEY00000000',
        accessKeySecret: 'whatever-secret-0000',
      });
      assert.equal(unknown.status, 401);
      const anonymous = await fetch(`${base}/image/local-repositories`);
      assert.equal(anonymous.status, 401);
      const body = await errorBody(anonymous);
      assert.equal(body.error_code, 'APIGW.0301');
      assert.match(String(body.request_id), /^[0-9a-f]{32}$/);
    });

    test("another tenant's project id is 403 HSS.0010 and shows nothing, by key and by token", async () => {
      const byKey = await signedFetch(
        `${parapet.url}/v5/${other.projectId}/image/local-repositories`,
        parapet.rootKey,
      );
      assert.equal(byKey.status, 403);
      const body = await errorBody(byKey);
      assert.equal(body.error_code, 'HSS.0010');
      assert.equal(body.data_list, undefined);
      const theirs = await signedFetch(`${base}/image/local-repositories`, other.key);
      assert.equal(theirs.status, 403);
      const token = await tokenFor('root');
      const byToken = await fetch(`${parapet.url}/v5/${other.projectId}/image/local-repositories`, {
        headers: { 'x-auth-token': token },
      });
      assert.equal(byToken.status, 403);
      assert.equal((await errorBody(byToken)).error_code, 'HSS.0010');
      // The other tenant sees its own (empty) image list.
      const own = await signedFetch(
        `${parapet.url}/v5/${other.projectId}/image/local-repositories`,
        other.key,
      );
      assert.equal(own.status, 200);
      assert.equal(((await own.json()) as { total_num: number }).total_num, 0);
    });

    test('expired and revoked tokens are 401 APIGW.0301; wrong passwords are refused, then locked', async () => {
      const token = await tokenFor('root');
      const ok = await fetch(`${base}/image/local-repositories`, { headers: { 'x-auth-token': token } });
      assert.equal(ok.status, 200);
      const revoked = await fetch(`${parapet.url}/v3/auth/tokens`, {
        method: 'DELETE',
        headers: { 'x-auth-token': token, 'x-subject-token': token },
      });
      assert.equal(revoked.status, 204);
      const afterRevoke = await fetch(`${base}/image/local-repositories`, {
        headers: { 'x-auth-token': token },
      });
      assert.equal(afterRevoke.status, 401);
      assert.equal((await errorBody(afterRevoke)).error_code, 'APIGW.0301');

      const expiring = await tokenFor('root');
      const id = createHash('sha256').update(expiring).digest('hex');
      await db.run('UPDATE auth_tokens SET expires_at = ? WHERE id = ?', [Date.now() - 1000, id]);
      const expired = await fetch(`${base}/image/local-repositories`, {
        headers: { 'x-auth-token': expiring },
      });
      assert.equal(expired.status, 401);
      assert.match(String((await errorBody(expired)).error_msg), /expired/);

      const forged = await fetch(`${base}/image/local-repositories`, {
        headers: { 'x-auth-token': 'ppt_forged' },
      });
      assert.equal(forged.status, 401);

      for (let i = 0; i < 4; i++) assert.equal((await login('reader', 'wrong-password!')).status, 401);
      assert.equal((await login('reader', 'wrong-password!')).status, 429, 'the fifth wrong password locks');
      const locked = await login('reader', PASSWORD);
      assert.equal(locked.status, 429, 'locked even with the right password');
      assert.equal(((await locked.json()) as { error: { code: number } }).error.code, 429);
      assert.equal((await login('nobody', PASSWORD)).status, 401);
      await db.run('DELETE FROM login_failures');
    });

    test('a policy denial is 403 HSS.0013 naming the action; the allowed action works', async () => {
      const token = await tokenFor('reader');
      const headers = { 'x-auth-token': token, 'content-type': 'application/json' };
      const before = await taskCount();
      const denied = await fetch(`${base}/image/local-vulnerability/export?export_size=10`, {
        method: 'POST',
        headers,
        body: exportBody,
      });
      assert.equal(denied.status, 403);
      const body = await errorBody(denied);
      assert.equal(body.error_code, 'HSS.0013');
      assert.match(String(body.error_msg), /hss:image:exportLocalVul/);
      assert.equal(await taskCount(), before);
      const allowed = await fetch(`${base}/image/local-repositories`, { headers });
      assert.equal(allowed.status, 200);
    });

    test('malformed bodies, wrong types and missing parameters are 400 and create nothing', async () => {
      const before = await taskCount();
      const cases: { query: string; body: string; code: string; message: RegExp }[] = [
        { query: 'export_size=10', body: '{"operate_all": tru', code: 'HSS.0002', message: /not valid JSON/ },
        { query: 'export_size=10', body: '[1,2]', code: 'HSS.0001', message: /JSON object/ },
        { query: 'export_size=10', body: '', code: 'HSS.0001', message: /body/ },
        { query: '', body: exportBody, code: 'HSS.0001', message: /export_size/ },
        { query: 'export_size=ten', body: exportBody, code: 'HSS.0001', message: /export_size/ },
        { query: 'export_size=0', body: exportBody, code: 'HSS.0001', message: /export_size/ },
        { query: 'export_size=10', body: '{"operate_all":"yes"}', code: 'HSS.0001', message: /operate_all/ },
        {
          query: 'export_size=10',
          body: '{"operate_all":true,"image_size":"big"}',
          code: 'HSS.0001',
          message: /image_size/,
        },
        {
          query: 'export_size=10',
          body: '{"operate_all":true,"vul_type":"os_vul"}',
          code: 'HSS.0001',
          message: /vul_type/,
        },
        { query: 'export_size=10', body: '{"image_id_list":[]}', code: 'HSS.0001', message: /image_id_list/ },
        {
          query: 'export_size=10',
          body: '{"operate_all":true,"start_latest_scan_time":5,"end_latest_scan_time":1}',
          code: 'HSS.0001',
          message: /start_latest_scan_time/,
        },
      ];
      for (const c of cases) {
        const response = await signedFetch(
          `${base}/image/local-vulnerability/export?${c.query}`,
          parapet.rootKey,
          {
            method: 'POST',
            body: c.body,
          },
        );
        assert.equal(response.status, 400, `${c.query} ${c.body}`);
        const body = await errorBody(response);
        assert.equal(body.error_code, c.code, `${c.query} ${c.body}: ${JSON.stringify(body)}`);
        assert.match(String(body.error_msg), c.message);
      }
      const badQuery = await signedFetch(`${base}/image/local-repositories?limit=many`, parapet.rootKey);
      assert.equal(badQuery.status, 400);
      assert.equal(await taskCount(), before);
    });

    test('unknown paths and methods are 404 APIGW.0101; unknown tasks and files are HSS.0011', async () => {
      const unknown = await signedFetch(`${base}/no/such/api`, parapet.rootKey);
      assert.equal(unknown.status, 404);
      assert.equal((await errorBody(unknown)).error_code, 'APIGW.0101');
      const wrongMethod = await signedFetch(`${base}/image/local-repositories`, parapet.rootKey, {
        method: 'POST',
        body: '{}',
      });
      assert.equal(wrongMethod.status, 404);
      for (const path of ['export-task/999999', 'export-task/abc', 'download/999999']) {
        const response = await signedFetch(`${base}/${path}`, parapet.rootKey);
        assert.equal(response.status, 400, path);
        assert.equal((await errorBody(response)).error_code, 'HSS.0011', path);
      }
    });

    test('more requests per second than the limit are 429 APIGW.0308', async () => {
      const token = await tokenFor('root');
      const burst = await Promise.all(
        Array.from({ length: RATE_LIMIT * 3 }, () =>
          fetch(`${base}/image/local-repositories?limit=1`, { headers: { 'x-auth-token': token } }),
        ),
      );
      const throttled = burst.filter((response) => response.status === 429);
      assert.ok(throttled.length > 0, 'some requests are throttled');
      assert.ok(burst.every((response) => response.status === 200 || response.status === 429));
      const [first, ...rest] = throttled;
      assert.equal((await errorBody(first!)).error_code, 'APIGW.0308');
      // Read the other bodies so no socket is left half-read.
      await Promise.all(
        [...rest, ...burst.filter((response) => response.status === 200)].map((r) => r.text()),
      );
    });
  });
}
