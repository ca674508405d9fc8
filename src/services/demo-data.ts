/**
 * Demo fleet: fills a tenant with host groups, hosts and vulnerabilities of
 * every Sas type, plus the CVE rows they refer to, for demos, screenshots and
 * load tests (`parapet demo-data`). ALL OF IT IS SYNTHETIC: made-up hosts with
 * addresses from documentation and private ranges, generated advisory names
 * and CVE ids (see demo-data-catalog.ts). Never mistake it for scan results.
 *
 * Deterministic: the same seed and counts on a fresh database give the same
 * rows, apart from ids and the timestamps counted back from `now`. Each host
 * draws from its own random stream, seeded by (seed, host number), so the rows
 * do not depend on batch sizes.
 *
 * Appending is safe: host numbers continue after the tenant's existing hosts
 * (skipping any whose uuid is taken), and a run's vulnerabilities go to the
 * hosts it creates, where each (type, name) is given once — so the unique keys
 * (tenant_id, uuid) and (host_id, type, name) hold however often it runs.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { invalidParameter } from '../domain/errors.ts';
import { arrayLiteral } from '../persistence/bulk-insert.ts';
import type { Database, Dialect, Queryable, SqlValue } from '../persistence/database.ts';
import {
  AGENT_VERSIONS,
  APPLICATIONS,
  CONTAINER_IMAGES,
  CPU_MODELS,
  cveCatalogue,
  defineFinding,
  definitionCount,
  HOST_GROUPS,
  LINUX_ROLES,
  OS_DECK,
  OS_PROFILES,
  REGIONS,
  WINDOWS_ROLES,
  type Finding,
  type OsProfile,
} from './demo-data-catalog.ts';
import { VUL_TYPES, type VulType } from '../domain/vulnerabilities.ts';
import { generateDemoImages } from './demo-data-images.ts';

export interface DemoDataOptions {
  tenantId: number;
  /** Hosts to add. */
  hosts: number;
  /** Vulnerabilities to add, spread over the new hosts (at most MAX_VULNS_PER_HOST each). */
  vulns: number;
  /** Local container images to add on the tenant's Linux hosts, old and new (see demo-data-images.ts). Default 0. */
  images?: number;
  /** Default 1. */
  seed?: number;
  /** Epoch ms that timestamps count back from; default Date.now(). */
  now?: number;
  /** Called after each committed batch with the host and vulnerability rows inserted so far. */
  onProgress?: (inserted: number, total: number) => void;
}

/** Rows this call added (groups and CVEs that already existed are not counted). */
export interface DemoDataSummary {
  groups: number;
  hosts: number;
  vulnerabilities: number;
  cves: number;
  images: number;
  imageVulnerabilities: number;
}

export const MAX_VULNS_PER_HOST = 10_000;

const DAY = 86_400_000;
/** SQLite's default SQLITE_MAX_VARIABLE_NUMBER; PostgreSQL allows 65,535. */
const MAX_PARAMETERS = 32_766;

interface LoadProfile {
  rowsPerTransaction: number;
  /** Batches the database may still be writing while the next one is generated. */
  writeAhead: number;
  /** Rest after each commit. */
  pauseMs: number;
  insert: (tx: Queryable, table: Table, rows: readonly SqlValue[][], suffix?: string) => Promise<number>;
}

/** How each backend takes the load (1M rows: ~20 s on either, see the commit message). */
const loadProfiles: Record<Dialect, LoadProfile> = {
  // One writer at a time per file: transactions of ~0.15 s, each followed by a
  // pause so the server's writers (retrying within busy_timeout) get the lock.
  // node:sqlite runs on this thread, so there is nothing to overlap.
  sqlite: { rowsPerTransaction: 10_000, writeAhead: 0, pauseMs: 5, insert: insertValues },
  // Row locks hold no other writer up, and the server works in its own
  // processes: two transactions run while the next batch is generated. A
  // multi-row VALUES of ~32k parameters is slow for PostgreSQL to parse;
  // INSERT … SELECT FROM unnest(one array per column) is not.
  postgres: { rowsPerTransaction: 20_000, writeAhead: 1, pauseMs: 0, insert: insertUnnest },
};

