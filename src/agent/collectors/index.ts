/**
 * The agent's `ASSETS_COLLECTION`: what is installed and running on this
 * Linux host, read from the filesystem and /proc, never by running the
 * package tools.
 */
import type { AssetInventory } from '../../domain/assets.ts';
import { collectPackages } from './packages.ts';
import { collectPorts } from './ports.ts';
import { collectProcesses } from './processes.ts';
import { collectUsers } from './users.ts';

export interface CollectOptions {
  /** Filesystem root to read from (tests pass a temp dir). Default '/'. */
  root?: string;
  /** /proc to read processes/ports from. Default '/proc'. */
  procRoot?: string;
}

/**
 * Collects the host's packages, processes, listening ports and users
 * concurrently. Throws when no package database could be read (see
 * `collectPackages`); processes that exit while being read are left out.
 */
export async function collectAssets(options: CollectOptions = {}): Promise<AssetInventory> {
  const root = options.root ?? '/';
  const procRoot = options.procRoot ?? '/proc';
  const collectedAt = Date.now();
  const [packages, processes, ports, users] = await Promise.all([
    collectPackages(root),
    collectProcesses({ procRoot, root }),
    collectPorts(procRoot),
    collectUsers(root),
  ]);
  return { collectedAt, packages, processes, ports, users };
}
