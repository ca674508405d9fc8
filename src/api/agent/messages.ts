/**
 * Checks the JSON an agent sends, field by field, before anything reaches a
 * service: wrong types, unknown enum values and oversized texts or lists are
 * an InvalidParameter naming the field. Agents are authenticated, but a
 * compromised host must not be able to crash the server or store junk.
 */
import {
  ASSIGNMENT_TYPES,
  type AssignmentResultData,
  type EnrollRequest,
  type HostFacts,
  type ProgressRequest,
  type ResultPart,
} from '../../domain/agent-protocol.ts';
import {
  PACKAGE_MANAGERS,
  type AssetInventory,
  type InstalledPackage,
  type ListeningPort,
  type LocalUser,
  type RunningProcess,
} from '../../domain/assets.ts';
import { invalidParameter } from '../../domain/errors.ts';
import {
  ENGINE_NAMES,
  MAX_SKIPPED_LISTED,
  SKIP_REASONS,
  VIRUS_LEVELS,
  type SkippedFile,
  type VirusDetection,
  type VirusScanReport,
} from '../../domain/virus-scan.ts';
import { MAX_RESULT_PARTS } from '../../services/assignments.ts';

type Json = Record<string, unknown>;

function object(value: unknown, path: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidParameter(path, 'it is not a JSON object');
  }
  return value as Json;
}

function text(value: unknown, path: string, maxLength = 1024): string {
  if (typeof value !== 'string') throw invalidParameter(path, 'it is not a string');
  if (value.length > maxLength) throw invalidParameter(path, `it is longer than ${maxLength} characters`);
  return value;
}

function integer(value: unknown, path: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw invalidParameter(path, `it is not an integer in ${min}..${max}`);
  }
  return value;
}

function optional<T>(value: unknown, check: (value: unknown) => T): T | undefined {
  return value === undefined || value === null ? undefined : check(value);
}

function bool(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw invalidParameter(path, 'it is not true or false');
  return value;
}

function oneOf<T extends string>(value: unknown, path: string, values: readonly T[]): T {
  if (!(values as readonly unknown[]).includes(value))
    throw invalidParameter(path, `it is not one of ${values.join(', ')}`);
  return value as T;
}

function list<T>(value: unknown, path: string, max: number, item: (value: unknown, path: string) => T): T[] {
  if (!Array.isArray(value)) throw invalidParameter(path, 'it is not a JSON array');
  if (value.length > max) throw invalidParameter(path, `it has more than ${max} items`);
  return value.map((entry, index) => item(entry, `${path}[${index}]`));
}

const MAX_LIST = 200_000;
const PATH = 4096;

export function checkHostFacts(value: unknown, path = 'host'): HostFacts {
  const h = object(value, path);
  return {
    hostname: text(h.hostname, `${path}.hostname`, 255),
    ips: list(h.ips, `${path}.ips`, 64, (v, p) => text(v, p, 64)),
    macs: list(h.macs, `${path}.macs`, 64, (v, p) => text(v, p, 64)),
    os: text(h.os, `${path}.os`, 32),
    osName: text(h.osName, `${path}.osName`, 255),
    osVersion: text(h.osVersion, `${path}.osVersion`, 64),
    kernel: text(h.kernel, `${path}.kernel`, 255),
    arch: text(h.arch, `${path}.arch`, 32),
    cores: integer(h.cores, `${path}.cores`, 0, 65_536),
    memMb: integer(h.memMb, `${path}.memMb`),
    cpuInfo: text(h.cpuInfo, `${path}.cpuInfo`, 255),
    agentVersion: text(h.agentVersion, `${path}.agentVersion`, 64),
  };
}

export function checkEnrollRequest(value: unknown): EnrollRequest {
  const body = object(value, 'body');
  return { token: text(body.token, 'token', 128), host: checkHostFacts(body.host) };
}

export function checkProgress(value: unknown): ProgressRequest {
  return { progress: integer(object(value, 'body').progress, 'progress', 0, 100) };
}

/** The long poll's wait: at most 30 s. */
export function checkPollWait(value: unknown): number | undefined {
  return optional(object(value ?? {}, 'body').wait, (v) => integer(v, 'wait', 0, 30));
}

function checkPackage(value: unknown, path: string): InstalledPackage {
  const p = object(value, path);
  return {
    name: text(p.name, `${path}.name`, 512),
    version: text(p.version, `${path}.version`, 256),
    arch: text(p.arch, `${path}.arch`, 64),
    source: text(p.source, `${path}.source`, 512),
    manager: oneOf(p.manager, `${path}.manager`, PACKAGE_MANAGERS),
    summary: text(p.summary, `${path}.summary`, 1024),
    installedAt: optional(p.installedAt, (v) => integer(v, `${path}.installedAt`)),
    size: optional(p.size, (v) => integer(v, `${path}.size`)),
  };
}

function checkProcess(value: unknown, path: string): RunningProcess {
  const p = object(value, path);
  return {
    pid: integer(p.pid, `${path}.pid`),
    ppid: integer(p.ppid, `${path}.ppid`),
    name: text(p.name, `${path}.name`, 256),
    path: text(p.path, `${path}.path`, PATH),
    cmdline: text(p.cmdline, `${path}.cmdline`, 1024),
    user: text(p.user, `${path}.user`, 256),
    startedAt: integer(p.startedAt, `${path}.startedAt`),
    state: text(p.state, `${path}.state`, 16),
  };
}

