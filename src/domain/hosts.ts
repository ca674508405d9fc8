/**
 * Glossary.
 * - Host: a server that runs the Parapet agent, known by its uuid. Hosts are
 *   self-hosted machines, so in the Sas dialect they are IDC assets.
 * - Host group: a server group of a tenant; the group named "default" is the
 *   default group.
 * - Page: one slice of a listing, either by page number (offset) or after a
 *   cursor (keyset, the `NextToken` of the cloud APIs).
 */
import { invalidParameter, parseJsonParameter } from './errors.ts';

/** A server group of a tenant; the group named "default" is the default group. */
export interface HostGroup {
  id: number;
  tenantId: number;
  name: string;
  hostCount: number;
}

export const DEFAULT_GROUP_NAME = 'default';

/** One host as the inventory lists it, with its group and open vulnerability count. */
export interface Host {
  id: number;
  uuid: string;
  instanceId: string;
  instanceName: string;
  internetIp: string;
  intranetIp: string;
  /** Comma-separated, as the agent reports them. */
  ipList: string;
  macList: string;
  /** The OS family (`linux`, `windows`). */
  os: string;
  /** The OS release, e.g. "CentOS 7.9 64bit". */
  osName: string;
  kernel: string;
  regionId: string;
  vpcInstanceId: string;
  groupId: number | undefined;
  groupName: string | undefined;
  cores: number;
  memMb: number;
  cpuInfo: string;
  importance: HostImportance;
  tag: string;
  clientStatus: string;
  agentVersion: string;
  createdAt: number;
  lastSeenAt: number | undefined;
  /** Vulnerabilities on this host that are not handled (see UNHANDLED_STATUSES). */
  unhandledVulCount: number;
}

/** A host as listings of its assets, tasks and events show it. */
export interface HostRef {
  id: number;
  uuid: string;
  instanceId: string;
  instanceName: string;
  internetIp: string;
  intranetIp: string;
}

/** 2 important, 1 common, 0 test asset. */
export type HostImportance = 0 | 1 | 2;

/** The agent is connected; the Sas `Online` flag and `ClientStatus` come from this. */
export function isOnline(clientStatus: string): boolean {
  return clientStatus === 'online';
}

/** The host fields a host search can test (Sas DescribeCloudCenterInstances `Criteria` names). */
export const HOST_CRITERIA = [
  'name',
  'instanceId',
  'instanceName',
  'internetIp',
  'intranetIp',
  'uuid',
  'groupId',
  'os',
  'clientStatus',
  'regionId',
  'vpcInstanceId',
  'importance',
  'vulStatus',
  'riskStatus',
] as const;
export type HostCriterionName = (typeof HOST_CRITERIA)[number];

export type LogicalExp = 'AND' | 'OR';

/**
 * One search condition. `values` come from a comma-separated value and are
 * joined by `join`. `name` matches instance name, id or either IP by
 * substring; `instanceName` and the IPs by substring; `vulStatus` and
 * `riskStatus` (YES/NO) whether unhandled vulnerabilities exist (they are the
 * only risks Parapet records); the rest exactly.
 */
export interface HostCriterion {
  name: HostCriterionName;
  values: string[];
  join: LogicalExp;
}

export interface HostQuery {
  criteria: HostCriterion[];
  /** How the criteria combine; the cloud's default is OR. */
  join: LogicalExp;
  importance?: HostImportance;
  /** Sas machine types asked for; Parapet hosts are all servers (HOST_MACHINE_TYPE). */
  machineTypes?: readonly string[];
  /** Sas vendor codes asked for; Parapet hosts are all of HOST_VENDOR. */
  vendors?: readonly number[];
}

/** Every Parapet host is a server (`ecs` in the Sas machine types)… */
export const HOST_MACHINE_TYPE = 'ecs';
/** …in the customer's own data center (Sas vendor 2, "IDC"). */
export const HOST_VENDOR = { code: 2, name: 'IDC' } as const;

/** A query that names machine types or vendors other than Parapet's matches no host. */
export function queryCanMatchHosts(query: HostQuery): boolean {
  return (
    (query.machineTypes?.includes(HOST_MACHINE_TYPE) ?? true) &&
    (query.vendors?.includes(HOST_VENDOR.code) ?? true)
  );
}

const MAX_CRITERIA = 50;
const CRITERION_VALUE: Partial<Record<string, RegExp>> = {
  groupId: /^\d{1,15}$/,
  importance: /^[012]$/,
  vulStatus: /^(YES|NO)$/,
  riskStatus: /^(YES|NO)$/,
};

