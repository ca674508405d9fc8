/**
 * The rpm database, read with `@snyk/rpm-parser` in any of its three
 * backends: SQLite `rpmdb.sqlite` (rpm ≥ 4.16: Fedora, RHEL 9), NDB
 * `Packages.db` (SUSE) and BerkeleyDB `Packages` (RHEL ≤ 8, CentOS 7).
 */
import { getPackages, getPackagesNdb, getPackagesSqlite } from '@snyk/rpm-parser';
import { readFile, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import type { InstalledPackage } from '../../domain/assets.ts';
import { isGone } from './files.ts';

type RpmResponse = Awaited<ReturnType<typeof getPackages>>;
/** One header as the parser returns it. */
export type RpmHeader = RpmResponse['response'][number];

/** Where rpm keeps its database; `var/lib/rpm` is a link to the other on recent Fedora and SUSE. */
const DIRECTORIES = ['var/lib/rpm', 'usr/lib/sysimage/rpm'];
/**
 * rpm uses one backend per directory. A directory holding several files left
 * by a backend migration is read from the newest backend that parses.
 */
const BACKENDS: readonly { file: string; read: (data: Buffer) => Promise<RpmResponse> }[] = [
  { file: 'rpmdb.sqlite', read: getPackagesSqlite },
  { file: 'Packages.db', read: getPackagesNdb },
  { file: 'Packages', read: getPackages },
];

/**
 * Reads the installed packages of the rpm databases under `root`. Resolves
 * to null when there is no database; throws when there is one and none of
 * its files can be parsed.
 */
export async function readRpmPackages(root: string): Promise<InstalledPackage[] | null> {
  const directories = new Set<string>();
  for (const directory of DIRECTORIES) {
    try {
      directories.add(await realpath(join(root, directory)));
    } catch (error) {
      if (!isGone(error)) throw error;
    }
  }

  let found = false;
  const packages: InstalledPackage[] = [];
  const seen = new Set<string>();
  for (const directory of directories) {
    const headers = await readDirectory(directory);
    if (headers === null) continue;
    found = true;
    for (const header of headers) {
      const pkg = toPackage(header);
      // Several versions of one name are normal (kernel, gpg-pubkey): the key is the whole identity.
      const key = `${pkg.name}\0${pkg.version}\0${pkg.arch}`;
      if (seen.has(key)) continue;
      seen.add(key);
      packages.push(pkg);
    }
  }
  return found ? packages : null;
}

async function readDirectory(directory: string): Promise<RpmHeader[] | null> {
  const failures: string[] = [];
  let firstError: unknown;
  for (const { file, read } of BACKENDS) {
    const path = join(directory, file);
    let data: Buffer;
    try {
      data = await readFile(path);
    } catch (error) {
      if (isGone(error)) continue;
      throw error;
    }
    const result = await read(data);
    if (result.error === undefined) {
      // The SQLite reader maps unreadable headers to undefined instead of skipping them.
      return result.response.filter((header): header is RpmHeader => header !== undefined);
    }
    failures.push(`${path}: ${result.error.message}`);
    firstError ??= result.error;
  }
  if (failures.length === 0) return null;
  throw new Error(`The rpm database cannot be read (${failures.join('; ')})`, { cause: firstError });
}

/** Maps a parsed header to a package: version `[epoch:]version-release`, source from the source RPM's file name. */
export function toPackage(header: RpmHeader): InstalledPackage {
  const epoch = header.epoch === undefined || header.epoch === 0 ? '' : `${header.epoch}:`;
  const source = sourceName(header.sourceRPM ?? '');
  return {
    name: header.name,
    version: `${epoch}${header.version}-${header.release}`,
    arch: header.arch ?? '',
    source: source === header.name ? '' : source,
    manager: 'rpm',
    // The parser reads neither the summary nor the install time.
    summary: '',
    // SIZE is unsigned (rpm switches to LONGSIZE above 4 GiB); the parser reads it as signed.
    size: header.size < 0 ? header.size + 2 ** 32 : header.size,
  };
}

/** `bash-5.1.8-9.el9.src.rpm` → `bash`: the name is everything before the last two dashes. */
function sourceName(sourceRpm: string): string {
  const base = sourceRpm.replace(/\.(no)?src\.rpm$/, '');
  const release = base.lastIndexOf('-');
  const version = release > 0 ? base.lastIndexOf('-', release - 1) : -1;
  return version > 0 ? base.slice(0, version) : '';
}
