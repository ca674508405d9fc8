import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { collectAssets } from './index.ts';

test('an inventory of a prepared root, with this machine’s processes and ports', async () => {
  const root = await mkdtemp(join(tmpdir(), 'parapet-assets-'));
  try {
    await mkdir(join(root, 'etc'));
    await mkdir(join(root, 'var/lib/dpkg'), { recursive: true });
    await writeFile(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
    await writeFile(join(root, 'etc/group'), 'root:x:0:\n');
    await writeFile(
      join(root, 'var/lib/dpkg/status'),
      'Package: bash\nStatus: install ok installed\nArchitecture: amd64\nVersion: 5.2.15-2+b7\n',
    );
    const before = Date.now();
    const inventory = await collectAssets({ root, procRoot: '/proc' });
    assert.ok(inventory.collectedAt >= before && inventory.collectedAt <= Date.now());
    assert.deepEqual(
      inventory.packages.map((p) => p.name),
      ['bash'],
    );
    assert.deepEqual(
      inventory.users.map((u) => u.name),
      ['root'],
    );
    assert.ok(inventory.processes.some((p) => p.pid === process.pid));
    assert.ok(Array.isArray(inventory.ports));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('the defaults read this machine', async () => {
  const inventory = await collectAssets();
  assert.ok(inventory.packages.length > 0);
  assert.ok(inventory.users.some((u) => u.name === 'root' && u.isRoot));
  assert.ok(inventory.processes.some((p) => p.pid === 1));
});
