/**
 * /v3/auth/tokens in-process (Fastify inject) on both databases: the Keystone
 * login answer, its error bodies, strict body parsing, and GET/DELETE with
 * X-Auth-Token and X-Subject-Token.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import type { Tenant } from '../../domain/identity.ts';
import type { Database } from '../../persistence/database.ts';
import type { AppContext } from '../../services/context.ts';
import { createTenant, createUser, findUser, resolveTenant } from '../../services/identity.ts';
import { resolveToken, setPassword } from '../../services/tokens.ts';
import { dialects, openTestDatabase } from '../../../test/support/databases.ts';
import { makeTestApp, type TestApp } from '../../../test/support/app-context.ts';
import { registerIamRoutes } from './tokens.ts';

const NOW = Date.UTC(2026, 10, 29, 17, 48, 8, 123);
const BODY_LIMIT = 16 * 1024;

/** A Fastify instance like the real server's: every body is kept as raw bytes. */
function makeServer(app: AppContext, logged: unknown[] = []): FastifyInstance {
  const http = Fastify({ bodyLimit: BODY_LIMIT });
  http.removeAllContentTypeParsers();
  http.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  registerIamRoutes(http, { app, log: (_message, err) => logged.push(err) });
  return http;
}

interface LoginFields {
  user?: unknown;
  password?: unknown;
  domain?: unknown;
  scope?: unknown;
}

function loginBody({ user = 'alice', password = 'alice-password', domain = 'acme', scope }: LoginFields) {
  return {
    auth: {
      identity: {
        methods: ['password'],
        password: { user: { name: user, password, domain: { name: domain } } },
      },
      ...(scope === undefined ? {} : { scope }),
    },
  };
}

function assertIamError(response: LightMyRequestResponse, status: number, title: string, message?: RegExp) {
  assert.equal(response.statusCode, status, response.body);
  assert.match(String(response.headers['x-request-id']), /^[0-9a-f]{32}$/);
  assert.match(String(response.headers['content-type']), /^application\/json/);
  const body = response.json<{ error: { code: number; message: string; title: string } }>();
  assert.deepEqual(Object.keys(body), ['error']);
  assert.equal(body.error.code, status);
  assert.equal(body.error.title, title);
  assert.equal(typeof body.error.message, 'string');
  if (message) assert.match(body.error.message, message);
}

