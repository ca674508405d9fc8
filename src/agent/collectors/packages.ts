/**
 * Installed packages from every package manager found on the host.
 *
 * A database that does not exist contributes nothing. One that exists but
 * cannot be read is left out when another database could be read. When
 * every database found failed, the collection throws instead of answering
 * "no packages": the server replaces the host's inventory as a whole, and
 * an empty list would wipe its packages (and close their vulnerabilities).
 */
import type { InstalledPackage } from '../../domain/assets.ts';
import { readApkPackages } from './apk.ts';
import { readDpkgPackages } from './dpkg.ts';
import { readRpmPackages } from './rpm.ts';

/** Reads one package manager's database: null when the host has none, an error when it cannot be read. */
export type PackageReader = (root: string) => Promise<InstalledPackage[] | null>;

const READERS: readonly { name: string; read: PackageReader }[] = [
  { name: 'dpkg', read: readDpkgPackages },
  { name: 'rpm', read: readRpmPackages },
  { name: 'apk', read: readApkPackages },
];

/**
 * Reads the dpkg, rpm and apk databases under `root` concurrently. Throws
 * only when at least one database exists and none of them can be read.
 */
export async function collectPackages(root: string): Promise<InstalledPackage[]> {
  const results = await Promise.allSettled(READERS.map(({ read }) => read(root)));
  const packages: InstalledPackage[] = [];
  const failures: { name: string; error: unknown }[] = [];
  let read = 0;
  results.forEach((result, index) => {
    if (result.status === 'rejected') {
      failures.push({ name: READERS[index]?.name ?? '', error: result.reason });
    } else if (result.value !== null) {
      read++;
      packages.push(...result.value);
    }
  });
  if (failures.length > 0 && read === 0) {
    const reasons = failures.map(
      ({ name, error }) => `${name}: ${error instanceof Error ? error.message : String(error)}`,
    );
    throw new AggregateError(
      failures.map(({ error }) => error),
      `No package database could be read (${reasons.join('; ')})`,
    );
  }
  return packages;
}
