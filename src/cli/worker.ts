import { makeWorker, type Worker } from '../engine/index.ts';
import { taskKinds } from '../services/task-kinds.ts';
import type { AppContext } from '../services/context.ts';
import { loadConfig, openApp, type ConfigFlags } from './config.ts';

/** How long running tasks may finish after SIGTERM before their leases are given back. */
export const SHUTDOWN_GRACE_MS = 10_000;

export function startWorker(app: AppContext): Worker {
  const worker = makeWorker({ db: app.db, kinds: taskKinds });
  worker.start();
  return worker;
}

/** `parapet worker`: a task worker process sharing the store with the servers. */
export async function runWorker(flags: ConfigFlags): Promise<void> {
  const app = await openApp(loadConfig(flags));
  const worker = startWorker(app);
  console.log(`Parapet worker ${worker.owner} is running (store: ${app.db.dialect})`);
  const stop = async (signal: string) => {
    console.log(`${signal}: finishing running tasks, then giving back their leases.`);
    await worker.stop({ graceMs: SHUTDOWN_GRACE_MS });
    await app.db.close();
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void stop(signal));
}
