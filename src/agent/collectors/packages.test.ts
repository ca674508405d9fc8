import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { collectPackages } from './packages.ts';

const DPKG_STATUS =
  'Package: bash\nStatus: install ok installed\nArchitecture: amd64\nVersion: 5.2.15-2+b7\n';
const APK_INSTALLED = 'P:musl\nV:1.2.4-r2\nA:x86_64\n\n';

async function withRoot(files: Record<string, string | null>, fn: (root: string) => Promise<void>) {
  const root = await mkdtemp(join(tmpdir(), 'parapet-packages-'));
  try {
    for (const [path, content] of Object.entries(files)) {
      // null: a directory where the database file should be, which cannot be read as one.
      await mkdir(join(root, content === null ? path : join(path, '..')), { recursive: true });
      if (content !== null) await writeFile(join(root, path), content);
    }
    await fn(root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

test('a host without any package database has no packages', async () => {
  await withRoot({}, async (root) => assert.deepEqual(await collectPackages(root), []));
});

test('every database found is read', async () => {
  await withRoot(
    { 'var/lib/dpkg/status': DPKG_STATUS, 'lib/apk/db/installed': APK_INSTALLED },
    async (root) => {
      const packages = await collectPackages(root);
      assert.deepEqual(
        packages.map((p) => `${p.manager} ${p.name}`),
        ['dpkg bash', 'apk musl'],
      );
    },
  );
});

test('a database that cannot be read is left out when another one can be', async () => {
  await withRoot(
    { 'var/lib/dpkg/status': DPKG_STATUS, 'var/lib/rpm/rpmdb.sqlite': 'not a database, not at all' },
    async (root) =>
      assert.deepEqual(
        (await collectPackages(root)).map((p) => p.name),
        ['bash'],
      ),
  );
  await withRoot({ 'var/lib/dpkg/status': null, 'lib/apk/db/installed': APK_INSTALLED }, async (root) =>
    assert.deepEqual(
      (await collectPackages(root)).map((p) => p.name),
      ['musl'],
    ),
  );
});

test('when every database found fails, the collection fails rather than report no packages', async () => {
  await withRoot(
    { 'var/lib/rpm/rpmdb.sqlite': 'not a database, not at all', 'var/lib/dpkg/status': null },
    async (root) => {
      await assert.rejects(collectPackages(root), (error: unknown) => {
        assert.ok(error instanceof AggregateError);
        assert.match(
          error.message,
          /^No package database could be read \(dpkg: EISDIR.*; rpm: The rpm database cannot be read/,
        );
        assert.equal(error.errors.length, 2);
        return true;
      });
    },
  );
});
