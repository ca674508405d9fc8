import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_AGENT_BODY_BYTES, type AssignmentResultData } from '../domain/agent-protocol.ts';
import { mergeParts } from '../services/assignments.ts';
import { splitResult } from './results.ts';

const big: AssignmentResultData = {
  type: 'ASSETS_COLLECTION',
  inventory: {
    collectedAt: 1_700_000_000_000,
    packages: Array.from({ length: 20_000 }, (_, i) => ({
      name: `package-${i}`,
      version: `1.${i}-1`,
      arch: 'amd64',
      source: '',
      manager: 'dpkg' as const,
      summary: 'x'.repeat(40),
    })),
    processes: [
      {
        pid: 1,
        ppid: 0,
        name: 'init',
        path: '/sbin/init',
        cmdline: 'init',
        user: 'root',
        startedAt: 1,
        state: 'S',
      },
    ],
    ports: [],
    users: [
      {
        name: 'root',
        uid: 0,
        gid: 0,
        home: '/root',
        shell: '/bin/sh',
        groups: ['root'],
        isRoot: true,
        canLogin: true,
      },
    ],
  },
};

test('a large result is split into parts under the body limit that merge back to the original', () => {
  const parts = splitResult(big);
  assert.ok(parts.length > 1);
  for (const [index, part] of parts.entries()) {
    assert.equal(part.part, index + 1);
    assert.equal(part.parts, parts.length);
    assert.ok(Buffer.byteLength(JSON.stringify(part)) < MAX_AGENT_BODY_BYTES);
  }
  assert.deepEqual(mergeParts(parts.map((p) => p.data!)), big);
});

test('a small result is one part', () => {
  const report: AssignmentResultData = {
    type: 'VIRUS_SCAN',
    report: {
      startedAt: 1,
      finishedAt: 2,
      roots: ['/srv'],
      engines: ['builtin'],
      scannedFiles: 3,
      scannedBytes: 300,
      detections: [],
      skippedCount: 0,
      skipped: [],
    },
  };
  const parts = splitResult(report);
  assert.equal(parts.length, 1);
  assert.deepEqual(parts[0]?.data, report);
});
