import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseDpkgStatus, readDpkgPackages } from './dpkg.ts';

const STATUS = `Package: adduser
Status: install ok installed
Priority: important
Installed-Size: 686
Architecture: all
Version: 3.134
Conffiles:
 /etc/adduser.conf cc3493ecd2d09837ffdcc3e25fdfff18
Description: add and remove users and groups
 This package includes the 'adduser' and 'deluser' commands.
 .
 Package: not-a-field

Package: zlib1g
Status: hold ok installed
Architecture: amd64
Multi-Arch: same
Source: zlib (1:1.2.13.dfsg-1)
Version: 1:1.2.13.dfsg-1+b1
Description: compression library - runtime

Package: zlib1g
Status: install ok installed
Architecture: i386
Multi-Arch: same
Source: zlib (1:1.2.13.dfsg-1)
Version: 1:1.2.13.dfsg-1+b1
Description: compression library - runtime

Package: removed-conf
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0

Package: purged
Status: purge ok not-installed
Architecture: amd64

Package: marked-for-removal
Status: deinstall ok installed
Architecture: amd64
Version: 2.0

Package: half
Status: install reinstreq half-installed
Architecture: amd64
Version: 3.0

Package: bash
Status: install ok installed
Source: bash
Architecture: amd64
Version: 5.2.15-2+b7
Installed-Size: notanumber
Description: GNU Bourne Again SHell`;

test('installed stanzas are kept, with source names, summaries and sizes', () => {
  const packages = parseDpkgStatus(STATUS);
  assert.deepEqual(
    packages.map((p) => `${p.name}:${p.arch}`),
    ['adduser:all', 'zlib1g:amd64', 'zlib1g:i386', 'bash:amd64'],
  );
  assert.deepEqual(packages[0], {
    name: 'adduser',
    version: '3.134',
    arch: 'all',
    source: '',
    manager: 'dpkg',
    summary: 'add and remove users and groups',
    size: 686 * 1024,
  });
  assert.equal(packages[1]?.source, 'zlib');
  assert.equal(packages[1]?.version, '1:1.2.13.dfsg-1+b1');
  assert.equal(packages[1]?.size, undefined);
  // Source equal to the package's own name is left empty.
  assert.equal(packages[3]?.source, '');
  assert.equal(packages[3]?.size, undefined);
});

test('CRLF line ends and a stanza without Status (distroless status.d) are read', () => {
  const packages = parseDpkgStatus(
    'Package: tzdata\r\nVersion: 2024a-0+deb12u1\r\nArchitecture: all\r\n\r\n',
  );
  assert.deepEqual(
    packages.map((p) => [p.name, p.version, p.arch]),
    [['tzdata', '2024a-0+deb12u1', 'all']],
  );
});

test('status and status.d are both read; md5sums files are skipped; no database is null', async () => {
  const root = await mkdtemp(join(tmpdir(), 'parapet-dpkg-'));
  try {
    assert.equal(await readDpkgPackages(root), null);
    await mkdir(join(root, 'var/lib/dpkg/status.d'), { recursive: true });
    await writeFile(join(root, 'var/lib/dpkg/status'), STATUS);
    await writeFile(
      join(root, 'var/lib/dpkg/status.d/base-files'),
      'Package: base-files\nVersion: 12.4+deb12u5\nArchitecture: amd64\n',
    );
    await writeFile(join(root, 'var/lib/dpkg/status.d/base-files.md5sums'), 'Package: bogus\nVersion: 1\n');
    const packages = await readDpkgPackages(root);
    assert.deepEqual(
      packages?.map((p) => p.name),
      ['adduser', 'zlib1g', 'zlib1g', 'bash', 'base-files'],
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test("this machine's dpkg status matches dpkg-query", async () => {
  const output = execFileSync(
    'dpkg-query',
    ['-W', '-f', '${Package}\\t${Version}\\t${Architecture}\\t${db:Status-Abbrev}\\n'],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  const expected = output
    .split('\n')
    .map((line) => line.split('\t'))
    .filter(([, , , abbrev]) => abbrev?.startsWith('ii') === true || abbrev?.startsWith('hi') === true)
    .map(([name, version, arch]) => `${name} ${version} ${arch}`)
    .sort();
  const packages = await readDpkgPackages('/');
  assert.ok(packages !== null);
  const actual = packages.map((p) => `${p.name} ${p.version} ${p.arch}`).sort();
  assert.ok(expected.length > 0);
  assert.deepEqual(actual, expected);
});
