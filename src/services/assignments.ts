/**
 * An agent's side of the fan-out tasks: polling for assignments, reporting
 * progress, and posting results in parts, which are applied (the host's
 * inventory replaced, a scan's detections stored) in the transaction that
 * ends the target.
 */
import type {
  Assignment,
  AssignmentResultData,
  ProgressResponse,
  ResultPart,
  ResultResponse,
} from '../domain/agent-protocol.ts';
import { ParapetError } from '../domain/errors.ts';
import {
  deliverTargets,
  getHostTarget,
  getTask,
  recordTargetProgress,
  settleTarget,
  type FanOutTarget,
  type TargetOutcome,
} from '../engine/index.ts';
import type { Queryable } from '../persistence/database.ts';
import { replaceInventory } from '../persistence/inventory.ts';
import { deleteResultParts, loadResultParts, storeResultPart } from '../persistence/result-parts.ts';
import { replaceScanEvents } from '../persistence/virus-events.ts';
import type { AgentIdentity } from './agents.ts';
import type { AssignmentWaker } from './assignment-waker.ts';
import type { AppContext } from './context.ts';
import { assignmentOf, resultTypeOf } from './fan-out-kinds.ts';

/**
 * The agent's waiting work, at once if there is some, else as soon as some
 * arrives within `waitMs`, else none.
 */
export async function pollAssignments(
  app: AppContext,
  waker: AssignmentWaker,
  agent: AgentIdentity,
  waitMs: number,
): Promise<Assignment[]> {
  // The wait is wall time (the transport's), not the application clock.
  const until = performance.now() + waitMs;
  for (;;) {
    const deliveries = await deliverTargets(app.db, agent.hostId, app.now());
    const assignments = deliveries.flatMap(({ target, task }): Assignment[] => {
      const params = assignmentOf(task);
      return params ? [{ id: target.id, params, deadlineAt: target.deadlineAt }] : [];
    });
    const left = until - performance.now();
    if (assignments.length > 0 || left <= 0) return assignments;
    await waker.wait(agent.hostId, left);
  }
}

async function agentTarget(app: AppContext, agent: AgentIdentity, targetId: number): Promise<FanOutTarget> {
  // Another agent's target (of this tenant or another) reads as missing.
  const target = await getHostTarget(app.db, agent.hostId, targetId);
  if (!target) throw new ParapetError('Agent.AssignmentNotFound');
  return target;
}

export async function reportProgress(
  app: AppContext,
  agent: AgentIdentity,
  targetId: number,
  progress: number,
): Promise<ProgressResponse> {
  const target = await agentTarget(app, agent, targetId);
  const answer = await recordTargetProgress(app.db, target, progress, app.now());
  return { cancelled: answer === 'cancelled' };
}

/** The most parts one result may have (512 KiB each: 500 MiB). */
export const MAX_RESULT_PARTS = 1000;

/**
 * Stores one part of a result; once every part is in, applies the whole
 * result and ends the target, in one transaction.
 */
export async function postResultPart(
  app: AppContext,
  agent: AgentIdentity,
  targetId: number,
  part: ResultPart,
): Promise<ResultResponse> {
  const target = await agentTarget(app, agent, targetId);
  if (target.status === 'cancelled') {
    throw new ParapetError('Agent.AssignmentClosed', 'The task was cancelled: its result is not wanted.');
  }
  if (target.status === 'succeeded' || target.status === 'failed')
    return { complete: true, late: target.late };
  if (target.status === 'timed_out' && target.resultAt !== undefined) return { complete: true, late: true };
  const task = await getTask(app.db, agent.tenantId, target.taskId);
  const expected = task && resultTypeOf(task);
  if (!expected) throw new ParapetError('Agent.AssignmentNotFound');
  if (part.status === 'succeeded' && part.data?.type !== expected) {
    throw new ParapetError('InvalidParameter', `This assignment's result is ${expected} data.`);
  }
  if (part.status === 'failed') {
    return finish(
      app,
      agent,
      target,
      { status: 'failed', summary: null, errorMessage: part.error ?? '' },
      [],
    );
  }
  await storeResultPart(app.db, {
    targetId,
    part: part.part,
    parts: part.parts,
    data: JSON.stringify(part.data),
  });
  const stored = await loadResultParts(app.db, targetId);
  const complete = stored.length === part.parts && stored.every((p) => p.parts === part.parts);
  if (!complete) return { complete: false, late: target.status === 'timed_out' };
  const merged = mergeParts(stored.map((p) => JSON.parse(p.data) as AssignmentResultData));
  return finish(app, agent, target, { status: 'succeeded', summary: summaryOf(merged) }, [merged]);
}

async function finish(
  app: AppContext,
  agent: AgentIdentity,
  target: FanOutTarget,
  outcome: TargetOutcome,
  data: AssignmentResultData[],
): Promise<ResultResponse> {
  const now = app.now();
  const settled = await app.db.withTransaction(async (tx) => {
    const result = await settleTarget(
      tx,
      target,
      outcome,
      async () => {
        for (const merged of data) await applyResult(tx, agent, target, merged, now);
      },
      now,
    );
    await deleteResultParts(tx, target.id);
    return result;
  });
  return { complete: true, late: settled.late };
}

async function applyResult(
  tx: Queryable,
  agent: AgentIdentity,
  target: FanOutTarget,
  data: AssignmentResultData,
  now: number,
): Promise<void> {
  switch (data.type) {
    case 'ASSETS_COLLECTION':
      return replaceInventory(tx, agent.tenantId, agent.hostId, data.inventory);
    case 'VIRUS_SCAN':
      return replaceScanEvents(
        tx,
        { tenantId: agent.tenantId, hostId: agent.hostId, taskId: target.taskId, detectedAt: now },
        data.report.detections,
      );
  }
}

/** Parts merged: list fields concatenated in part order, every other field from part 1. */
export function mergeParts(parts: AssignmentResultData[]): AssignmentResultData {
  const [first, ...rest] = parts;
  if (!first) throw new Error('a result has at least one part');
  if (first.type === 'ASSETS_COLLECTION') {
    const more = rest.flatMap((p) => (p.type === 'ASSETS_COLLECTION' ? [p.inventory] : []));
    const all = [first.inventory, ...more];
    return {
      type: 'ASSETS_COLLECTION',
      inventory: {
        collectedAt: first.inventory.collectedAt,
        packages: all.flatMap((i) => i.packages),
        processes: all.flatMap((i) => i.processes),
        ports: all.flatMap((i) => i.ports),
        users: all.flatMap((i) => i.users),
      },
    };
  }
  const more = rest.flatMap((p) => (p.type === 'VIRUS_SCAN' ? [p.report] : []));
  const all = [first.report, ...more];
  return {
    type: 'VIRUS_SCAN',
    report: {
      ...first.report,
      detections: all.flatMap((r) => r.detections),
      skipped: all.flatMap((r) => r.skipped),
    },
  };
}

/** What a target's result came to, kept on the target (the data itself lives in its tables). */
function summaryOf(data: AssignmentResultData): unknown {
  if (data.type === 'ASSETS_COLLECTION') {
    const { inventory: i } = data;
    return {
      collectedAt: i.collectedAt,
      packages: i.packages.length,
      processes: i.processes.length,
      ports: i.ports.length,
      users: i.users.length,
    };
  }
  const { report: r } = data;
  return {
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    roots: r.roots,
    engines: r.engines,
    scannedFiles: r.scannedFiles,
    scannedBytes: r.scannedBytes,
    detections: r.detections.length,
    skippedCount: r.skippedCount,
    skipped: r.skipped,
  };
}
