import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { collectHostFacts, listAddresses, parseOsRelease, readOsRelease } from './host-facts.ts';

test('the facts of this machine', async () => {
  const facts = await collectHostFacts({ agentVersion: '1.2.3' });
  assert.equal(facts.hostname, os.hostname());
  assert.equal(facts.os, 'linux');
  assert.equal(facts.kernel, os.release());
  assert.equal(facts.arch, os.machine());
  assert.equal(facts.agentVersion, '1.2.3');
  assert.ok(facts.cores >= 1);
  assert.ok(facts.memMb > 0);
  const release = await readOsRelease('/');
  assert.equal(facts.osName, release.get('PRETTY_NAME'));
  assert.equal(facts.osVersion, release.get('VERSION_ID') ?? '');
  assert.equal((await collectHostFacts({ name: 'web-01', agentVersion: '1.2.3' })).hostname, 'web-01');
});

test('os-release values are unquoted and unescaped; usr/lib is the fallback', async () => {
  const text = [
    '# comment',
    'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"',
    "NAME='Single quoted'",
    'VERSION_ID=12',
    'BUG_REPORT_URL="https://example.com/\\"x\\"\\$"',
    '',
  ].join('\n');
  const values = parseOsRelease(text);
  assert.equal(values.get('PRETTY_NAME'), 'Debian GNU/Linux 12 (bookworm)');
  assert.equal(values.get('NAME'), 'Single quoted');
  assert.equal(values.get('VERSION_ID'), '12');
  assert.equal(values.get('BUG_REPORT_URL'), 'https://example.com/"x"$');

  const root = await mkdtemp(join(os.tmpdir(), 'parapet-os-release-'));
  try {
    assert.equal((await readOsRelease(root)).size, 0);
    await mkdir(join(root, 'usr/lib'), { recursive: true });
    await writeFile(join(root, 'usr/lib/os-release'), 'VERSION_ID="3.19"\n');
    assert.equal((await readOsRelease(root)).get('VERSION_ID'), '3.19');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('addresses: IPv4 first, no loopback or link-local, MACs once each', () => {
  const entry = (address: string, family: 'IPv4' | 'IPv6', mac: string, internal = false) =>
    ({ address, family, mac, internal, netmask: '', cidr: null, scopeid: 0 }) as os.NetworkInterfaceInfo;
  const { ips, macs } = listAddresses({
    lo: [
      entry('127.0.0.1', 'IPv4', '00:00:00:00:00:00', true),
      entry('::1', 'IPv6', '00:00:00:00:00:00', true),
    ],
    eth0: [
      entry('2001:db8::10', 'IPv6', '52:54:00:12:34:56'),
      entry('10.0.0.5', 'IPv4', '52:54:00:12:34:56'),
    ],
    veth1: [entry('fe80::1', 'IPv6', 'aa:bb:cc:dd:ee:ff')],
    tun0: [entry('10.8.0.2', 'IPv4', '00:00:00:00:00:00')],
  });
  assert.deepEqual(ips, ['10.0.0.5', '10.8.0.2', '2001:db8::10']);
  assert.deepEqual(macs, ['52:54:00:12:34:56']);
});
