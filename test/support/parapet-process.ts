/**
 * Runs Parapet as a user would: `parapet serve` as a real child process on
 * loopback, plus one-shot CLI commands against the same store.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Dialect } from '../../src/persistence/database.ts';
import { createDatabaseUrl } from './databases.ts';
import { freePort } from './postgres-server.ts';

const BIN = resolve(import.meta.dirname, '../../bin/parapet.js');

export interface ParapetProcess {
  endpoint: string; // host:port, as the Alibaba SDKs want it
  url: string;
  env: NodeJS.ProcessEnv;
  rootKey: { accessKeyId: string; accessKeySecret: string };
  /** Runs `parapet ARGS…` against the same store; returns parsed --json output. */
  cli(args: string[]): Record<string, unknown>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  output(): string;
}

async function waitForHealth(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`parapet serve exited early:\n${log()}`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`parapet serve did not become healthy:\n${log()}`);
}

export async function startParapet(
  dialect: Dialect,
  label: string,
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<ParapetProcess> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(resolve('.test-state'), 'parapet-'));
  const rootKey = { accessKeyId: 'LTAItestroot0000000000', accessKeySecret: 'rootsecret0000000000000000000' };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PARAPET_HOST: '127.0.0.1',
    PARAPET_PORT: String(port),
    PARAPET_DATA_DIR: dataDir,
    PARAPET_DATABASE_URL: dialect === 'postgres' ? await createDatabaseUrl('postgres', label) : '',
    PARAPET_ROOT_ACCESS_KEY_ID: rootKey.accessKeyId,
    PARAPET_ROOT_ACCESS_KEY_SECRET: rootKey.accessKeySecret,
    ...extraEnv,
  };
  const child = spawn(process.execPath, [BIN, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url, child, () => log);
  return {
    endpoint: `127.0.0.1:${port}`,
    url,
    env,
    rootKey,
    cli(args) {
      const result = spawnSync(process.execPath, [BIN, ...args, '--json'], { env, encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`parapet ${args.join(' ')} failed: ${result.stderr}`);
      return JSON.parse(result.stdout) as Record<string, unknown>;
    },
    stop(signal = 'SIGTERM') {
      return new Promise((resolveExit) => {
        if (child.exitCode !== null) return resolveExit(child.exitCode);
        child.once('exit', (code) => resolveExit(code));
        child.kill(signal);
      });
    },
    output: () => log,
  };
}