/**
 * Parses the Sas `Criteria` JSON text: `[{"name":"internetIp","value":"1.2.3.4","logicalExp":"OR"}]`.
 * Anything else is an InvalidParameter naming `param`.
 */
export function parseHostCriteria(text: string, param: string): HostCriterion[] {
  const parsed = parseJsonParameter(text, param);
  if (!Array.isArray(parsed)) throw invalidParameter(param, 'it is not a JSON array');
  if (parsed.length > MAX_CRITERIA) throw invalidParameter(param, `it has more than ${MAX_CRITERIA} items`);
  return parsed.map((item: unknown): HostCriterion => {
    if (typeof item !== 'object' || item === null) throw invalidParameter(param, 'an item is not an object');
    const { name, value, logicalExp } = item as Record<string, unknown>;
    if (typeof name !== 'string' || !(HOST_CRITERIA as readonly string[]).includes(name)) {
      throw invalidParameter(
        param,
        `criterion "${String(name).slice(0, 64)}" is not one of ${HOST_CRITERIA.join(', ')}`,
      );
    }
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw invalidParameter(param, `criterion "${name}" has no text value`);
    }
    if (logicalExp !== undefined && logicalExp !== 'AND' && logicalExp !== 'OR') {
      throw invalidParameter(param, `logicalExp of "${name}" is not AND or OR`);
    }
    const values = String(value)
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '');
    if (values.length === 0) throw invalidParameter(param, `criterion "${name}" has an empty value`);
    const shape = CRITERION_VALUE[name];
    if (shape && !values.every((v) => shape.test(v))) {
      throw invalidParameter(param, `criterion "${name}" has a value that is not ${shape.source}`);
    }
    return { name: name as HostCriterionName, values, join: logicalExp ?? 'OR' };
  });
}

/** How a listing is sliced: by page number with a total, or after a cursor without one. */
export type PageRequest =
  | { mode: 'offset'; currentPage: number; pageSize: number }
  | { mode: 'keyset'; afterId: number; pageSize: number };

export interface Page<T> {
  items: T[];
  /** Offset mode only: the number of matches on all pages. */
  totalCount?: number;
  /** Keyset mode only: the cursor of the next page; absent on the last page. */
  nextToken?: string;
}

export interface PageParams {
  currentPage: number;
  pageSize: number;
  useNextToken: boolean | undefined;
  nextToken: string | undefined;
}

// Tokens are opaque to clients: "v1:<last id>" in base64url. A token only
// moves a cursor inside the caller's own tenant, so it needs no signature.
const TOKEN_TEXT = /^v1:(\d{1,15})$/;

export function encodePageToken(afterId: number): string {
  return Buffer.from(`v1:${afterId}`).toString('base64url');
}

/** `UseNextToken=true` or any `NextToken` selects keyset paging; an unreadable token is an InvalidParameter. */
export function makePageRequest(params: PageParams): PageRequest {
  if (params.nextToken === undefined) {
    return params.useNextToken === true
      ? { mode: 'keyset', afterId: 0, pageSize: params.pageSize }
      : { mode: 'offset', currentPage: params.currentPage, pageSize: params.pageSize };
  }
  const match = /^[A-Za-z0-9_-]{1,64}$/.test(params.nextToken)
    ? TOKEN_TEXT.exec(Buffer.from(params.nextToken, 'base64url').toString('latin1'))
    : null;
  if (!match?.[1]) throw invalidParameter('NextToken', 'it is not a token this listing returned');
  return { mode: 'keyset', afterId: Number(match[1]), pageSize: params.pageSize };
}

/** Where a page starts: after an id (keyset) and/or after a number of rows (offset). */
export interface RowSlice {
  afterId: number;
  offset: number;
  limit: number;
}

/**
 * Runs a paged listing. Offset pages carry the total (a separate count);
 * keyset pages fetch one row more than asked, which only tells that another
 * page exists, and carry the cursor after the last row instead.
 */
export async function fetchPage<T extends { id: number }>(
  page: PageRequest,
  list: (slice: RowSlice) => Promise<T[]>,
  count: () => Promise<number>,
): Promise<Page<T>> {
  if (page.mode === 'offset') {
    const offset = (page.currentPage - 1) * page.pageSize;
    const [items, totalCount] = await Promise.all([
      list({ afterId: 0, offset, limit: page.pageSize }),
      count(),
    ]);
    return { items, totalCount };
  }
  const rows = await list({ afterId: page.afterId, offset: 0, limit: page.pageSize + 1 });
  if (rows.length <= page.pageSize) return { items: rows };
  const items = rows.slice(0, page.pageSize);
  const last = items[items.length - 1];
  return last ? { items, nextToken: encodePageToken(last.id) } : { items };
}
