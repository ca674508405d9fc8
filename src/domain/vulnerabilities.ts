/**
 * Glossary.
 * - Vulnerability (finding): one vulnerability, known by type + name, found on
 *   one host. The same name on many hosts is many findings; a grouped view
 *   counts them per name.
 * - Type: `cve` Linux software, `sys` Windows system, `cms` Web-CMS, `app`
 *   application (network scan), `emg` urgent, `sca` software component analysis.
 * - Necessity: how soon to fix: `asap` high, `later` medium, `nntf` low.
 * - Status: where the finding stands (VUL_STATUS); "handled" findings need no
 *   more action, "unhandled" ones do (Sas `Dealed` y/n).
 * - CVE: global advisory data (not tenant data); a finding names its CVEs in
 *   `related`.
 */
import { invalidParameter, parseJsonParameter } from './errors.ts';

export const VUL_TYPES = ['cve', 'sys', 'cms', 'app', 'emg', 'sca'] as const;
export type VulType = (typeof VUL_TYPES)[number];

export const NECESSITIES = ['asap', 'later', 'nntf'] as const;
export type Necessity = (typeof NECESSITIES)[number];

/** The Sas status codes of a finding. */
export const VUL_STATUS = {
  unfixed: 1,
  fixFailed: 2,
  rollbackFailed: 3,
  fixing: 4,
  rollingBack: 5,
  verifying: 6,
  fixed: 7,
  fixedRestartNeeded: 8,
  rolledBack: 9,
  ignored: 10,
  rolledBackRestartNeeded: 11,
  /** A verification no longer found it. */
  notFound: 12,
  /** Not seen by scans for long enough to be dropped from the open list. */
  expired: 20,
} as const;
export type VulStatus = (typeof VUL_STATUS)[keyof typeof VUL_STATUS];
export const VUL_STATUSES: readonly VulStatus[] = Object.values(VUL_STATUS);

export function isVulStatus(value: number): value is VulStatus {
  return (VUL_STATUSES as readonly number[]).includes(value);
}

/**
 * `Dealed=y`: nothing is left to do — fixed, ignored, no longer found, or expired.
 * A fix that still waits for a restart is not handled yet (the restart is the action left).
 */
export const HANDLED_STATUSES: readonly VulStatus[] = [
  VUL_STATUS.fixed,
  VUL_STATUS.ignored,
  VUL_STATUS.notFound,
  VUL_STATUS.expired,
];

/**
 * `Dealed=n`: open, failed or in progress, waiting for a restart, or rolled back
 * (a rollback brings the vulnerability back). Every status is in exactly one of the two sets.
 */
export const UNHANDLED_STATUSES: readonly VulStatus[] = VUL_STATUSES.filter(
  (status) => !HANDLED_STATUSES.includes(status),
);

/** A fix was applied (the Sas `TotalFixCount`), whether or not a restart is still due. */
export const FIXED_STATUSES: readonly VulStatus[] = [VUL_STATUS.fixed, VUL_STATUS.fixedRestartNeeded];

export type Dealed = 'y' | 'n';

export function statusesOf(dealed: Dealed): readonly VulStatus[] {
  return dealed === 'y' ? HANDLED_STATUSES : UNHANDLED_STATUSES;
}

/** Container findings and host findings, as `TargetType`/`AssetType` select them. */
export type VulTarget = 'host' | 'container';

/**
 * What a vulnerability listing keeps. Every field is optional except the
 * types; all given fields must hold. Text matches are case-insensitive
 * substrings where noted, exact elsewhere.
 */
export interface VulFilter {
  types: readonly VulType[];
  ids?: readonly number[];
  uuids?: readonly string[];
  /** Substring of the human title. */
  aliasName?: string;
  name?: string;
  necessities?: readonly Necessity[];
  /** Already intersected with `Dealed` (see vulStatusFilter). */
  statuses?: readonly VulStatus[];
  groupId?: number;
  /** Substring of alias, name, instance name or either IP of the host. */
  remark?: string;
  vpcInstanceIds?: readonly string[];
  cveId?: string;
  /** Each tag must be one of the finding's comma-separated search tags. */
  searchTags?: readonly string[];
  target?: VulTarget;
  /** Parapet records no Kubernetes clusters, so a cluster filter matches nothing. */
  clusterId?: string;
  /** First seen at or after / at or before (epoch ms; Sas `CreateTsStart`/`CreateTsEnd`). */
  firstSeenFrom?: number;
  firstSeenTo?: number;
  /** Substrings of the container name, image and path the finding was seen in. */
  containerName?: string;
  imageName?: string;
  path?: string;
  /** Findings in any of these packages (Sas `VulEntityList`); a version narrows to that installed version. */
  packages?: readonly PackageRef[];
}

export interface PackageRef {
  name: string;
  version?: string;
}

