/** The operator contract of the `parapet` command, as real processes. */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { createDatabaseUrl, dialects } from './support/databases.ts';
import { testStateDir } from './support/state-dir.ts';

const BIN = resolve(import.meta.dirname, '../bin/parapet.js');

function cliEnv(databaseUrl: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PARAPET_DATA_DIR: mkdtempSync(join(testStateDir(), 'cli-')),
    PARAPET_DATABASE_URL: databaseUrl,
  };
}

for (const dialect of dialects) {
  test(`admin commands print exactly one JSON object each (${dialect})`, async () => {
    const env = cliEnv(
      dialect === 'postgres' ? await createDatabaseUrl('postgres', import.meta.filename) : '',
    );
    const run = (...args: string[]) => {
      const result = spawnSync(process.execPath, [BIN, ...args, '--json'], { env, encoding: 'utf8' });
      assert.equal(result.status, 0, result.stderr);
      return JSON.parse(result.stdout) as Record<string, unknown>;
    };
    const tenant = run('admin', 'tenant', 'create', 'acme');
    assert.match(String(tenant.AccountId), /^[1-9]\d{15}$/);
    assert.match(String(tenant.ProjectId), /^[0-9a-f]{32}$/);
    assert.match(String(tenant.AccessKeyId), /^LTAI\w{20}$/);
    assert.equal(String(tenant.AccessKeySecret).length, 30);
    run('admin', 'user', 'create', 'alice', '--tenant', 'acme');
    const key = run('admin', 'key', 'create', 'alice', '--tenant', String(tenant.AccountId));
    const keys = run('admin', 'key', 'list', '--tenant', String(tenant.TenantId)).AccessKeys as {
      AccessKeyId: string;
    }[];
    assert.deepEqual(keys.map((k) => k.AccessKeyId).sort(), [tenant.AccessKeyId, key.AccessKeyId].sort());
    assert.equal(statSync(join(env.PARAPET_DATA_DIR!, 'server-key')).mode & 0o777, 0o600);
    assert.deepEqual(
      run('admin', 'user', 'passwd', 'alice', '--password', 'alice-password', '--tenant', 'acme'),
      {
        UserName: 'alice',
        TenantId: tenant.TenantId,
        Password: 'set',
      },
    );

    const bad = spawnSync(process.execPath, [BIN, 'admin', 'user', 'create', 'alice', '--tenant', 'acme'], {
      env,
      encoding: 'utf8',
    });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /exists already/);
  });

  test(`parapet worker runs beside the store and exits 0 on SIGTERM (${dialect})`, async () => {
    const env = cliEnv(
      dialect === 'postgres' ? await createDatabaseUrl('postgres', import.meta.filename) : '',
    );
    const child = spawn(process.execPath, [BIN, 'worker'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 15_000;
    while (!output.includes('is running') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    assert.match(output, /Parapet worker .* is running/);
    const exit = new Promise<number | null>((r) => child.once('exit', r));
    child.kill('SIGTERM');
    assert.equal(await exit, 0);
  });
}
