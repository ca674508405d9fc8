/**
 * Wakes agents' long polls when work for their host appears, on whichever
 * node created it: while any poll waits here, one query every `intervalMs`
 * reads the targets queued since the last look (a watermark on the target
 * id) and wakes the polls of their hosts. The database stays the only truth
 * — a woken poll reads its own targets — so nothing here is shared between
 * nodes, and a missed wake-up costs at most one poll period.
 */
import type { Queryable } from '../persistence/database.ts';

export interface AssignmentWaker {
  /** Resolves when work may have arrived for the host, after `timeoutMs`, or when the waker closes. */
  wait(hostId: number, timeoutMs: number): Promise<void>;
  /** Ends every wait (shutdown). */
  close(): void;
}

export function makeAssignmentWaker(db: Queryable, intervalMs = 250): AssignmentWaker {
  const waiting = new Map<number, Set<() => void>>();
  let watermark: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const wake = (hostId: number) => {
    for (const resolve of waiting.get(hostId) ?? []) resolve();
  };

  async function look(): Promise<void> {
    if (watermark === undefined) {
      const row = await db.get<{ max_id: number | null }>('SELECT MAX(id) AS max_id FROM task_targets');
      watermark = Number(row?.max_id ?? 0);
      return;
    }
    const rows = await db.all<{ id: number; host_id: number }>(
      'SELECT id, host_id FROM task_targets WHERE id > ? ORDER BY id LIMIT 10000',
      [watermark],
    );
    for (const row of rows) {
      watermark = row.id;
      wake(row.host_id);
    }
  }

  // The watermark starts now, before any poll waits, so no target created later is missed.
  look().catch(() => {});

  function schedule(): void {
    if (timer || closed || waiting.size === 0) return;
    timer = setTimeout(() => {
      look()
        .catch(() => {}) // a failed look is retried at the next tick; polls still end on their timeout
        .finally(() => {
          timer = undefined;
          schedule();
        });
    }, intervalMs);
  }

  return {
    wait(hostId, timeoutMs) {
      if (closed) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timeout);
          const set = waiting.get(hostId);
          set?.delete(done);
          if (set?.size === 0) waiting.delete(hostId);
          resolve();
        };
        const timeout = setTimeout(done, timeoutMs);
        let set = waiting.get(hostId);
        if (!set) waiting.set(hostId, (set = new Set()));
        set.add(done);
        schedule();
      });
    },
    close() {
      closed = true;
      clearTimeout(timer);
      for (const hostId of [...waiting.keys()]) wake(hostId);
    },
  };
}
