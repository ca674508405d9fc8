/**
 * One agent per data directory: `<data-dir>/agent.pid` holds the pid of the
 * agent using it. Two agents on one identity would both take every
 * assignment and race each other's results, so a second agent refuses to
 * start. A file left by an agent that died (its pid no longer runs) is taken
 * over.
 */
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

export interface DataDirLock {
  release(): Promise<void>;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, 'agent.pid');
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const handle = await open(file, 'wx', 0o600);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return { release: () => rm(file, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isRunning(pid)) {
      throw new Error(
        `Another agent (pid ${pid}) is using ${dataDir}; stop it first, or give this one its own --data-dir.`,
      );
    }
    await rm(file, { force: true }); // left by an agent that is gone
  }
  throw new Error(`Could not take ${file}: another agent is starting with the same --data-dir.`);
}
