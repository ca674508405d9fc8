import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SYSTEM_SCAN_PATHS } from '../domain/virus-scan.ts';
import { scanRootsOf } from './agent.ts';

test('a system scan walks the scan roots, or the system paths without any', () => {
  assert.deepEqual(scanRootsOf({ scanType: 'system', paths: ['/ignored'] }, []), {
    roots: [...SYSTEM_SCAN_PATHS],
    outside: [],
  });
  assert.deepEqual(scanRootsOf({ scanType: 'system', paths: [] }, ['/data/a', '/data/b']), {
    roots: ['/data/a', '/data/b'],
    outside: [],
  });
});

test('a user scan walks its paths; with scan roots, only those inside them, the rest listed as skipped', () => {
  assert.deepEqual(scanRootsOf({ scanType: 'user', paths: ['/srv', '/home/u'] }, []), {
    roots: ['/srv', '/home/u'],
    outside: [],
  });
  const { roots, outside } = scanRootsOf(
    { scanType: 'user', paths: ['/data/a', '/data/a/sub/', '/data/ab', '/data/a/../b', '/etc'] },
    ['/data/a/'],
  );
  assert.deepEqual(roots, ['/data/a', '/data/a/sub/']);
  assert.deepEqual(
    outside.map((s) => [s.path, s.reason, s.detail]),
    ['/data/ab', '/data/a/../b', '/etc'].map((path) => [
      path,
      'outside-roots',
      "outside the agent's --scan-root",
    ]),
  );
});
