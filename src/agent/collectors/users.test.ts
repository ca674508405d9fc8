import assert from 'node:assert/strict';
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { canLogIn, collectUsers, LASTLOG_LAYOUT, type LastlogLayout, readLastLogins } from './users.ts';

const PASSWD = `root:x:0:0:root:/root:/bin/bash
# a comment
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
sync:x:4:65534:sync:/bin:/bin/sync
alice:x:1000:1000:Alice,,,:/home/alice:/bin/zsh
bob:x:1001:4242::/home/bob:
+@netgroup::::::
alice:x:2000:2000:a second alice:/tmp:/bin/sh
`;

const GROUP = `root:x:0:
daemon:x:1:
sudo:x:27:alice
nogroup:x:65534:
docker:x:999:alice, bob
alice:x:1000:alice
`;

const ROOT_LOGIN = 1_700_000_000;
const ALICE_LOGIN = 1_710_000_000;

/** Writes lastlog records at their uid's offset, leaving the rest of the file a hole, as lastlog does. */
async function writeLastlog(
  path: string,
  layout: LastlogLayout,
  records: [uid: number, time: number, host: string][],
) {
  const file = await open(path, 'w');
  try {
    for (const [uid, time, host] of records) {
      const record = Buffer.alloc(layout.recordSize);
      if (layout.timeBytes === 4) record.writeUInt32LE(time, 0);
      else record.writeBigUInt64LE(BigInt(time), 0);
      record.write('pts/0', layout.timeBytes);
      record.write(host, layout.timeBytes + 32);
      await file.write(record, 0, record.length, uid * layout.recordSize);
    }
  } finally {
    await file.close();
  }
}

let root = '';
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'parapet-users-'));
  await mkdir(join(root, 'etc'));
  await mkdir(join(root, 'var/log'), { recursive: true });
  await writeFile(join(root, 'etc/passwd'), PASSWD);
  await writeFile(join(root, 'etc/group'), GROUP);
  await writeLastlog(join(root, 'var/log/lastlog'), LASTLOG_LAYOUT, [
    [0, ROOT_LOGIN, '192.0.2.10'],
    [1000, ALICE_LOGIN, ''],
  ]);
});

after(async () => {
  if (root !== '') await rm(root, { recursive: true, force: true });
});

test('users come with their groups, login shells and last logins', async () => {
  const users = await collectUsers(root);
  assert.deepEqual(
    users.map((u) => u.name),
    ['root', 'daemon', 'sync', 'alice', 'bob'],
  );
  const [rootUser, daemon, sync, alice, bob] = users;
  assert.deepEqual(rootUser, {
    name: 'root',
    uid: 0,
    gid: 0,
    home: '/root',
    shell: '/bin/bash',
    groups: ['root'],
    isRoot: true,
    canLogin: true,
    lastLoginAt: ROOT_LOGIN * 1000,
    lastLoginIp: '192.0.2.10',
  });
  assert.equal(daemon?.canLogin, false);
  assert.equal(daemon?.lastLoginAt, undefined);
  assert.deepEqual(sync?.groups, ['nogroup']);
  assert.equal(sync?.canLogin, false);
  // The primary group first, then the supplementary ones in file order, without repeating the primary.
  assert.deepEqual(alice?.groups, ['alice', 'sudo', 'docker']);
  assert.equal(alice?.uid, 1000);
  assert.equal(alice?.isRoot, false);
  assert.equal(alice?.lastLoginAt, ALICE_LOGIN * 1000);
  assert.equal('lastLoginIp' in (alice ?? {}), false);
  // A primary gid with no group is named by its number.
  assert.deepEqual(bob?.groups, ['4242', 'docker']);
  assert.equal(bob?.canLogin, true, 'an empty shell is /bin/sh');
});

test('a system without etc/group or lastlog still lists its users', async () => {
  const bare = await mkdtemp(join(tmpdir(), 'parapet-users-bare-'));
  try {
    assert.deepEqual(await collectUsers(bare), []);
    await mkdir(join(bare, 'etc'));
    await writeFile(join(bare, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
    const [user] = await collectUsers(bare);
    assert.deepEqual(user?.groups, ['0']);
    assert.equal(user?.lastLoginAt, undefined);
  } finally {
    await rm(bare, { recursive: true, force: true });
  }
});

test('both lastlog layouts are read: 292-byte (x86-64) and 296-byte (arm64)', async () => {
  for (const layout of [
    { recordSize: 292, timeBytes: 4 },
    { recordSize: 296, timeBytes: 8 },
  ] as const) {
    const path = join(root, `lastlog-${layout.recordSize}`);
    await writeLastlog(path, layout, [
      [5, ROOT_LOGIN, 'host.example'],
      [7, 0, ''],
    ]);
    const logins = await readLastLogins(path, [5, 6, 7, 4_000_000_000], layout);
    assert.deepEqual([...logins], [[5, { at: ROOT_LOGIN * 1000, host: 'host.example' }]]);
  }
});

test('refusing shells', () => {
  for (const shell of [
    '/usr/sbin/nologin',
    '/sbin/nologin',
    '/bin/false',
    '/usr/bin/false',
    '/bin/sync',
    '/sbin/shutdown',
    '/sbin/halt',
  ]) {
    assert.equal(canLogIn(shell), false, shell);
  }
  // An empty shell is /bin/sh (passwd(5)).
  for (const shell of ['/bin/bash', '/bin/sh', '/usr/bin/zsh', '/usr/bin/fish', ''])
    assert.equal(canLogIn(shell), true, shell);
});
