/** `admin user passwd` and `admin token revoke` through runAdmin, on both databases. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ParapetError } from '../domain/errors.ts';
import type { Database } from '../persistence/database.ts';
import { createTenant } from '../services/identity.ts';
import { issueToken, resolveToken } from '../services/tokens.ts';
import { dialects, openTestDatabase } from '../../test/support/databases.ts';
import { makeTestApp, type TestApp } from '../../test/support/app-context.ts';
import { runAdmin } from './admin.ts';

for (const dialect of dialects) {
  describe(`admin passwords and tokens on ${dialect}`, () => {
    let db: Database;
    let app: TestApp;
    let tenantId: number;
    const login = (password: string) =>
      issueToken(app, { domainName: 'acme', userName: 'alice', password, projectId: undefined });

    before(async () => {
      db = await openTestDatabase(dialect, `admin-${dialect}`);
      app = await makeTestApp(db);
      tenantId = (await createTenant(app, { name: 'acme' })).TenantId;
      await runAdmin(app, ['user', 'create', 'alice'], { tenant: 'acme' });
    });
    after(() => db.close());

    test('user passwd sets the password that token login checks', async () => {
      assert.deepEqual(
        await runAdmin(app, ['user', 'passwd', 'alice'], { tenant: 'acme', password: 'alice-password' }),
        { UserName: 'alice', TenantId: tenantId, Password: 'set' },
      );
      assert.equal((await login('alice-password')).principal.name, 'alice');
      await assert.rejects(
        runAdmin(app, ['user', 'passwd', 'alice'], { tenant: 'acme', password: 'short' }),
        (err: unknown) => err instanceof ParapetError && err.code === 'InvalidParameter',
      );
      await assert.rejects(
        runAdmin(app, ['user', 'passwd', 'alice'], { tenant: 'acme' }),
        /missing --password PW/,
      );
      await assert.rejects(
        runAdmin(app, ['user', 'passwd', 'nobody'], { tenant: 'acme', password: 'whatever-1' }),
        /no user "nobody"/,
      );
      await login('alice-password');
    });

    test('token revoke revokes every live token of the user and says how many', async () => {
      await runAdmin(app, ['token', 'revoke', 'alice'], { tenant: 'acme' });
      const tokens = [await login('alice-password'), await login('alice-password')];
      const result = await runAdmin(app, ['token', 'revoke', 'alice'], { tenant: 'acme' });
      assert.deepEqual(result, { UserName: 'alice', TenantId: tenantId, RevokedTokens: 2 });
      for (const { token } of tokens) await assert.rejects(resolveToken(app, token), /was revoked/);
      assert.equal((await runAdmin(app, ['token', 'revoke', 'alice'], { tenant: 'acme' })).RevokedTokens, 0);
      await assert.rejects(runAdmin(app, ['token', 'revoke'], { tenant: 'acme' }), /missing USER/);
    });
  });
}
