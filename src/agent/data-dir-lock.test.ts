import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { lockDataDir } from './data-dir-lock.ts';

async function withDir(body: (dir: string) => Promise<void>) {
  const dir = await mkdtemp(join(tmpdir(), 'parapet-lock-'));
  try {
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('a second agent on the same data dir is refused while the first holds it', () =>
  withDir(async (dir) => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      await writeFile(join(dir, 'agent.pid'), `${child.pid}\n`);
      await assert.rejects(lockDataDir(dir), /Another agent \(pid \d+\) is using/);
      assert.equal((await readFile(join(dir, 'agent.pid'), 'utf8')).trim(), String(child.pid));
    } finally {
      child.kill('SIGKILL');
    }
  }));

test('a pid file left by an agent that died is taken over, and released on stop', () =>
  withDir(async (dir) => {
    const child = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => child.once('exit', resolve));
    await writeFile(join(dir, 'agent.pid'), `${child.pid}\n`);
    const lock = await lockDataDir(dir);
    assert.equal((await readFile(join(dir, 'agent.pid'), 'utf8')).trim(), String(process.pid));
    await lock.release();
    await assert.rejects(readFile(join(dir, 'agent.pid')), { code: 'ENOENT' });
    await (await lockDataDir(dir)).release(); // free again
  }));