export async function generateDemoData(db: Database, options: DemoDataOptions): Promise<DemoDataSummary> {
  const { tenantId, hosts, vulns, images = 0, seed = 1, now = Date.now(), onProgress } = options;
  checkCount('TenantId', tenantId, 1);
  checkCount('Hosts', hosts, 0);
  checkCount('Vulns', vulns, 0);
  checkCount('Images', images, 0);
  if (!Number.isSafeInteger(seed)) throw invalidParameter('Seed', 'must be an integer');
  if (!Number.isFinite(now)) throw invalidParameter('Now', 'must be epoch milliseconds');
  if (vulns > hosts * MAX_VULNS_PER_HOST) {
    throw invalidParameter('Vulns', `at most ${MAX_VULNS_PER_HOST} per new host; add hosts`);
  }
  if (!(await db.get('SELECT id FROM tenants WHERE id = ?', [tenantId]))) {
    throw invalidParameter('TenantId', `tenant ${tenantId} does not exist`);
  }
  const summary: DemoDataSummary = {
    groups: 0,
    hosts: 0,
    vulnerabilities: 0,
    cves: 0,
    images: 0,
    imageVulnerabilities: 0,
  };
  if (hosts > 0) {
    const groupIds = await ensureGroups(db, tenantId, now, summary);
    const plans = await planHosts(db, { tenantId, seed, now, groupIds }, hosts);
    const progress = (done: number) => onProgress?.(done, hosts + vulns);
    const hostIds = await insertHosts(db, plans, progress);
    summary.hosts = plans.length;

    const weights = plans.map((p) => p.weight);
    const counts = allocate(vulns, weights, MAX_VULNS_PER_HOST);
    const writer = makeVulnWriter(db, (done) => progress(hosts + done), summary);
    const findings = makeFindingCache();
    for (const [i, plan] of plans.entries()) {
      for (const row of vulnRows(plan, hostIds[i]!, counts[i]!, { tenantId, now, findings })) {
        await writer.add(row);
      }
    }
    await writer.finish();
  }
  // Images go on the tenant's Linux hosts, old and new, so they come after the hosts.
  Object.assign(summary, await generateDemoImages(db, { tenantId, images, seed, now }));
  return summary;
}

function checkCount(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw invalidParameter(name, `must be an integer of at least ${min}`);
  }
}

/** Splits `total` over hosts in proportion to their weights, none above `cap`. */
export function allocate(total: number, weights: readonly number[], cap: number): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  let running = 0;
  let given = 0;
  const counts = weights.map((w) => {
    running += w;
    const count = Math.min(cap, Math.round((total * running) / sum) - given);
    given += count;
    return count;
  });
  // What the cap cut off at the end goes to the first hosts with room.
  for (let i = 0; given < total; i++) {
    const more = Math.min(cap - counts[i]!, total - given);
    counts[i]! += more;
    given += more;
  }
  return counts;
}

// ---- random streams ----------------------------------------------------------------------

export interface Rng {
  next(): number;
  int(n: number): number;
  pick<T>(list: readonly T[]): T;
  weighted<T extends { weight: number }>(list: readonly T[]): T;
  chars(alphabet: string, length: number): string;
}

/** mulberry32: tiny, fast and good enough for synthetic data. */
function makeRng(seed: number): Rng {
  let state = seed | 0;
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    int,
    pick: (list) => list[int(list.length)]!,
    weighted(list) {
      let r = next() * list.reduce((sum, item) => sum + item.weight, 0);
      for (const item of list) if ((r -= item.weight) < 0) return item;
      return list[list.length - 1]!;
    },
    chars: (alphabet, length) => Array.from({ length }, () => alphabet[int(alphabet.length)]).join(''),
  };
}

/** `{ a: 3, b: 1 }` → `[{ value: 'a', weight: 3 }, …]`, for `Rng.weighted`. */
const weightsOf = <K extends string>(weights: Record<K, number>) =>
  (Object.entries(weights) as [K, number][]).map(([value, weight]) => ({ value, weight }));

/** 32 bytes that name one stream: sha256 keeps the streams of seeds and hosts apart. */
const digest = (...parts: (string | number)[]) =>
  createHash('sha256')
    .update(`parapet-demo:${parts.join(':')}`)
    .digest();
export const streamOf = (...parts: (string | number)[]) => makeRng(digest(...parts).readUInt32LE(0));

const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz';
const HEX = '0123456789abcdef';

// ---- groups and hosts ----------------------------------------------------------------------

