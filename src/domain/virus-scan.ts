/**
 * Glossary.
 * - Virus scan: one host walking a set of paths and checking every regular
 *   file with one or more engines. `system` scans a documented default set of
 *   system paths (an agent's `--scan-root` replaces it); `user` scans the
 *   paths the request names.
 * - Engine: what decides a file is malicious. `builtin` matches ClamAV hash
 *   signatures (`.hdb` MD5, `.hsb` SHA-1/SHA-256) in TypeScript; `clamav`
 *   runs ClamAV (clamd or clamscan), which also looks inside archives and
 *   applies body, logical and YARA signatures.
 * - Event: one file an engine flagged, with its hashes and the signature name.
 * - Skipped file: a file the scan did not check (too large, unreadable, or
 *   beyond an engine's limits). Skipped files are listed in the result: a file
 *   that was not scanned is never reported as clean.
 */

export const SCAN_TYPES = ['system', 'user'] as const;
export type ScanType = (typeof SCAN_TYPES)[number];

export const VIRUS_LEVELS = ['serious', 'suspicious', 'remind'] as const;
export type VirusLevel = (typeof VIRUS_LEVELS)[number];

export const ENGINE_NAMES = ['builtin', 'clamav'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

/**
 * The paths a `system` scan walks when the agent has no `--scan-root`: where
 * executables, libraries, services, web roots and user files live. Pseudo
 * filesystems under them (proc, sysfs, devtmpfs, …) are skipped.
 */
export const SYSTEM_SCAN_PATHS = [
  '/bin',
  '/sbin',
  '/usr/bin',
  '/usr/sbin',
  '/usr/local',
  '/lib',
  '/usr/lib',
  '/etc',
  '/opt',
  '/root',
  '/home',
  '/tmp',
  '/var/tmp',
  '/var/www',
  '/srv',
  '/dev/shm',
] as const;

export interface ScanLimits {
  /** Files larger than this are skipped (and listed as skipped). (Default: 100 MiB) */
  maxFileBytes: number;
  /**
   * The share of one core the scan may use, 0 < x ≤ 1: the walker sleeps
   * between files to stay under it. (Default: 0.5)
   */
  cpuBudget: number;
}

export const DEFAULT_SCAN_LIMITS: ScanLimits = { maxFileBytes: 100 * 1024 * 1024, cpuBudget: 0.5 };

/** What the server asks an agent to scan. */
export interface VirusScanAssignment {
  scanType: ScanType;
  /** `user` scans: the paths to walk. Ignored for `system`. */
  paths: string[];
}

export interface VirusDetection {
  path: string;
  size: number;
  md5: string;
  sha256: string;
  /** The signature that matched, e.g. `Win.Test.EICAR_HDB-1` or `Eicar-Signature.UNOFFICIAL`. */
  signature: string;
  engine: EngineName;
  level: VirusLevel;
}

/**
 * Why a file was not scanned: larger than the agent's limit, unreadable,
 * beyond an engine's limits, an engine's error, or (a `user` scan's path)
 * outside the scan roots the agent was started with.
 */
export const SKIP_REASONS = [
  'too-large',
  'unreadable',
  'engine-limit',
  'engine-error',
  'outside-roots',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export interface SkippedFile {
  path: string;
  size: number;
  reason: SkipReason;
  /** What the walker or the engine said. */
  detail: string;
}

/** Cap on skipped files listed in one result; `skippedCount` still counts them all. */
export const MAX_SKIPPED_LISTED = 1000;

export interface VirusScanReport {
  startedAt: number;
  finishedAt: number;
  /** The roots actually walked. */
  roots: string[];
  engines: EngineName[];
  scannedFiles: number;
  scannedBytes: number;
  detections: VirusDetection[];
  skippedCount: number;
  /** At most MAX_SKIPPED_LISTED of them. */
  skipped: SkippedFile[];
}

/** How a signature name maps to an event level: test signatures remind, heuristics are suspicious. */
export function levelOfSignature(signature: string): VirusLevel {
  if (/eicar|\.test\./i.test(signature)) return 'remind';
  if (/^(heuristics|pua)\./i.test(signature)) return 'suspicious';
  return 'serious';
}
