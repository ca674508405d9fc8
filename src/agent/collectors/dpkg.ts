/**
 * The dpkg database: `var/lib/dpkg/status`, and the one-file-per-package
 * `var/lib/dpkg/status.d/` that distroless images ship instead. Both hold
 * RFC 822 stanzas separated by empty lines; a line starting with a space or a
 * tab continues the previous field.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { InstalledPackage } from '../../domain/assets.ts';
import { clip, isGone, mapConcurrent, readOptionalText } from './files.ts';

const STATUS_FILE = 'var/lib/dpkg/status';
const STATUS_DIR = 'var/lib/dpkg/status.d';
/** The fields we read, lower-cased (field names are case-insensitive). */
const FIELDS = new Set([
  'package',
  'status',
  'version',
  'architecture',
  'source',
  'description',
  'installed-size',
]);
/** Selection states whose package is meant to stay on the system. */
const KEPT_WANTS = new Set(['install', 'hold']);
const SUMMARY_MAX = 1024;

/**
 * Reads the installed packages of the dpkg database under `root`. Resolves
 * to null when the host has no dpkg database (neither the status file nor
 * `status.d/`); read errors other than "not found" are thrown.
 */
export async function readDpkgPackages(root: string): Promise<InstalledPackage[] | null> {
  const status = await readOptionalText(join(root, STATUS_FILE));
  const parts = await readStatusDirectory(join(root, STATUS_DIR));
  if (status === undefined && parts === undefined) return null;

  const packages: InstalledPackage[] = [];
  // The same package in both places (not seen in practice) is listed once.
  const seen = new Set<string>();
  for (const text of [status ?? '', ...(parts ?? [])]) {
    for (const pkg of parseDpkgStatus(text)) {
      const key = `${pkg.name}\0${pkg.arch}`;
      if (seen.has(key)) continue;
      seen.add(key);
      packages.push(pkg);
    }
  }
  return packages;
}

/** The texts of `status.d/*` (without the `*.md5sums` files), or undefined when there is no such directory. */
async function readStatusDirectory(dir: string): Promise<string[] | undefined> {
  let names: string[];
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    names = entries
      .filter((entry) => entry.isFile() && !entry.name.endsWith('.md5sums'))
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    if (isGone(error)) return undefined;
    throw error;
  }
  const texts = await mapConcurrent(names, 16, (name) => readOptionalText(join(dir, name)));
  return texts.filter((text) => text !== undefined);
}

/**
 * Parses dpkg status text into the packages it lists as installed (wanted
 * `install` or `hold`, state `installed`). A stanza without `Status`, as
 * distroless `status.d/` files are written, counts as installed.
 */
export function parseDpkgStatus(text: string): InstalledPackage[] {
  const packages: InstalledPackage[] = [];
  let fields = new Map<string, string>();
  const endStanza = () => {
    const pkg = toPackage(fields);
    if (pkg !== undefined) packages.push(pkg);
    fields = new Map();
  };
  for (const line of text.split('\n')) {
    if (line === '' || line === '\r') {
      if (fields.size > 0) endStanza();
      continue;
    }
    // Continuation lines: only the first line of any field we keep matters.
    const first = line.charCodeAt(0);
    if (first === 0x20 || first === 0x09) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).toLowerCase();
    if (FIELDS.has(name)) fields.set(name, line.slice(colon + 1).trim());
  }
  if (fields.size > 0) endStanza();
  return packages;
}

function toPackage(fields: Map<string, string>): InstalledPackage | undefined {
  const name = fields.get('package');
  const version = fields.get('version');
  if (!name || !version) return undefined;
  const status = fields.get('status');
  if (status !== undefined && !isInstalled(status)) return undefined;

  const source = sourceName(fields.get('source') ?? '');
  const kib = fields.get('installed-size') ?? '';
  return {
    name,
    version,
    arch: fields.get('architecture') ?? '',
    source: source === name ? '' : source,
    manager: 'dpkg',
    summary: clip(fields.get('description') ?? '', SUMMARY_MAX),
    size: /^\d+$/.test(kib) ? Number(kib) * 1024 : undefined,
  };
}

/** `Status: <want> <error> <state>`, e.g. `install ok installed`, `hold ok installed`, `deinstall ok config-files`. */
function isInstalled(status: string): boolean {
  const [want = '', , state] = status.split(/\s+/);
  return KEPT_WANTS.has(want) && state === 'installed';
}

/** `Source:` names the source package, with its version in parentheses when it differs: `zlib (1:1.2.13.dfsg-1)`. */
function sourceName(field: string): string {
  const end = field.search(/[\s(]/);
  return end < 0 ? field : field.slice(0, end);
}
