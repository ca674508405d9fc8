import type { Progress } from './tasks.ts';

/** At most one progress write per this many ms (about 4 a second). */
export const PROGRESS_INTERVAL_MS = 250;

export interface ProgressReporter {
  /** Records the latest count; cheap, so a handler may call it per row. */
  report(done: number, total?: number): void;
  /** The latest counts, for the write that finishes the task. */
  current(): Omit<Progress, 'progress'>;
  /** Stops writing and waits for a write in flight. */
  close(): Promise<void>;
}

export interface ProgressReporterOptions {
  /** The total known when the attempt started. */
  totalCount: number;
  write(progress: Progress): Promise<void>;
  /** A failed write is only logged: the next report writes again. */
  onWriteError(err: unknown): void;
  /** (Default: PROGRESS_INTERVAL_MS) */
  intervalMs?: number;
}

/**
 * Throttles progress reports into database writes: the latest values win, and
 * a write happens at most once per interval, never per report.
 */
export function makeProgressReporter(options: ProgressReporterOptions): ProgressReporter {
  const intervalMs = options.intervalMs ?? PROGRESS_INTERVAL_MS;
  let doneCount = 0;
  let totalCount = options.totalCount;
  let dirty = false;
  let closed = false;
  let lastWriteAt = 0;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;

  function schedule(): void {
    if (timer || inFlight || closed || !dirty) return;
    timer = setTimeout(flush, Math.max(0, lastWriteAt + intervalMs - Date.now()));
  }

  function flush(): void {
    timer = undefined;
    if (closed || !dirty) return;
    dirty = false;
    lastWriteAt = Date.now();
    inFlight = options
      .write({ doneCount, totalCount, progress: percentDone(doneCount, totalCount) })
      .catch((err: unknown) => options.onWriteError(err))
      .finally(() => {
        inFlight = undefined;
        schedule();
      });
  }

  return {
    report(done, total) {
      if (closed || !isCount(done) || (total !== undefined && !isCount(total))) return;
      doneCount = Math.floor(done);
      if (total !== undefined) totalCount = Math.floor(total);
      dirty = true;
      schedule();
    },
    current: () => ({ doneCount, totalCount }),
    async close() {
      closed = true;
      clearTimeout(timer);
      await inFlight;
    },
  };
}

function isCount(value: number): boolean {
  return Number.isFinite(value) && value >= 0;
}

/**
 * 0–99 while running: 100 is kept for a succeeded task, so a client never
 * sees 100 % on a task that is still finishing (or about to fail).
 */
export function percentDone(done: number, total: number): number {
  return total > 0 ? Math.min(99, Math.floor((done * 100) / total)) : 0;
}
