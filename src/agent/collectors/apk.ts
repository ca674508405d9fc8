/**
 * The apk installed database (Alpine, Wolfi): one `X:value` line per field,
 * an empty line between packages. apk-tools v3 may keep it under `usr/`.
 */
import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import type { InstalledPackage } from '../../domain/assets.ts';
import { clip, isGone, readOptionalText } from './files.ts';

const DATABASES = ['lib/apk/db/installed', 'usr/lib/apk/db/installed'];
/** The keys we read; the others (dependencies, files, checksums, …) repeat per entry. */
const KEYS = new Set(['P', 'V', 'A', 'o', 'T', 'I']);
const SUMMARY_MAX = 1024;

/**
 * Reads the packages of the apk databases under `root`. Resolves to null
 * when there is none; read errors other than "not found" are thrown.
 */
export async function readApkPackages(root: string): Promise<InstalledPackage[] | null> {
  // `lib/apk/db` is often a link to `usr/lib/apk/db`: read each real file once.
  const files = new Set<string>();
  for (const database of DATABASES) {
    try {
      files.add(await realpath(join(root, database)));
    } catch (error) {
      if (!isGone(error)) throw error;
    }
  }
  if (files.size === 0) return null;

  const packages: InstalledPackage[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    for (const pkg of parseApkInstalled((await readOptionalText(file)) ?? '')) {
      if (seen.has(pkg.name)) continue;
      seen.add(pkg.name);
      packages.push(pkg);
    }
  }
  return packages;
}

/**
 * Parses an apk `installed` database: `P` name, `V` version, `A` arch, `o`
 * origin (the source package), `T` description, `I` installed size in bytes.
 */
export function parseApkInstalled(text: string): InstalledPackage[] {
  const packages: InstalledPackage[] = [];
  let fields = new Map<string, string>();
  const endPackage = () => {
    const name = fields.get('P');
    const version = fields.get('V');
    if (name && version) {
      const origin = fields.get('o') ?? '';
      const size = fields.get('I') ?? '';
      packages.push({
        name,
        version,
        arch: fields.get('A') ?? '',
        source: origin === name ? '' : origin,
        manager: 'apk',
        summary: clip(fields.get('T') ?? '', SUMMARY_MAX),
        size: /^\d+$/.test(size) ? Number(size) : undefined,
      });
    }
    fields = new Map();
  };
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') {
      if (fields.size > 0) endPackage();
      continue;
    }
    const key = line.slice(0, 1);
    if (line[1] === ':' && KEYS.has(key)) fields.set(key, line.slice(2).trim());
  }
  if (fields.size > 0) endPackage();
  return packages;
}