/** `Dealed` and `StatusList` together: the statuses in both, or undefined when neither is given. */
export function vulStatusFilter(
  dealed: Dealed | undefined,
  statusList: readonly VulStatus[] | undefined,
): readonly VulStatus[] | undefined {
  if (dealed === undefined) return statusList;
  const allowed = statusesOf(dealed);
  return statusList === undefined ? allowed : statusList.filter((status) => allowed.includes(status));
}

/** `Type` plus `AttachTypes`: attached types only widen an `app` listing (the cloud's `sca` with `app`). */
export function listedTypes(type: VulType, attachTypes: readonly VulType[] | undefined): VulType[] {
  if (type !== 'app' || attachTypes === undefined) return [type];
  return [...new Set([type, ...attachTypes])];
}

/** One finding with the host it was found on. */
export interface Vulnerability {
  id: number;
  type: VulType;
  name: string;
  aliasName: string;
  tag: string;
  searchTags: string;
  necessity: Necessity;
  status: VulStatus;
  /** CVE ids, in the stored order. */
  related: string[];
  packageName: string;
  packageVersion: string;
  fixedVersion: string;
  path: string;
  updateCmd: string;
  containerId: string;
  containerName: string;
  image: string;
  firstTs: number;
  lastTs: number;
  modifyTs: number;
  repairTs: number | undefined;
  host: VulHost;
}

export interface VulHost {
  uuid: string;
  instanceId: string;
  instanceName: string;
  internetIp: string;
  intranetIp: string;
  regionId: string;
  os: string;
  osName: string;
  groupId: number | undefined;
  online: boolean;
}

/** The CVE ids of a stored `related` text ("CVE-1,CVE-2"), without blanks or repeats. */
export function parseRelated(related: string): string[] {
  return [
    ...new Set(
      related
        .split(',')
        .map((id) => id.trim())
        .filter((id) => id !== ''),
    ),
  ];
}

/** Why the package matched, in the cloud's wording ("openssl version less than 1.1.1k"). */
export function matchDetail(vul: Pick<Vulnerability, 'packageName' | 'fixedVersion'>): string {
  return vul.fixedVersion === ''
    ? vul.packageName
    : `${vul.packageName} version less than ${vul.fixedVersion}`;
}

/** One row of the grouped view: all findings of one (type, name). */
export interface VulGroup {
  type: VulType;
  name: string;
  aliasName: string;
  /** The finding's search tags ("Restart required,Code execution"). */
  tags: string;
  related: string;
  /** Unhandled findings per necessity. */
  asapCount: number;
  laterCount: number;
  nntfCount: number;
  handledCount: number;
  totalFixCount: number;
  gmtFirst: number;
  gmtLast: number;
}

/** Advisory data of one CVE. */
export interface CveDetail {
  cveId: string;
  title: string;
  summary: string;
  solution: string;
  /** Text as published ("9.8"). */
  cvssScore: string;
  cvssVector: string;
  /** serious | high | medium | low */
  vulLevel: string;
  publishedAt: number;
}

/** The status changes a user may make by hand, and the only status each may start from. */
export const VUL_OPERATIONS = {
  vul_ignore: { from: VUL_STATUS.unfixed, to: VUL_STATUS.ignored },
  vul_undo_ignore: { from: VUL_STATUS.ignored, to: VUL_STATUS.unfixed },
} as const satisfies Record<string, { from: VulStatus; to: VulStatus }>;
export type VulOperation = keyof typeof VUL_OPERATIONS;

/** A finding named the way the Sas `Info` items name it: vulnerability name on a host uuid. */
export interface VulRef {
  name: string;
  uuid: string;
}

const MAX_REFS = 1000;
const MAX_REF_TEXT = 512;

/**
 * Parses the Sas `Info` JSON text: `[{"name":"…","uuid":"…","tag":"oval","isFront":0}]`.
 * Fields other than name and uuid are accepted and not used. Anything else is
 * an InvalidParameter naming `param`.
 */
export function parseVulRefs(text: string, param: string): VulRef[] {
  const parsed = parseJsonParameter(text, param);
  if (!Array.isArray(parsed) || parsed.length === 0) {
    throw invalidParameter(param, 'it is not a non-empty JSON array');
  }
  if (parsed.length > MAX_REFS) throw invalidParameter(param, `it has more than ${MAX_REFS} items`);
  return parsed.map((item: unknown): VulRef => {
    const { name, uuid } = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    if (!isRefText(name) || !isRefText(uuid)) {
      throw invalidParameter(param, 'every item needs a "name" and a "uuid" text');
    }
    return { name, uuid };
  });
}

function isRefText(value: unknown): value is string {
  return typeof value === 'string' && value !== '' && value.length <= MAX_REF_TEXT;
}