for (const dialect of dialects) {
  describe(`/v3/auth/tokens on ${dialect}`, () => {
    let db: Database;
    let app: TestApp;
    let http: FastifyInstance;
    let acme: Tenant;

    const post = (body: unknown, url = '/v3/auth/tokens') =>
      http.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json;charset=utf8' },
        payload: typeof body === 'string' ? body : JSON.stringify(body),
      });
    const tokenCount = async () =>
      Number((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM auth_tokens'))?.n);
    const loginAs = async (fields: LoginFields = {}) => {
      const response = await post(loginBody(fields));
      assert.equal(response.statusCode, 201, response.body);
      return String(response.headers['x-subject-token']);
    };

    before(async () => {
      db = await openTestDatabase(dialect, `iam-tokens-${dialect}`);
      app = await makeTestApp(db, { now: NOW });
      await createTenant(app, { name: 'acme' });
      acme = await resolveTenant(app, 'acme');
      await setPassword(app, await createUser(app, acme, 'alice'), 'alice-password');
      await setPassword(app, await findUser(app, acme, 'root'), 'root-password');
      http = makeServer(app);
    });
    after(async () => {
      await http.close();
      await db.close();
    });

    test('POST answers 201 with X-Subject-Token and the Huawei IAM token body', async () => {
      const response = await post(loginBody({ scope: { project: { id: acme.projectId } } }));
      assert.equal(response.statusCode, 201, response.body);
      const token = String(response.headers['x-subject-token']);
      assert.match(token, /^ppt_[A-Za-z0-9_-]{43}$/);
      assert.match(String(response.headers['x-request-id']), /^[0-9a-f]{32}$/);
      assert.equal(response.headers['cache-control'], 'no-store');
      const alice = await findUser(app, acme, 'alice');
      const domain = { id: acme.accountId, name: 'acme' };
      assert.deepEqual(response.json(), {
        token: {
          expires_at: '2026-11-30T17:48:08.123000Z',
          issued_at: '2026-11-29T17:48:08.123000Z',
          methods: ['password'],
          user: { id: String(alice.id), name: 'alice', domain, password_expires_at: '' },
          project: { id: acme.projectId, name: 'acme', domain },
          roles: [],
          catalog: [],
        },
      });
      assert.equal((await resolveToken(app, token)).principal.id, alice.id);
    });

    test('POST without a scope, and with ?nocatalog=true', async () => {
      const unscoped = await post(loginBody({ user: 'root', password: 'root-password' }));
      assert.equal(unscoped.statusCode, 201, unscoped.body);
      const nocatalog = await post(loginBody({}), '/v3/auth/tokens?nocatalog=true');
      assert.equal(nocatalog.statusCode, 201, nocatalog.body);
      assert.equal(nocatalog.json<{ token: { user: { name: string } } }>().token.user.name, 'alice');
    });

    test('login failures: 401 Unauthorized, the project, and 429 once locked', async () => {
      const before = await tokenCount();
      for (const fields of [{ password: 'wrong-password' }, { user: 'nosuch' }, { domain: 'nosuch' }]) {
        assertIamError(
          await post(loginBody(fields)),
          401,
          'Unauthorized',
          /^The username or password is wrong\.$/,
        );
      }
      assertIamError(
        await post(loginBody({ scope: { project: { id: 'a'.repeat(32) } } })),
        401,
        'Unauthorized',
        /is not a project of user "alice"/,
      );
      const bob = await createUser(app, acme, 'bob');
      await setPassword(app, bob, 'bob-password');
      for (let i = 0; i < 4; i++) {
        assertIamError(await post(loginBody({ user: 'bob', password: 'x'.repeat(8) })), 401, 'Unauthorized');
      }
      assertIamError(
        await post(loginBody({ user: 'bob', password: 'x'.repeat(8) })),
        429,
        'Too Many Requests',
        /refused until 2026-11-29T17:53:08\.123Z/,
      );
      assertIamError(
        await post(loginBody({ user: 'bob', password: 'bob-password' })),
        429,
        'Too Many Requests',
      );
      assert.equal(await tokenCount(), before);
    });

    test('malformed and mistyped bodies are 400 Bad Request and create nothing', async () => {
      const before = await tokenCount();
      const valid = loginBody({});
      const identity = valid.auth.identity;
      const user = identity.password.user;
      const cases: Array<[unknown, RegExp]> = [
        ['', /not valid JSON/],
        ['{"auth":', /not valid JSON/],
        ['null', /"body" is not valid: it must be a JSON object/],
        ['[]', /"body" is not valid/],
        ['"auth"', /"body" is not valid/],
        [{}, /"auth" that is mandatory/],
        [{ auth: [] }, /"auth" is not valid/],
        [{ auth: {} }, /"auth\.identity" that is mandatory/],
        [{ auth: { identity: { ...identity, methods: 'password' } } }, /"auth\.identity\.methods".*array/],
        [{ auth: { identity: { ...identity, methods: ['password', 1] } } }, /array of strings/],
        [{ auth: { identity: { ...identity, methods: ['token'] } } }, /only the "password" method/],
        [{ auth: { identity: { methods: ['password'] } } }, /"auth\.identity\.password" that is mandatory/],
        [loginBody({ user: 42 }), /"auth\.identity\.password\.user\.name" is not valid: it must be a string/],
        [loginBody({ password: null }), /"auth\.identity\.password\.user\.password" is not valid/],
        [
          loginBody({ domain: { name: 'acme' } }),
          /"auth\.identity\.password\.user\.domain\.name" is not valid/,
        ],
        [
          { auth: { identity: { ...identity, password: { user: { ...user, domain: 'acme' } } } } },
          /"auth\.identity\.password\.user\.domain" is not valid: it must be a JSON object/,
        ],
        [
          {
            auth: {
              identity: { ...identity, password: { user: { name: 'alice', password: 'x', domain: {} } } },
            },
          },
          /"auth\.identity\.password\.user\.domain\.name" that is mandatory/,
        ],
        [loginBody({ scope: 'project' }), /"auth\.scope" is not valid/],
        [loginBody({ scope: { domain: { name: 'acme' } } }), /only a project scope/],
        [
          loginBody({ scope: { project: { name: acme.projectId } } }),
          /by project id \(auth\.scope\.project\.id\)/,
        ],
        [loginBody({ scope: { project: { id: 7 } } }), /"auth\.scope\.project\.id" is not valid/],
        [loginBody({ scope: { project: {} } }), /"auth\.scope\.project\.id" that is mandatory/],
        // Inherited properties are not fields.
        ['{"auth":{"identity":{"__proto__":{"methods":["password"]}}}}', /"auth\.identity\.methods" that is/],
      ];
      for (const [body, message] of cases) {
        assertIamError(await post(body), 400, 'Bad Request', message);
      }
      const noBody = await http.inject({ method: 'POST', url: '/v3/auth/tokens' });
      assertIamError(noBody, 400, 'Bad Request', /not valid JSON/);
      assertIamError(await post('x'.repeat(BODY_LIMIT + 1)), 413, 'Payload Too Large');
      assert.equal(await tokenCount(), before);
    });

    test('GET validates a token of the caller’s own user', async () => {
      const caller = await loginAs();
      const subject = await loginAs();
      const response = await http.inject({
        method: 'GET',
        url: '/v3/auth/tokens',
        headers: { 'x-auth-token': caller, 'x-subject-token': subject },
      });
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.headers['x-subject-token'], subject);
      assert.match(String(response.headers['x-request-id']), /^[0-9a-f]{32}$/);
      const body = response.json<{ token: { user: { name: string }; project: { id: string } } }>();
      assert.equal(body.token.user.name, 'alice');
      assert.equal(body.token.project.id, acme.projectId);

      const get = (headers: Record<string, string>) =>
        http.inject({ method: 'GET', url: '/v3/auth/tokens', headers });
      assertIamError(
        await get({ 'x-subject-token': subject }),
        401,
        'Unauthorized',
        /x-auth-token not found/,
      );
      assertIamError(
        await get({ 'x-auth-token': 'ppt_nonsense', 'x-subject-token': subject }),
        401,
        'Unauthorized',
        /decrypt token fail/,
      );
      assertIamError(await get({ 'x-auth-token': caller }), 400, 'Bad Request', /X-Subject-Token/);
      assertIamError(
        await get({ 'x-auth-token': caller, 'x-subject-token': `ppt_${'A'.repeat(43)}` }),
        404,
        'Not Found',
        /^Could not find token: .*decrypt token fail/,
      );
      const rootToken = await loginAs({ user: 'root', password: 'root-password' });
      assertIamError(await get({ 'x-auth-token': rootToken, 'x-subject-token': subject }), 403, 'Forbidden');
    });

    test('DELETE revokes a token of the caller’s own user, including the caller’s', async () => {
      const caller = await loginAs();
      const subject = await loginAs();
      const rootToken = await loginAs({ user: 'root', password: 'root-password' });
      const del = (auth: string, target: string) =>
        http.inject({
          method: 'DELETE',
          url: '/v3/auth/tokens',
          headers: { 'x-auth-token': auth, 'x-subject-token': target },
        });

      assertIamError(await del(rootToken, subject), 403, 'Forbidden');
      await resolveToken(app, subject);
      const revoked = await del(caller, subject);
      assert.equal(revoked.statusCode, 204, revoked.body);
      assert.equal(revoked.body, '');
      assert.match(String(revoked.headers['x-request-id']), /^[0-9a-f]{32}$/);
      assertIamError(await del(caller, subject), 404, 'Not Found', /was revoked/);

      assert.equal((await del(caller, caller)).statusCode, 204);
      assertIamError(await del(caller, rootToken), 401, 'Unauthorized', /was revoked/);
      await resolveToken(app, rootToken);
    });
  });
}

test('an unexpected failure is a logged 500 in the Keystone body', async () => {
  const db = await openTestDatabase('sqlite', 'iam-tokens-broken');
  const app = await makeTestApp(db);
  const logged: unknown[] = [];
  const http = makeServer(app, logged);
  await db.close();
  try {
    const response = await http.inject({
      method: 'POST',
      url: '/v3/auth/tokens',
      payload: JSON.stringify(loginBody({})),
    });
    assertIamError(response, 500, 'Internal Server Error');
    assert.equal(logged.length, 1);
    assert.ok(logged[0] instanceof Error);
  } finally {
    await http.close();
  }
});
