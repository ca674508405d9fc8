import { makeWorker, type Worker } from '../engine/index.ts';
import { makeTaskKinds } from '../services/task-kinds.ts';
import type { AppContext } from '../services/context.ts';
import { loadConfig, openApp, type ConfigFlags, type ParapetConfig } from './config.ts';

/** How long running tasks may finish after SIGTERM before their leases are given back. */
export const SHUTDOWN_GRACE_MS = 10_000;

export function startWorker(app: AppContext, config: ParapetConfig): Worker {
  const worker = makeWorker({ db: app.db, kinds: makeTaskKinds(app), leaseMs: config.taskLeaseMs });
  worker.start();
  return worker;
}

/** `parapet worker`: a task worker process sharing the store with the servers. */
export async function runWorker(flags: ConfigFlags): Promise<void> {
  const config = loadConfig(flags);
  const app = await openApp(config);
  const worker = startWorker(app, config);
  const stop = async (signal: string) => {
    console.log(`${signal}: finishing running tasks, then giving back their leases.`);
    await worker.stop({ graceMs: SHUTDOWN_GRACE_MS });
    await app.db.close();
    process.exit(0);
  };
  // Handlers first: whoever reads the line below may signal at once.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void stop(signal));
  console.log(`Parapet worker ${worker.owner} is running (store: ${app.db.dialect})`);
}
