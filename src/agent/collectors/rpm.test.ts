import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readRpmPackages, toPackage } from './rpm.ts';

// Two source packages: one with an epoch, one whose second binary package has another name.
const SPECS = {
  'parapet-test-a': `Name: parapet-test-a
Version: 1.2.3
Release: 4.el9
Epoch: 2
Summary: First test package
License: MIT
BuildArch: noarch
%description
First.
%files
`,
  'parapet-test-b': `Name: parapet-test-b
Version: 0.9
Release: 1
Summary: Second test package
License: MIT
BuildArch: noarch
%description
Second.
%package -n libparapet-b
Summary: Library of the second package
%description -n libparapet-b
Library.
%files
%files -n libparapet-b
`,
};

let work = '';
let root = '';

function run(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') {
      throw new Error(`this test builds a real rpm database with ${command}: apt-get install rpm`);
    }
    throw error;
  }
}

// A real rpmdb.sqlite, as rpm writes it: built here because rpm cannot install into a BerkeleyDB or NDB.
before(async () => {
  work = await mkdtemp(join(tmpdir(), 'parapet-rpm-'));
  root = join(work, 'root');
  const database = join(root, 'var/lib/rpm');
  await mkdir(database, { recursive: true });
  for (const [name, spec] of Object.entries(SPECS)) {
    await writeFile(join(work, `${name}.spec`), spec);
    run('rpmbuild', [
      '-bb',
      '--quiet',
      '--define',
      `_topdir ${join(work, 'top')}`,
      join(work, `${name}.spec`),
    ]);
  }
  const rpmsDir = join(work, 'top/RPMS/noarch');
  const rpms = (await readdir(rpmsDir)).map((file) => join(rpmsDir, file));
  run('rpm', ['--dbpath', database, '--initdb']);
  run('rpm', ['--dbpath', database, '-i', '--justdb', '--nodeps', '--noscripts', ...rpms]);
});

after(async () => {
  if (work !== '') await rm(work, { recursive: true, force: true });
});

test('a real rpmdb.sqlite is read as rpm itself lists it', async () => {
  const packages = await readRpmPackages(root);
  assert.ok(packages !== null);
  const listed = run('rpm', [
    '--dbpath',
    join(root, 'var/lib/rpm'),
    '-qa',
    '--qf',
    '%{NAME}\\t%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\\t%{ARCH}\\n',
  ]);
  assert.deepEqual(
    packages.map((p) => `${p.name}\t${p.version}\t${p.arch}`).sort(),
    listed.trim().split('\n').sort(),
  );
  const byName = new Map(packages.map((p) => [p.name, p]));
  assert.deepEqual(byName.get('parapet-test-a'), {
    name: 'parapet-test-a',
    version: '2:1.2.3-4.el9',
    arch: 'noarch',
    source: '',
    manager: 'rpm',
    summary: '',
    size: 0,
  });
  assert.equal(byName.get('libparapet-b')?.source, 'parapet-test-b');
  assert.equal(byName.get('libparapet-b')?.version, '0.9-1');
});

test('usr/lib/sysimage/rpm linked to var/lib/rpm is read once', async () => {
  await mkdir(join(root, 'usr/lib/sysimage'), { recursive: true });
  await symlink('../../../var/lib/rpm', join(root, 'usr/lib/sysimage/rpm'));
  try {
    assert.equal((await readRpmPackages(root))?.length, 3);
  } finally {
    await rm(join(root, 'usr/lib/sysimage/rpm'));
  }
});

test('no database is null; a database that cannot be parsed is an error naming its files', async () => {
  const empty = await mkdtemp(join(tmpdir(), 'parapet-rpm-empty-'));
  try {
    assert.equal(await readRpmPackages(empty), null);
    await mkdir(join(empty, 'var/lib/rpm'), { recursive: true });
    assert.equal(await readRpmPackages(empty), null);
    await writeFile(join(empty, 'var/lib/rpm/rpmdb.sqlite'), 'not a database, not at all');
    await writeFile(join(empty, 'var/lib/rpm/Packages'), Buffer.alloc(8192, 7));
    await assert.rejects(readRpmPackages(empty), /rpmdb\.sqlite: file is not a database; .*Packages: /);
  } finally {
    await rm(empty, { recursive: true, force: true });
  }
});

test('headers map to versions with epochs, source names and unsigned sizes', () => {
  const header = { name: 'kernel-core', version: '5.14.0', release: '427.el9', size: -1 };
  assert.deepEqual(
    toPackage({ ...header, epoch: 0, arch: 'x86_64', sourceRPM: 'kernel-5.14.0-427.el9.src.rpm' }),
    {
      name: 'kernel-core',
      version: '5.14.0-427.el9',
      arch: 'x86_64',
      source: 'kernel',
      manager: 'rpm',
      summary: '',
      size: 2 ** 32 - 1,
    },
  );
  // gpg-pubkey has neither arch nor source RPM.
  const key = toPackage({ name: 'gpg-pubkey', version: 'fd431d51', release: '4ae0493b', size: 0 });
  assert.equal(key.arch, '');
  assert.equal(key.source, '');
});