const HOST_GROUPS_TABLE: Table = { name: 'host_groups', columns: ['tenant_id', 'name', 'created_at'] };
// prettier-ignore
const HOSTS: Table = { name: 'hosts', columns: [
  'tenant_id', 'uuid', 'group_id', 'instance_id', 'instance_name', 'internet_ip', 'intranet_ip', 'ip_list',
  'mac_list', 'os', 'os_name', 'kernel', 'region_id', 'vpc_instance_id', 'cores', 'mem_mb', 'cpu_info',
  'importance', 'tag', 'client_status', 'agent_version', 'created_at', 'last_seen_at',
] };
const IMPORTANCE = weightsOf({ 0: 20, 1: 55, 2: 25 });

async function ensureGroups(db: Database, tenantId: number, now: number, summary: DemoDataSummary) {
  const { changes } = await db.run(
    `${valuesInsert(HOST_GROUPS_TABLE, HOST_GROUPS.length)} ON CONFLICT (tenant_id, name) DO NOTHING`,
    HOST_GROUPS.flatMap((g) => [tenantId, g.name, now]),
  );
  summary.groups = changes;
  const rows = await db.all<{ id: number; name: string }>(
    'SELECT id, name FROM host_groups WHERE tenant_id = ?',
    [tenantId],
  );
  return new Map(rows.map((r) => [r.name, r.id]));
}

interface Container {
  id: string;
  name: string;
  image: string;
}

interface HostPlan {
  uuid: string;
  profile: OsProfile;
  /** The application deployed on the host: where its components are found. */
  application: string;
  /** Share of the run's vulnerabilities, before normalising. */
  weight: number;
  importance: number;
  containers: Container[];
  vulnSeed: number;
  row: SqlValue[];
}

interface FleetOptions {
  tenantId: number;
  seed: number;
  now: number;
  groupIds: Map<string, number>;
}

async function planHosts(db: Queryable, fleet: FleetOptions, count: number): Promise<HostPlan[]> {
  const existing = await db.all<{ uuid: string }>('SELECT uuid FROM hosts WHERE tenant_id = ?', [
    fleet.tenantId,
  ]);
  const taken = new Set(existing.map((r) => r.uuid));
  const plans: HostPlan[] = [];
  for (let index = taken.size; plans.length < count; index++) {
    const plan = planHost(fleet, index);
    if (!taken.has(plan.uuid)) plans.push(plan);
  }
  return plans;
}

/** The OS of host `index`: every ten hosts draw one OS from each OS_DECK slot, shuffled. */
function osOf(seed: number, index: number): OsProfile {
  const rng = streamOf('deck', seed, Math.floor(index / OS_DECK.length));
  const deck = OS_DECK.map((slot) => rng.pick(slot));
  for (let i = deck.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [deck[i], deck[j]] = [deck[j]!, deck[i]!];
  }
  return OS_PROFILES[deck[index % deck.length]!];
}

function planHost({ tenantId, seed, now, groupIds }: FleetOptions, index: number): HostPlan {
  const bytes = digest('host', seed, index);
  const hex = bytes.toString('hex');
  // RFC 4122 layout: version 4 and the 10xx variant, the rest from the digest.
  const variant = '89ab'[bytes[8]! & 3]!;
  const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  const rng = makeRng(bytes.readUInt32LE(16));
  const profile = osOf(seed, index);
  const windows = profile.os === 'windows';
  const group = rng.weighted(HOST_GROUPS);
  const region = rng.weighted(REGIONS);
  const vpc = vpcOf(seed, region, rng.int(3));
  const role = rng.pick(windows ? WINDOWS_ROLES : LINUX_ROLES);
  const createdAt = now - (30 + rng.int(700)) * DAY - rng.int(DAY);
  const instanceName =
    group.name === 'default'
      ? `${group.prefix}-${new Date(createdAt).toISOString().slice(0, 10).replaceAll('-', '')}`
      : `${group.prefix}-${role}-${String(1 + rng.int(40)).padStart(2, '0')}`;
  const intranetIp = `${vpc.subnet}.${rng.int(16)}.${1 + rng.int(254)}`;
  const documentationNet = rng.pick(['192.0.2', '198.51.100', '203.0.113']);
  const internetIp = rng.next() < 0.6 ? `${documentationNet}.${1 + rng.int(254)}` : '';
  // 00:16:3e is the prefix of Alibaba Cloud's (and Xen's) virtual NICs.
  const mac = () => `00:16:3e:${rng.chars(HEX, 6).replace(/(..)(?!$)/g, '$1:')}`;
  const macs = rng.next() < 0.2 ? [mac(), mac()] : [mac()];
  const cores = rng.pick([2, 2, 4, 4, 4, 8, 8, 16, 32]);
  const online = rng.next() < 0.88;
  const importance = Number(rng.weighted(IMPORTANCE).value);
  const application = rng.pick(APPLICATIONS);
  const hasContainers = !windows && (role === 'k8s-node' || rng.next() < 0.15);
  const containers = hasContainers ? Array.from({ length: 2 + rng.int(4) }, () => containerOf(rng)) : [];
  const row: SqlValue[] = [
    tenantId,
    uuid,
    groupIds.get(group.name) ?? null,
    `i-${region.prefix}${rng.chars(BASE36, 17)}`,
    instanceName,
    internetIp,
    intranetIp,
    [intranetIp, internetIp].filter(Boolean).join(','),
    macs.join(','),
    profile.os,
    profile.osName,
    rng.pick(profile.kernels),
    region.id,
    vpc.id,
    cores,
    cores * rng.pick(windows ? [4, 8] : [2, 4, 8]) * 1024,
    rng.pick(CPU_MODELS),
    importance,
    role,
    online ? 'online' : 'offline',
    rng.pick(AGENT_VERSIONS),
    createdAt,
    online ? now - rng.int(300_000) : now - (1 + rng.int(20)) * DAY,
  ];
  // Older systems and a long tail of neglected hosts carry most findings.
  const weight = profile.risk * (0.15 + 2 * rng.next() ** 2);
  const vulnSeed = bytes.readUInt32LE(20);
  return { uuid, profile, application, weight, importance, containers, vulnSeed, row };
}

