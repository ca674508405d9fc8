/**
 * Runs Parapet as a user would: `parapet serve` and `parapet worker` as real
 * child processes on loopback, plus one-shot CLI commands against the same store.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Dialect } from '../../src/persistence/database.ts';
import { createDatabaseUrl } from './databases.ts';
import { testStateDir } from './state-dir.ts';
import { freePort } from './postgres-server.ts';

const BIN = resolve(import.meta.dirname, '../../bin/parapet.js');

export interface ParapetProcess {
  endpoint: string; // host:port, as the Alibaba SDKs want it
  url: string;
  env: NodeJS.ProcessEnv;
  /** The store the server opened: PARAPET_DATABASE_URL, or the SQLite file in its data dir. */
  databaseUrl: string;
  rootKey: { accessKeyId: string; accessKeySecret: string };
  /** Runs `parapet ARGS…` against the same store; returns parsed --json output. */
  cli(args: string[]): Record<string, unknown>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  output(): string;
}

export interface ParapetWorkerProcess {
  /** The worker's name in the `lease_owner` column of the tasks it holds. */
  owner: string;
  /** Sends `signal` and resolves with the exit code once the process is gone (null when a signal ended it). */
  kill(signal: NodeJS.Signals): Promise<number | null>;
  /** kill('SIGTERM'): finishes running tasks, then exits. */
  stop(): Promise<number | null>;
  output(): string;
}

/** A new, empty data directory under the test run's state dir, kept for inspection. */
export function makeDataDir(): string {
  return mkdtempSync(join(testStateDir(), 'parapet-'));
}

interface Child {
  child: ChildProcess;
  output: () => string;
  kill: (signal: NodeJS.Signals) => Promise<number | null>;
}

function spawnParapet(args: string[], env: NodeJS.ProcessEnv): Child {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  return {
    child,
    output: () => log,
    kill(signal) {
      return new Promise((resolveExit) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolveExit(child.exitCode);
        child.once('exit', (code) => resolveExit(code));
        child.kill(signal);
      });
    },
  };
}

/** Polls until `ready()` holds; fails at once if the process exits first. */
async function waitUntil(what: string, { child, output }: Child, ready: () => Promise<boolean>) {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited early:\n${output()}`);
    if (await ready()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not become ready:\n${output()}`);
}

async function isHealthy(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/healthz`)).status === 200;
  } catch {
    return false; // not listening yet
  }
}

/**
 * Starts `parapet serve` on a free port with a new data dir and, on PostgreSQL,
 * a new database. `extraEnv` wins over both: pass PARAPET_DATABASE_URL and/or
 * PARAPET_DATA_DIR to point a second node at an existing store, and
 * PARAPET_PORT to restart a server where its clients expect it.
 */
export async function startParapet(
  dialect: Dialect,
  label: string,
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<ParapetProcess> {
  const port = extraEnv.PARAPET_PORT ? Number(extraEnv.PARAPET_PORT) : await freePort();
  const rootKey = { accessKeyId: 'LTAItestroot0000000000', accessKeySecret: 'rootsecret0000000000000000000' };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PARAPET_HOST: '127.0.0.1',
    PARAPET_PORT: String(port),
    PARAPET_DATA_DIR: extraEnv.PARAPET_DATA_DIR ?? makeDataDir(),
    PARAPET_DATABASE_URL:
      extraEnv.PARAPET_DATABASE_URL ??
      (dialect === 'postgres' ? await createDatabaseUrl('postgres', label) : ''),
    PARAPET_ROOT_ACCESS_KEY_ID: rootKey.accessKeyId,
    PARAPET_ROOT_ACCESS_KEY_SECRET: rootKey.accessKeySecret,
    ...extraEnv,
  };
  const server = spawnParapet(['serve'], env);
  const url = `http://127.0.0.1:${port}`;
  await waitUntil('parapet serve', server, () => isHealthy(url));
  return {
    endpoint: `127.0.0.1:${port}`,
    url,
    env,
    databaseUrl: env.PARAPET_DATABASE_URL || join(String(env.PARAPET_DATA_DIR), 'parapet.db'),
    rootKey,
    cli(args) {
      const result = spawnSync(process.execPath, [BIN, ...args, '--json'], { env, encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`parapet ${args.join(' ')} failed: ${result.stderr}`);
      return JSON.parse(result.stdout) as Record<string, unknown>;
    },
    stop: (signal = 'SIGTERM') => server.kill(signal),
    output: server.output,
  };
}

/**
 * Starts `parapet worker` with exactly `env` (typically a server's env plus
 * overrides) and waits until it announces itself.
 */
export async function startParapetWorker(env: NodeJS.ProcessEnv): Promise<ParapetWorkerProcess> {
  const worker = spawnParapet(['worker'], env);
  const announced = () => /Parapet worker (\S+) is running/.exec(worker.output())?.[1];
  await waitUntil('parapet worker', worker, () => Promise.resolve(announced() !== undefined));
  return {
    owner: announced() ?? '',
    kill: worker.kill,
    stop: () => worker.kill('SIGTERM'),
    output: worker.output,
  };
}
