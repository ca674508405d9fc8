/**
 * The assignments an agent has taken and not yet finished:
 * `<data-dir>/assignments/<id>.json`, written before the work starts and
 * removed once its result is accepted (or refused for good). An agent started
 * again runs what its journal holds, so a scan cut short by a crash is done
 * and reported (late) instead of lost.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Assignment } from '../domain/agent-protocol.ts';

export interface Journal {
  add(assignment: Assignment): Promise<void>;
  remove(id: number): Promise<void>;
  list(): Promise<Assignment[]>;
}

export function openJournal(dataDir: string): Journal {
  const dir = join(dataDir, 'assignments');
  const fileOf = (id: number) => join(dir, `${id}.json`);
  return {
    async add(assignment) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const temporary = `${fileOf(assignment.id)}.tmp`;
      await writeFile(temporary, JSON.stringify(assignment), { mode: 0o600 });
      await rename(temporary, fileOf(assignment.id));
    },
    async remove(id) {
      await rm(fileOf(id), { force: true });
    },
    async list() {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
      const entries = await Promise.all(
        names
          .filter((name) => /^\d+\.json$/.test(name))
          .map(async (name) => JSON.parse(await readFile(join(dir, name), 'utf8')) as Assignment),
      );
      return entries.sort((a, b) => a.id - b.id);
    },
  };
}