/** A VPC is shared by the hosts of a seed that draw the same region and number. */
function vpcOf(seed: number, region: { id: string; prefix: string }, n: number) {
  const rng = streamOf('vpc', seed, region.id, n);
  const subnet = rng.pick([`172.${16 + rng.int(16)}`, `10.${rng.int(256)}`, '192.168']);
  return { id: `vpc-${region.prefix}${rng.chars(BASE36, 17)}`, subnet };
}

function containerOf(rng: Rng): Container {
  const image = rng.pick(CONTAINER_IMAGES);
  const app = image.split('/').pop()!.split(':')[0]!;
  return { id: rng.chars(HEX, 64), name: `${app}-${rng.chars(BASE36, 5)}`, image };
}

async function insertHosts(db: Database, plans: HostPlan[], progress: (done: number) => void) {
  const idByUuid = new Map<string, number>();
  const perStatement = Math.floor(MAX_PARAMETERS / HOSTS.columns.length);
  for (let start = 0; start < plans.length; start += perStatement) {
    const chunk = plans.slice(start, start + perStatement);
    const sql = `${valuesInsert(HOSTS, chunk.length)} RETURNING id, uuid`;
    const rows = await db.withTransaction((tx) =>
      tx.all<{ id: number; uuid: string }>(
        sql,
        chunk.flatMap((p) => p.row),
      ),
    );
    for (const r of rows) idByUuid.set(r.uuid, r.id);
    progress(start + chunk.length);
    await pause(db);
  }
  return plans.map((p) => idByUuid.get(p.uuid)!);
}

// ---- vulnerabilities --------------------------------------------------------------------------

// prettier-ignore
const VULNERABILITIES: Table = { name: 'vulnerabilities', columns: [
  'tenant_id', 'host_id', 'type', 'name', 'alias_name', 'tag', 'search_tags', 'necessity', 'status', 'related',
  'package_name', 'package_version', 'fixed_version', 'path', 'update_cmd', 'container_id', 'container_name',
  'image', 'first_ts', 'last_ts', 'modify_ts', 'repair_ts',
] };

/** Share of each type on a host; the first also takes what the others have no room for. */
const TYPE_MIX = {
  linux: weightsOf<VulType>({ cve: 72, app: 10, sca: 12, cms: 4, emg: 2 } as Record<VulType, number>),
  windows: weightsOf<VulType>({ sys: 74, app: 10, sca: 10, cms: 3, emg: 3 } as Record<VulType, number>),
};
const TAGS: Record<VulType, string> = {
  cve: 'oval',
  sys: 'system',
  cms: 'cms',
  app: 'app',
  emg: 'emg',
  sca: 'sca',
};
/** Sas status codes: mostly 1 unfixed, then 7 fixed, 10 ignored and the states in between. */
const STATUSES = weightsOf({ 1: 70, 7: 12, 10: 6, 8: 3, 2: 3, 12: 2, 4: 1, 6: 1, 9: 1, 20: 1 });
const FIXED = new Set([7, 8]);
const NECESSITIES = ['nntf', 'later', 'asap'] as const;

