import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseApkInstalled, readApkPackages } from './apk.ts';

// Abridged from an Alpine 3.19 image: every field we do not read is kept to show it is ignored.
const INSTALLED = `C:Q1jGxn1dDnTwwI8Z7VHpChd3KE4ZE=
P:musl
V:1.2.4_git20230717-r4
A:x86_64
S:407614
I:662528
T:the musl c library (libc) implementation
U:https://musl.libc.org/
L:MIT
o:musl
m:Timo Teräs <timo.teras@iki.fi>
t:1701862640
c:1a1e5dc6e8b0ca0e1df30541dbad7fbf5c3dd6c4
p:so:libc.musl-x86_64.so.1=1
F:lib
R:ld-musl-x86_64.so.1
a:0:0:755
Z:Q1YYFBgUs7XOKQH4NNpxF3h8y/Jy0=
R:libc.musl-x86_64.so.1

C:Q1Bo7jrhTCmmKwRtsiSeB7VMzdhFY=
P:libcrypto3
V:3.1.4-r5
A:x86_64
I:4423680
T:Crypto library from openssl
o:openssl
t:1707336640
D:so:libc.musl-x86_64.so.1

P:no-version-is-skipped
A:x86_64
`;

test('packages are parsed with origin, summary and size', () => {
  assert.deepEqual(parseApkInstalled(INSTALLED), [
    {
      name: 'musl',
      version: '1.2.4_git20230717-r4',
      arch: 'x86_64',
      source: '',
      manager: 'apk',
      summary: 'the musl c library (libc) implementation',
      size: 662528,
    },
    {
      name: 'libcrypto3',
      version: '3.1.4-r5',
      arch: 'x86_64',
      source: 'openssl',
      manager: 'apk',
      summary: 'Crypto library from openssl',
      size: 4423680,
    },
  ]);
});

test('the database is read from lib/ or usr/lib/, once when one links to the other', async () => {
  const root = await mkdtemp(join(tmpdir(), 'parapet-apk-'));
  try {
    assert.equal(await readApkPackages(root), null);
    await mkdir(join(root, 'usr/lib/apk/db'), { recursive: true });
    await writeFile(join(root, 'usr/lib/apk/db/installed'), INSTALLED);
    assert.deepEqual(
      (await readApkPackages(root))?.map((p) => p.name),
      ['musl', 'libcrypto3'],
    );
    await mkdir(join(root, 'lib/apk'), { recursive: true });
    await symlink('../../usr/lib/apk/db', join(root, 'lib/apk/db'));
    assert.deepEqual(
      (await readApkPackages(root))?.map((p) => p.name),
      ['musl', 'libcrypto3'],
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
