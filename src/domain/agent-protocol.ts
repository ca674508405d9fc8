/**
 * The agent protocol's messages (docs/agent-protocol.md): what an agent and
 * the server say to each other, as JSON. The agent (src/agent) builds them;
 * the server's adapter (src/api/agent) checks them.
 *
 * Glossary.
 * - Enrollment token: a secret an administrator creates
 *   (`parapet admin enroll-token create`); an agent exchanges it once for its
 *   own identity (uuid + secret), kept in the agent's data directory.
 * - Assignment: one target of a fan-out task (an asset collection or a virus
 *   scan over several hosts) as delivered to the agent of that host.
 */
import type { AssetInventory } from './assets.ts';
import type { VirusScanAssignment, VirusScanReport } from './virus-scan.ts';

export const AGENT_API_PREFIX = '/agent/v1';

/** What the agent reports about its host at enrollment and at every start. */
export interface HostFacts {
  /** The host name (`--name` overrides the system's). */
  hostname: string;
  /** Non-loopback IPv4 addresses first, then IPv6. */
  ips: string[];
  macs: string[];
  /** `linux` (the only family the agent runs on today). */
  os: string;
  /** From os-release PRETTY_NAME, e.g. "Debian GNU/Linux 12 (bookworm)". */
  osName: string;
  /** os-release VERSION_ID, e.g. "12". */
  osVersion: string;
  kernel: string;
  arch: string;
  cores: number;
  memMb: number;
  cpuInfo: string;
  agentVersion: string;
}

export interface EnrollRequest {
  token: string;
  host: HostFacts;
}

export interface EnrollResponse {
  uuid: string;
  secret: string;
  /** How long the agent should hold a poll open. */
  pollWaitSeconds: number;
}

export const ASSIGNMENT_TYPES = ['ASSETS_COLLECTION', 'VIRUS_SCAN'] as const;
export type AssignmentType = (typeof ASSIGNMENT_TYPES)[number];

export type AssignmentParams = { type: 'ASSETS_COLLECTION' } | ({ type: 'VIRUS_SCAN' } & VirusScanAssignment);

export interface Assignment {
  /** Unique on the server; the agent drops an assignment it has already taken. */
  id: number;
  params: AssignmentParams;
  /** Epoch ms after which the server counts the target as timed out (a later result is still stored). */
  deadlineAt: number;
}

export interface PollResponse {
  assignments: Assignment[];
}

export interface ProgressRequest {
  /** 0–100 */
  progress: number;
}

export interface ProgressResponse {
  /** The task was cancelled: stop and post nothing more. */
  cancelled: boolean;
}

/** What a finished assignment produced: the whole result is the merge of its parts. */
export type AssignmentResultData =
  { type: 'ASSETS_COLLECTION'; inventory: AssetInventory } | { type: 'VIRUS_SCAN'; report: VirusScanReport };

/**
 * One part of a result. A result too large for one request is split into
 * parts 1..parts (list fields split across parts, scalar fields in every
 * part); the server applies it once all parts are there. Posting a part
 * again is harmless.
 */
export interface ResultPart {
  part: number;
  parts: number;
  status: 'succeeded' | 'failed';
  /** Why it failed (status failed). */
  error?: string;
  data?: AssignmentResultData;
}

export interface ResultResponse {
  /** Every part has arrived and the result is stored. */
  complete: boolean;
  /** The target had already timed out: the result is stored, the task stays as it ended. */
  late: boolean;
}

/** The largest request body an agent sends; results are split into parts below it. */
export const MAX_AGENT_BODY_BYTES = 512 * 1024;