interface NamedFinding extends Finding {
  /** Equal for equal (type, name): sorting a batch by it puts the rows of one index entry together. */
  nameKey: number;
}
/** The findings of one type on hosts like `plan`, by definition number. */
type FindingCache = (plan: HostPlan, type: VulType) => (d: number) => NamedFinding;

/** The same advisories recur on many hosts: each is built once per run. */
function makeFindingCache(): FindingCache {
  const tables = new Map<string, Map<number, NamedFinding>>();
  const nameKeys = new Map<string, number>();
  return ({ profile, application }, type) => {
    const tableKey = `${profile.osName}|${application}|${type}`;
    const table = tables.get(tableKey) ?? new Map<number, NamedFinding>();
    tables.set(tableKey, table);
    return (d) => {
      let finding = table.get(d);
      if (!finding) {
        const defined = defineFinding(type, d, profile, application);
        const name = `${type}|${defined.name}`;
        if (!nameKeys.has(name)) nameKeys.set(name, nameKeys.size);
        finding = { ...defined, nameKey: nameKeys.get(name)! };
        table.set(d, finding);
      }
      return finding;
    };
  };
}

interface VulnRow {
  values: SqlValue[];
  finding: NamedFinding;
}

interface RowContext {
  tenantId: number;
  now: number;
  findings: FindingCache;
}

function* vulnRows(plan: HostPlan, hostId: number, count: number, context: RowContext): Generator<VulnRow> {
  const { tenantId, now, findings } = context;
  const rng = makeRng(plan.vulnSeed);
  const mix = TYPE_MIX[plan.profile.os];
  const perType = new Map<VulType, number>(VUL_TYPES.map((t) => [t, 0]));
  for (let i = 0; i < count; i++) {
    let type = rng.weighted(mix).value;
    if (perType.get(type)! >= definitionCount(type, plan.profile)) type = mix[0]!.value;
    perType.set(type, perType.get(type)! + 1);
  }
  for (const [type, n] of perType) {
    if (n === 0) continue;
    const definitions = definitionCount(type, plan.profile);
    const findingOf = findings(plan, type);
    // Most hosts start near the front, so popular advisories recur across the
    // fleet; consecutive definition numbers never repeat a name on the host.
    const start = Math.floor(rng.next() ** 2 * Math.min(definitions, 300));
    for (let j = 0; j < n; j++) {
      const finding = findingOf((start + j) % definitions);
      const status = Number(rng.weighted(STATUSES).value);
      const first = now - rng.int(90 * DAY);
      const repair = FIXED.has(status) ? first + rng.int(now - first) : null;
      const last = repair ?? Math.max(first, now - rng.int(2 * DAY));
      const inContainer = plan.containers.length > 0 && type !== 'cms' && rng.next() < 0.3;
      const container = inContainer ? rng.pick(plan.containers) : undefined;
      const values: SqlValue[] = [
        tenantId,
        hostId,
        type,
        finding.name,
        finding.aliasName,
        TAGS[type],
        finding.searchTags,
        necessity(finding.score, plan.importance, rng),
        status,
        finding.related,
        finding.packageName,
        finding.packageVersion,
        finding.fixedVersion,
        finding.path,
        finding.updateCmd,
        container?.id ?? '',
        container?.name ?? '',
        container?.image ?? '',
        first,
        last,
        Math.max(last, first + rng.int(now - first)),
        repair,
      ];
      yield { values, finding };
    }
  }
}

/** Severity sets the urgency; important hosts move up a step and test hosts down, now and then. */
function necessity(score: number, importance: number, rng: Rng): string {
  let level = score >= 8.8 ? 2 : score >= 6 ? 1 : 0;
  if (importance === 2 && rng.next() < 0.3) level = Math.min(2, level + 1);
  if (importance === 0 && rng.next() < 0.3) level = Math.max(0, level - 1);
  return NECESSITIES[level]!;
}

// prettier-ignore
const CVES: Table = { name: 'cves', columns: [
  'cve_id', 'title', 'summary', 'solution', 'cvss_score', 'cvss_vector', 'vul_level', 'published_at',
] };

