/**
 * Password login and tokens on both databases: issue, resolve, expiry on the
 * test clock, revocation (also by a password change), the lock after five
 * wrong passwords, and failures that all look alike.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ParapetError, type ErrorCode } from '../domain/errors.ts';
import type { Principal, Tenant } from '../domain/identity.ts';
import type { Database } from '../persistence/database.ts';
import { dialects, openTestDatabase } from '../../test/support/databases.ts';
import { makeTestApp, type TestApp } from '../../test/support/app-context.ts';
import { createTenant, createUser, findUser, resolveTenant } from './identity.ts';
import {
  DEFAULT_TOKEN_TTL_MS,
  issueToken,
  LOGIN_LOCK_MS,
  resolveToken,
  revokeToken,
  revokeUserTokens,
  setPassword,
  sweepTokens,
  type LoginRequest,
} from './tokens.ts';

const NOW = 1_780_000_000_000;
const DAY = 86_400_000;

async function refusal(promise: Promise<unknown>, code: ErrorCode): Promise<ParapetError> {
  let caught: unknown;
  await promise.catch((err: unknown) => {
    caught = err;
  });
  assert.ok(caught instanceof ParapetError, `expected ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  return caught;
}

for (const dialect of dialects) {
  describe(`tokens on ${dialect}`, () => {
    let db: Database;
    let app: TestApp;
    let acme: Tenant;
    let other: Tenant;
    let root: Principal;
    let alice: Principal;

    const login = (over: Partial<LoginRequest> = {}): LoginRequest => ({
      domainName: 'acme',
      userName: 'alice',
      password: 'alice-password',
      projectId: acme.projectId,
      ...over,
    });

    before(async () => {
      db = await openTestDatabase(dialect, `tokens-${dialect}`);
      app = await makeTestApp(db, { now: NOW });
      await createTenant(app, { name: 'acme' });
      await createTenant(app, { name: 'other' });
      acme = await resolveTenant(app, 'acme');
      other = await resolveTenant(app, 'other');
      root = await findUser(app, acme, 'root');
      alice = await createUser(app, acme, 'alice');
      await setPassword(app, alice, 'alice-password');
      await setPassword(app, root, 'acme-root-password');
      await setPassword(app, await findUser(app, other, 'root'), 'other-root-password');
    });
    after(() => db.close());

    test('a login issues a token that resolves to its user; only its hash is stored', async () => {
      const issued = await issueToken(app, login());
      assert.match(issued.token, /^ppt_[A-Za-z0-9_-]{43}$/);
      assert.equal(issued.issuedAt, app.clock);
      assert.equal(issued.expiresAt, app.clock + DEFAULT_TOKEN_TTL_MS);
      assert.equal(issued.tenant.id, acme.id);
      assert.equal(issued.principal.id, alice.id);

      const resolved = await resolveToken(app, issued.token);
      assert.equal(resolved.tenant.projectId, acme.projectId);
      assert.equal(resolved.principal.name, 'alice');
      assert.equal(resolved.tokenId, createHash('sha256').update(issued.token).digest('hex'));
      assert.equal(resolved.expiresAt, issued.expiresAt);

      const rows = await db.all<Record<string, unknown>>('SELECT * FROM auth_tokens');
      assert.ok(rows.some((row) => row.id === resolved.tokenId));
      assert.ok(!JSON.stringify(rows).includes(issued.token.slice(4)));

      const unscoped = await issueToken(
        app,
        login({ projectId: undefined, userName: 'root', password: 'acme-root-password' }),
      );
      assert.equal(unscoped.principal.id, root.id);
      assert.notEqual(unscoped.token, issued.token);
    });

    test('a token expires on the clock; the lifetime can be given', async () => {
      const issued = await issueToken(app, login(), 60_000);
      assert.equal(issued.expiresAt, app.clock + 60_000);
      app.clock += 59_999;
      await resolveToken(app, issued.token);
      app.clock += 1;
      const err = await refusal(resolveToken(app, issued.token), 'InvalidToken');
      assert.match(err.message, new RegExp(`expired at ${new Date(issued.expiresAt).toISOString()}`));
    });

    test('unknown and malformed tokens get the default InvalidToken message', async () => {
      const issued = await issueToken(app, login());
      const tampered = `${issued.token.slice(0, -1)}${issued.token.endsWith('A') ? 'B' : 'A'}`;
      for (const token of ['', 'ppt_', 'ppt_short', issued.token.slice(4), `${issued.token}x`, tampered]) {
        const err = await refusal(resolveToken(app, token), 'InvalidToken');
        assert.equal(err.message, 'Incorrect IAM authentication information: decrypt token fail');
      }
    });

    test('revoking one token, and all of a user’s live tokens', async () => {
      const one = await issueToken(app, login());
      await revokeToken(app, one.token);
      await revokeToken(app, one.token);
      assert.match((await refusal(resolveToken(app, one.token), 'InvalidToken')).message, /was revoked/);

      await revokeUserTokens(app, alice);
      const short = await issueToken(app, login(), 1000);
      app.clock += 2000;
      const a = await issueToken(app, login());
      const b = await issueToken(app, login());
      const roots = await issueToken(app, login({ userName: 'root', password: 'acme-root-password' }));
      assert.equal(await revokeUserTokens(app, alice), 2);
      for (const token of [a.token, b.token]) {
        assert.match((await refusal(resolveToken(app, token), 'InvalidToken')).message, /was revoked/);
      }
      assert.match((await refusal(resolveToken(app, short.token), 'InvalidToken')).message, /expired/);
      assert.equal((await resolveToken(app, roots.token)).principal.id, root.id);
      assert.equal(await revokeUserTokens(app, alice), 0);
    });

    test('a new password revokes the user’s tokens and replaces the old password', async () => {
      const bob = await createUser(app, acme, 'bob');
      await setPassword(app, bob, 'first-password');
      const issued = await issueToken(app, login({ userName: 'bob', password: 'first-password' }));
      await setPassword(app, bob, 'second-password');
      assert.match((await refusal(resolveToken(app, issued.token), 'InvalidToken')).message, /was revoked/);
      await refusal(issueToken(app, login({ userName: 'bob', password: 'first-password' })), 'Login.Failed');
      await issueToken(app, login({ userName: 'bob', password: 'second-password' }));
      await refusal(setPassword(app, bob, 'short'), 'InvalidParameter');
    });

    test('five wrong passwords in a row lock the user for five minutes; a success resets the count', async () => {
      const carol = await createUser(app, acme, 'carol');
      await setPassword(app, carol, 'carol-password');
      const wrong = login({ userName: 'carol', password: 'not-carols' });
      const right = login({ userName: 'carol', password: 'carol-password' });

      for (let i = 0; i < 4; i++) await refusal(issueToken(app, wrong), 'Login.Failed');
      await issueToken(app, right);
      for (let i = 0; i < 4; i++) await refusal(issueToken(app, wrong), 'Login.Failed');
      const lockedAt = app.clock;
      const until = new Date(lockedAt + LOGIN_LOCK_MS).toISOString();
      assert.match((await refusal(issueToken(app, wrong), 'Login.Locked')).message, new RegExp(until));
      assert.match((await refusal(issueToken(app, right), 'Login.Locked')).message, new RegExp(until));
      // Other users are not affected.
      await issueToken(app, login());

      app.clock = lockedAt + LOGIN_LOCK_MS - 1;
      await refusal(issueToken(app, right), 'Login.Locked');
      app.clock = lockedAt + LOGIN_LOCK_MS;
      await refusal(issueToken(app, wrong), 'Login.Failed');
      await issueToken(app, right);
    });

    test('a new password clears the failure count', async () => {
      const dave = await createUser(app, acme, 'dave');
      await setPassword(app, dave, 'dave-password');
      const wrong = login({ userName: 'dave', password: 'not-daves' });
      for (let i = 0; i < 4; i++) await refusal(issueToken(app, wrong), 'Login.Failed');
      await setPassword(app, dave, 'dave-password-2');
      for (let i = 0; i < 4; i++) await refusal(issueToken(app, wrong), 'Login.Failed');
      await issueToken(app, login({ userName: 'dave', password: 'dave-password-2' }));
    });

    test('failures counted concurrently still lock at exactly every fifth', async () => {
      const erin = await createUser(app, acme, 'erin');
      await setPassword(app, erin, 'erin-password');
      const wrong = login({ userName: 'erin', password: 'not-erins' });
      const outcomes = await Promise.all(
        Array.from({ length: 10 }, () =>
          issueToken(app, wrong).catch((err: unknown) => (err as ParapetError).code),
        ),
      );
      assert.equal(outcomes.filter((code) => code === 'Login.Locked').length, 2);
      assert.equal(outcomes.filter((code) => code === 'Login.Failed').length, 8);
    });

    test('unknown tenant, unknown user, no password and a wrong password look the same', async () => {
      await createUser(app, acme, 'nopass');
      const attempts = [
        login({ domainName: 'nosuch' }),
        login({ domainName: 'other' }),
        login({ userName: 'nosuch' }),
        login({ userName: 'nopass' }),
        login({ password: 'wrong-password' }),
        login({ password: 'wrong-password', projectId: 'not-the-project' }),
        login({ domainName: acme.projectId }),
        login({ domainName: String(acme.id) }),
      ];
      const messages = new Set<string>();
      for (const attempt of attempts) {
        messages.add((await refusal(issueToken(app, attempt), 'Login.Failed')).message);
      }
      assert.deepEqual([...messages], ['The username or password is wrong.']);
      await issueToken(app, login());
    });

    test('a project that is not the user’s is refused, saying so only after the right password', async () => {
      const err = await refusal(issueToken(app, login({ projectId: other.projectId })), 'Login.Failed');
      assert.match(err.message, new RegExp(`"${other.projectId}" is not a project of user "alice"`));
      const otherRoot = login({ domainName: 'other', userName: 'root', password: 'other-root-password' });
      const issued = await issueToken(app, { ...otherRoot, projectId: other.projectId });
      assert.equal(issued.tenant.id, other.id);
      await refusal(issueToken(app, { ...otherRoot, password: 'acme-root-password' }), 'Login.Failed');
    });

    test('sweepTokens deletes tokens expired more than a day ago', async () => {
      await db.run('DELETE FROM auth_tokens');
      const old = await issueToken(app, login(), 1000);
      app.clock += DAY + 1000;
      const recent = await issueToken(app, login(), 1000);
      app.clock += 1000;
      const live = await issueToken(app, login());
      assert.equal(await sweepTokens(db, app.now()), 1);
      await refusal(resolveToken(app, old.token), 'InvalidToken');
      assert.match((await refusal(resolveToken(app, recent.token), 'InvalidToken')).message, /expired/);
      await resolveToken(app, live.token);
      assert.equal(await sweepTokens(db, app.now()), 0);
    });
  });
}
