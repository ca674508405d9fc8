import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { collectProcesses, parseStat } from './processes.ts';

test('the clock tick unit matches getconf CLK_TCK', () => {
  assert.equal(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim(), '100');
});

test('this process is listed with its parent, start time, name, path and user', async () => {
  const processes = await collectProcesses({ procRoot: '/proc', root: '/' });
  const self = processes.find((p) => p.pid === process.pid);
  assert.ok(self, 'own pid listed');
  assert.equal(self.ppid, process.ppid);
  // Node 24 names its main thread MainThread (nodejs/node#56416); on Linux that is the process's comm.
  assert.ok(['node', 'MainThread'].includes(self.name), self.name);
  assert.equal(self.path, process.execPath);
  assert.ok(self.cmdline.startsWith(process.argv0), self.cmdline);
  assert.ok(self.cmdline.length <= 1024);
  assert.ok(['R', 'S'].includes(self.state), self.state);
  const expectedStart = Date.now() - process.uptime() * 1000;
  assert.ok(Math.abs(self.startedAt - expectedStart) < 60_000, `${self.startedAt} vs ${expectedStart}`);
  const uid = process.getuid?.() ?? 0;
  const name = execFileSync('id', ['-un'], { encoding: 'utf8' }).trim();
  assert.equal(self.user, name === '' ? String(uid) : name);
  // pid 1 exists everywhere; pids are listed in order, once each.
  assert.ok(processes.some((p) => p.pid === 1));
  assert.deepEqual(
    processes.map((p) => p.pid),
    [...new Set(processes.map((p) => p.pid))].sort((a, b) => a - b),
  );
});

test('a process that has gone, or is half there, is left out; unknown uids are shown as numbers', async () => {
  const proc = await mkdtemp(join(tmpdir(), 'parapet-proc-'));
  try {
    await writeFile(join(proc, 'stat'), 'cpu 1 2 3\nbtime 1700000000\nprocesses 9\n');
    // 10: complete, with a comm holding spaces and parentheses, and a long command line.
    await mkdir(join(proc, '10'));
    await writeFile(
      join(proc, '10/stat'),
      '10 (a (b) c) S 1 10 10 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 250 1 1\n',
    );
    await writeFile(join(proc, '10/status'), 'Name:\ta (b) c\nUid:\t4321\t4321\t4321\t4321\n');
    await writeFile(join(proc, '10/comm'), 'a (b) c\n');
    await writeFile(join(proc, '10/cmdline'), `/bin/x\0--flag\0${'y'.repeat(5000)}\0`);
    // 11: listed but gone before its files were read.
    await mkdir(join(proc, '11'));
    await mkdir(join(proc, 'self'));
    const processes = await collectProcesses({ procRoot: proc, root: proc });
    assert.equal(processes.length, 1);
    const [p] = processes;
    assert.equal(p?.pid, 10);
    assert.equal(p?.ppid, 1);
    assert.equal(p?.name, 'a (b) c');
    assert.equal(p?.path, '');
    assert.equal(p?.user, '4321');
    assert.equal(p?.startedAt, 1_700_000_000_000 + 2_500);
    assert.equal(p?.cmdline.length, 1024);
    assert.ok(p?.cmdline.startsWith('/bin/x --flag yyy'));
  } finally {
    await rm(proc, { recursive: true, force: true });
  }
});

test('stat lines that cannot be parsed are refused', () => {
  assert.equal(parseStat(''), undefined);
  assert.equal(parseStat('1 (init) S'), undefined);
  assert.deepEqual(parseStat('1 (init) S 0 1 1 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 7 1 1'), {
    state: 'S',
    ppid: 0,
    startTicks: 7,
  });
});
