/**
 * The host agent (`parapet agent`): enrolls once, reports its host, then
 * keeps a long poll open (its heartbeat) and runs what it is assigned — one
 * assignment at a time per type, so a collection can run beside a scan —
 * reporting progress about once a second and posting results in parts.
 * See docs/agent-protocol.md.
 */
import { readFileSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import type {
  Assignment,
  AssignmentResultData,
  AssignmentType,
  ResultPart,
} from '../domain/agent-protocol.ts';
import {
  SYSTEM_SCAN_PATHS,
  type ScanLimits,
  type SkippedFile,
  type VirusScanAssignment,
  type VirusScanReport,
} from '../domain/virus-scan.ts';
import { makeEngines, type EngineOptions, type MalwareEngine } from '../scanning/malware/engines.ts';
import { runVirusScan } from '../scanning/malware/scan.ts';
import { AgentCallError, makeAgentClient, type AgentClient } from './client.ts';
import { collectAssets } from './collectors/index.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { collectHostFacts } from './host-facts.ts';
import { enroll, loadIdentity } from './identity.ts';
import { openJournal, type Journal } from './journal.ts';
import { splitResult } from './results.ts';

export const AGENT_VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export interface AgentOptions {
  server: string;
  /** Needed only until the agent has enrolled (its identity is in dataDir). */
  token?: string;
  dataDir: string;
  /** Overrides the host name. */
  name?: string;
  /** Replace SYSTEM_SCAN_PATHS for `system` scans and bound `user` scans. (Default: none) */
  scanRoots: string[];
  engines: EngineOptions;
  limits: ScanLimits;
  /** How long a poll is held open. (Default: what the server said at enrollment) */
  pollWaitSeconds?: number;
  log: (line: string) => void;
}

export interface RunningAgent {
  uuid: string;
  /** Stops polling and aborts running work (its journal entries stay: it runs again on the next start). */
  stop(): Promise<void>;
}

const PROGRESS_EVERY_MS = 1000;

export async function startAgent(options: AgentOptions): Promise<RunningAgent> {
  const stopping = new AbortController();
  const { log } = options;
  const client = makeAgentClient({
    server: options.server,
    signal: stopping.signal,
    onRetry: (path, why, delayMs) =>
      log(`${path} failed (${why}); retrying in ${(delayMs / 1000).toFixed(1)} s`),
  });
  const lock = await lockDataDir(options.dataDir);
  const { identity, facts, engines } = await setUp(client, options).catch(async (err: unknown) => {
    await lock.release();
    throw err;
  });
  log(
    `agent ${identity.uuid} (${facts.hostname}) is running; engines: ${engines.map((e) => e.name).join(', ')}`,
  );

  const journal = openJournal(options.dataDir);
  const taken = new Set<number>();
  const queues = new Map<AssignmentType, Assignment[]>();
  const workers = new Map<AssignmentType, Promise<void>>();
  const context: WorkContext = { client, journal, options, engines, signal: stopping.signal };

  function enqueue(assignment: Assignment): void {
    const type = assignment.params.type;
    const queue = queues.get(type) ?? [];
    queues.set(type, queue);
    queue.push(assignment);
    if (workers.has(type)) return;
    const worker = (async () => {
      for (let next = queue.shift(); next && !stopping.signal.aborted; next = queue.shift()) {
        await runAssignment(context, next);
      }
    })().finally(() => workers.delete(type));
    workers.set(type, worker);
  }

  for (const assignment of await journal.list()) {
    taken.add(assignment.id);
    log(`resuming assignment ${assignment.id} from the journal`);
    enqueue(assignment);
  }

  const waitSeconds = options.pollWaitSeconds ?? identity.pollWaitSeconds;
  const polling = (async () => {
    while (!stopping.signal.aborted) {
      try {
        const { assignments } = (await client.call(
          'POST',
          '/agent/v1/poll',
          { wait: waitSeconds },
          {
            timeoutMs: (waitSeconds + 15) * 1000,
          },
        )) as { assignments: Assignment[] };
        for (const assignment of assignments) {
          if (taken.has(assignment.id)) continue; // delivered again: we have it
          taken.add(assignment.id);
          await journal.add(assignment);
          enqueue(assignment);
        }
      } catch (err) {
        if (stopping.signal.aborted) return;
        // A refusal (revoked, unknown agent) will not heal by itself: say so and stop.
        log(`polling stopped: ${err instanceof Error ? err.message : String(err)}`);
        return;
      }
    }
  })();

  return {
    uuid: identity.uuid,
    async stop() {
      stopping.abort(new Error('the agent is stopping'));
      await Promise.allSettled([polling, ...workers.values()]);
      await lock.release();
    },
  };
}

/** Enrolls if the data dir holds no identity yet, reports the host and finds the engines. */
async function setUp(client: AgentClient, options: AgentOptions) {
  const facts = await collectHostFacts({ name: options.name, agentVersion: AGENT_VERSION });
  let identity = await loadIdentity(options.dataDir);
  if (!identity) {
    if (options.token === undefined) throw new Error('This agent is not enrolled yet: give --token.');
    identity = await enroll(client, options.dataDir, options.token, facts);
    options.log(`enrolled as ${identity.uuid}`);
  }
  client.signAs(identity.uuid, identity.secret);
  await client.call('PUT', '/agent/v1/host', facts);
  return { identity, facts, engines: await makeEngines(options.engines) };
}

interface WorkContext {
  client: AgentClient;
  journal: Journal;
  options: AgentOptions;
  engines: MalwareEngine[];
  signal: AbortSignal;
}

async function runAssignment(context: WorkContext, assignment: Assignment): Promise<void> {
  const { client, journal, options } = context;
  const work = new AbortController();
  const signal = AbortSignal.any([context.signal, work.signal]);
  const progressUrl = `/agent/v1/assignments/${assignment.id}/progress`;
  let percent = 0;
  let cancelled = false;
  const report = async () => {
    try {
      const answer = (await client.call('POST', progressUrl, { progress: percent })) as {
        cancelled: boolean;
      };
      if (answer.cancelled) {
        cancelled = true;
        work.abort(new Error('the task was cancelled'));
      }
    } catch (err) {
      if (err instanceof AgentCallError) {
        cancelled = true; // the assignment is gone for the server: stop
        work.abort(err);
      }
    }
  };
  const ticker = setInterval(() => void report(), PROGRESS_EVERY_MS);
  options.log(`assignment ${assignment.id}: ${assignment.params.type} started`);
  try {
    await report();
    signal.throwIfAborted();
    const data = await perform(context, assignment, signal, (p) => (percent = p));
    clearInterval(ticker);
    await postResult(client, assignment.id, splitResult(data));
    options.log(`assignment ${assignment.id}: done`);
    await journal.remove(assignment.id);
  } catch (err) {
    clearInterval(ticker);
    if (context.signal.aborted) return; // stopping: the journal keeps it for the next start
    if (cancelled) {
      options.log(`assignment ${assignment.id}: cancelled`);
      await journal.remove(assignment.id);
      return;
    }
    const message = err instanceof Error ? err.message : String(err);
    options.log(`assignment ${assignment.id}: failed: ${message}`);
    await postResult(client, assignment.id, [
      { part: 1, parts: 1, status: 'failed', error: message.slice(0, 4000) },
    ]);
    await journal.remove(assignment.id);
  } finally {
    clearInterval(ticker);
  }
}

async function postResult(client: AgentClient, id: number, parts: ResultPart[]) {
  try {
    for (const part of parts) await client.call('POST', `/agent/v1/assignments/${id}/result`, part);
  } catch (err) {
    // Another agent's, or cancelled meanwhile: the server will never take it.
    if (!(err instanceof AgentCallError)) throw err;
  }
}

async function perform(
  context: WorkContext,
  assignment: Assignment,
  signal: AbortSignal,
  onProgress: (percent: number) => void,
): Promise<AssignmentResultData> {
  const { params } = assignment;
  if (params.type === 'ASSETS_COLLECTION') {
    return { type: 'ASSETS_COLLECTION', inventory: await collectAssets({ root: '/' }) };
  }
  const { roots, outside } = scanRootsOf(params, context.options.scanRoots);
  const report: VirusScanReport = await runVirusScan({
    roots,
    limits: context.options.limits,
    engines: context.engines,
    signal,
    onProgress,
  });
  return {
    type: 'VIRUS_SCAN',
    report: {
      ...report,
      skippedCount: report.skippedCount + outside.length,
      skipped: [...outside, ...report.skipped],
    },
  };
}

/**
 * What a scan walks: a system scan the agent's scan roots (or the system
 * paths); a user scan its paths, but only those inside the agent's scan roots
 * when it has some — the others are listed as skipped.
 */
export function scanRootsOf(
  params: VirusScanAssignment,
  scanRoots: readonly string[],
): { roots: string[]; outside: SkippedFile[] } {
  if (params.scanType === 'system') {
    return { roots: scanRoots.length > 0 ? [...scanRoots] : [...SYSTEM_SCAN_PATHS], outside: [] };
  }
  if (scanRoots.length === 0) return { roots: params.paths, outside: [] };
  const inside = (path: string) =>
    scanRoots.some((root) => {
      const r = resolve(root);
      const p = resolve(path);
      return p === r || p.startsWith(r.endsWith(sep) ? r : r + sep);
    });
  return {
    roots: params.paths.filter(inside),
    outside: params.paths
      .filter((path) => !inside(path))
      .map((path) => ({ path, size: 0, reason: 'outside-roots', detail: "outside the agent's --scan-root" })),
  };
}