function checkPort(value: unknown, path: string): ListeningPort {
  const p = object(value, path);
  return {
    protocol: oneOf(p.protocol, `${path}.protocol`, ['tcp', 'tcp6', 'udp', 'udp6'] as const),
    bindIp: text(p.bindIp, `${path}.bindIp`, 64),
    port: integer(p.port, `${path}.port`, 0, 65_535),
    pid: integer(p.pid, `${path}.pid`),
    processName: text(p.processName, `${path}.processName`, 256),
  };
}

function checkUser(value: unknown, path: string): LocalUser {
  const u = object(value, path);
  return {
    name: text(u.name, `${path}.name`, 256),
    uid: integer(u.uid, `${path}.uid`),
    gid: integer(u.gid, `${path}.gid`),
    home: text(u.home, `${path}.home`, PATH),
    shell: text(u.shell, `${path}.shell`, PATH),
    groups: list(u.groups, `${path}.groups`, 1024, (v, p) => text(v, p, 256)),
    isRoot: bool(u.isRoot, `${path}.isRoot`),
    canLogin: bool(u.canLogin, `${path}.canLogin`),
    lastLoginAt: optional(u.lastLoginAt, (v) => integer(v, `${path}.lastLoginAt`)),
    lastLoginIp: optional(u.lastLoginIp, (v) => text(v, `${path}.lastLoginIp`, 256)),
  };
}

function checkInventory(value: unknown, path: string): AssetInventory {
  const i = object(value, path);
  return {
    collectedAt: integer(i.collectedAt, `${path}.collectedAt`),
    packages: list(i.packages, `${path}.packages`, MAX_LIST, checkPackage),
    processes: list(i.processes, `${path}.processes`, MAX_LIST, checkProcess),
    ports: list(i.ports, `${path}.ports`, MAX_LIST, checkPort),
    users: list(i.users, `${path}.users`, MAX_LIST, checkUser),
  };
}

const HEX = (length: number) => new RegExp(`^[0-9a-f]{${length}}$`);

function checkDetection(value: unknown, path: string): VirusDetection {
  const d = object(value, path);
  const hash = (field: 'md5' | 'sha256', length: number) => {
    const hex = text(d[field], `${path}.${field}`, length);
    if (!HEX(length).test(hex))
      throw invalidParameter(`${path}.${field}`, `it is not ${length} lower-case hex digits`);
    return hex;
  };
  return {
    path: text(d.path, `${path}.path`, PATH),
    size: integer(d.size, `${path}.size`),
    md5: hash('md5', 32),
    sha256: hash('sha256', 64),
    signature: text(d.signature, `${path}.signature`, 256),
    engine: oneOf(d.engine, `${path}.engine`, ENGINE_NAMES),
    level: oneOf(d.level, `${path}.level`, VIRUS_LEVELS),
  };
}

function checkSkipped(value: unknown, path: string): SkippedFile {
  const s = object(value, path);
  return {
    path: text(s.path, `${path}.path`, PATH),
    size: integer(s.size, `${path}.size`),
    reason: oneOf(s.reason, `${path}.reason`, SKIP_REASONS),
    detail: text(s.detail, `${path}.detail`, 1024),
  };
}

function checkReport(value: unknown, path: string): VirusScanReport {
  const r = object(value, path);
  return {
    startedAt: integer(r.startedAt, `${path}.startedAt`),
    finishedAt: integer(r.finishedAt, `${path}.finishedAt`),
    roots: list(r.roots, `${path}.roots`, 256, (v, p) => text(v, p, PATH)),
    engines: list(r.engines, `${path}.engines`, ENGINE_NAMES.length, (v, p) => oneOf(v, p, ENGINE_NAMES)),
    scannedFiles: integer(r.scannedFiles, `${path}.scannedFiles`),
    scannedBytes: integer(r.scannedBytes, `${path}.scannedBytes`),
    detections: list(r.detections, `${path}.detections`, 100_000, checkDetection),
    skippedCount: integer(r.skippedCount, `${path}.skippedCount`),
    skipped: list(r.skipped, `${path}.skipped`, MAX_SKIPPED_LISTED, checkSkipped),
  };
}

function checkResultData(value: unknown): AssignmentResultData {
  const d = object(value, 'data');
  const type = oneOf(d.type, 'data.type', ASSIGNMENT_TYPES);
  return type === 'ASSETS_COLLECTION'
    ? { type, inventory: checkInventory(d.inventory, 'data.inventory') }
    : { type, report: checkReport(d.report, 'data.report') };
}

export function checkResultPart(value: unknown): ResultPart {
  const body = object(value, 'body');
  const parts = integer(body.parts, 'parts', 1, MAX_RESULT_PARTS);
  const part = integer(body.part, 'part', 1, parts);
  const status = oneOf(body.status, 'status', ['succeeded', 'failed'] as const);
  if (status === 'failed') {
    return { part, parts, status, error: text(body.error ?? '', 'error', 4096) };
  }
  return { part, parts, status, data: checkResultData(body.data) };
}