function cveRow(k: number): SqlValue[] {
  const c = cveCatalogue()[k]!;
  return [c.id, c.title, c.summary, c.solution, c.score.toFixed(1), c.vector, c.level, c.publishedAt];
}

/**
 * Buffers vulnerability rows and writes them a transaction at a time, with the
 * CVE rows they are the first to mention in the same transaction.
 */
function makeVulnWriter(db: Database, progress: (done: number) => void, summary: DemoDataSummary) {
  const profile = loadProfiles[db.dialect];
  const mentioned = new Set<number>();
  const writing: Promise<void>[] = [];
  let rows: VulnRow[] = [];
  let newCves: number[] = [];

  async function write(batch: VulnRow[], cves: number[]): Promise<void> {
    // Rows of one (type, name) side by side touch each page of the name index once.
    batch.sort((a, b) => a.finding.nameKey - b.finding.nameKey);
    const cvesAdded = await db.withTransaction(async (tx) => {
      const added = await profile.insert(tx, CVES, cves.map(cveRow), 'ON CONFLICT (cve_id) DO NOTHING');
      const values = batch.map((r) => r.values);
      await profile.insert(tx, VULNERABILITIES, values);
      return added;
    });
    // Added up after the await: another batch may have updated the summary meanwhile.
    summary.cves += cvesAdded;
    summary.vulnerabilities += batch.length;
    progress(summary.vulnerabilities);
    await pause(db);
  }

  async function flush(): Promise<void> {
    if (rows.length === 0) return;
    const job = write(rows, newCves);
    [rows, newCves] = [[], []];
    job.catch(() => undefined); // awaited below or in finish(); not an unhandled rejection meanwhile
    writing.push(job);
    while (writing.length > profile.writeAhead) await writing.shift();
  }

  return {
    async add(row: VulnRow): Promise<void> {
      rows.push(row);
      for (const k of row.finding.cves) {
        if (!mentioned.has(k)) {
          mentioned.add(k);
          newCves.push(k);
        }
      }
      if (rows.length >= profile.rowsPerTransaction) await flush();
    },
    async finish(): Promise<void> {
      await flush();
      await Promise.all(writing);
    },
  };
}

// ---- batched inserts -----------------------------------------------------------------------------

interface Table {
  name: string;
  columns: readonly string[];
}
/** The BIGINT columns of the tables above; the others are TEXT. */
// prettier-ignore
const BIGINT_COLUMNS = new Set([
  'tenant_id', 'host_id', 'group_id', 'cores', 'mem_mb', 'importance', 'created_at', 'last_seen_at', 'status',
  'first_ts', 'last_ts', 'modify_ts', 'repair_ts', 'published_at',
]);

/** `INSERT INTO t (a, b) VALUES (?, ?), (?, ?)` for `rows` rows. */
function valuesInsert(table: Table, rows: number): string {
  const row = `(${table.columns.map(() => '?').join(', ')})`;
  return `INSERT INTO ${table.name} (${table.columns.join(', ')}) VALUES ${Array(rows).fill(row).join(', ')}`;
}

/** Multi-row INSERTs of as many rows as the parameter limit allows; returns the rows inserted. */
async function insertValues(tx: Queryable, table: Table, rows: readonly SqlValue[][], suffix = '') {
  const perStatement = Math.floor(MAX_PARAMETERS / table.columns.length);
  let changes = 0;
  for (let start = 0; start < rows.length; start += perStatement) {
    const chunk = rows.slice(start, start + perStatement);
    changes += (await tx.run(`${valuesInsert(table, chunk.length)} ${suffix}`, chunk.flat())).changes;
  }
  return changes;
}

/** One `INSERT … SELECT * FROM unnest(?::bigint[], ?::text[], …)`, an array per column (PostgreSQL). */
async function insertUnnest(tx: Queryable, table: Table, rows: readonly SqlValue[][], suffix = '') {
  if (rows.length === 0) return 0;
  const arrays = table.columns.map((column) => `?::${BIGINT_COLUMNS.has(column) ? 'bigint' : 'text'}[]`);
  const sql = `INSERT INTO ${table.name} (${table.columns.join(', ')}) SELECT * FROM unnest(${arrays.join(', ')}) ${suffix}`;
  const params = table.columns.map((_, column) => arrayLiteral(rows, column));
  return (await tx.run(sql, params)).changes;
}

async function pause(db: Database): Promise<void> {
  const { pauseMs } = loadProfiles[db.dialect];
  if (pauseMs > 0) await sleep(pauseMs);
}
