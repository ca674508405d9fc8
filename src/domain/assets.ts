/**
 * Glossary.
 * - Asset inventory: what an agent's `ASSETS_COLLECTION` collects on its host
 *   — installed packages, running processes, listening ports and local
 *   users — with the time it was collected. It replaces the host's previous
 *   inventory as a whole.
 * - Package manager: where a package was read from (the dpkg status file, the
 *   rpm database, the apk installed database), read directly, never by
 *   running the package tools.
 */

export const PACKAGE_MANAGERS = ['dpkg', 'rpm', 'apk'] as const;
export type PackageManager = (typeof PACKAGE_MANAGERS)[number];

export interface InstalledPackage {
  name: string;
  /** As the package manager prints it: `[epoch:]version[-release]`. */
  version: string;
  /** e.g. `amd64`, `x86_64`, `noarch`; empty when the database has none. */
  arch: string;
  /** The source package (dpkg `Source:`, rpm source RPM name, apk origin); empty when the same as `name`. */
  source: string;
  manager: PackageManager;
  /** A one-line summary; empty when the database has none. */
  summary: string;
  /** Epoch ms of installation, when the database records it (rpm); else undefined. */
  installedAt?: number;
  /** Installed size in bytes, when recorded. */
  size?: number;
}

export interface RunningProcess {
  pid: number;
  ppid: number;
  /** The command name (`/proc/PID/comm`). */
  name: string;
  /** The executable (`/proc/PID/exe`), empty when it cannot be read. */
  path: string;
  /** The command line, arguments separated by spaces, cut at 1,024 characters. */
  cmdline: string;
  /** The real user name (or the uid as text when /etc/passwd has no entry). */
  user: string;
  /** Epoch ms. */
  startedAt: number;
  state: string;
}

export interface ListeningPort {
  protocol: 'tcp' | 'tcp6' | 'udp' | 'udp6';
  /** The bound address, e.g. `0.0.0.0`, `127.0.0.1`, `::`. */
  bindIp: string;
  port: number;
  /** The process holding the socket, when it can be found; else 0 and "". */
  pid: number;
  processName: string;
}

export interface LocalUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
  /** Names of the groups the user belongs to (primary first). */
  groups: string[];
  /** uid 0. */
  isRoot: boolean;
  /** The shell lets the user log in (not nologin/false). */
  canLogin: boolean;
  /** Epoch ms of the last login when the system records it; else undefined. */
  lastLoginAt?: number;
  lastLoginIp?: string;
}

export interface AssetInventory {
  /** Epoch ms at which the collection ran on the host. */
  collectedAt: number;
  packages: InstalledPackage[];
  processes: RunningProcess[];
  ports: ListeningPort[];
  users: LocalUser[];
}
