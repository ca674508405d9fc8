/**
 * Demo local images (`parapet demo-data --images N`): container images on the
 * tenant's Linux hosts, the containers running them (some in Kubernetes pods)
 * and the vulnerabilities "scans" found in them, written to the same tables a
 * real image scan fills. ALL OF IT IS SYNTHETIC: the repositories and tags are
 * real names, the ids, digests, layers and findings are made up from the demo
 * catalogue (demo-data-catalog.ts), whose advisories are themselves generated.
 *
 * Deterministic like the rest of the demo data: image number k of a seed draws
 * from its own random stream, so the same seed, counts and hosts give the same
 * rows. Appending is safe: image numbers continue after the tenant's existing
 * images (skipping any whose image id is taken).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { invalidParameter } from '../domain/errors.ts';
import { SCAN_FAILED_DESCS, type ImageScanStatus, type ImageVulSeverity } from '../domain/images.ts';
import { insertRows, type BulkTable } from '../persistence/bulk-insert.ts';
import type { Database, Queryable, SqlValue } from '../persistence/database.ts';
import {
  APPLICATIONS,
  cveCatalogue,
  defineFinding,
  definitionCount,
  OS_PROFILES,
  type CveEntry,
  type Finding,
  type OsKey,
} from './demo-data-catalog.ts';
import { streamOf, type Rng } from './demo-data.ts';

export interface DemoImagesOptions {
  tenantId: number;
  /** Images to add. */
  images: number;
  seed: number;
  /** Epoch ms that timestamps count back from. */
  now: number;
}

/** Rows this call added. */
export interface DemoImagesSummary {
  images: number;
  imageVulnerabilities: number;
}

const DAY = 86_400_000;
const MB = 1_048_576;
const HEX = '0123456789abcdef';
const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz';
/** Images per transaction: about 8,000 rows with their hosts, containers and vulnerabilities. */
const IMAGES_PER_BATCH = 200;

type Ecosystem = 'maven' | 'npm' | 'pypi';
/** The OS an image is built on: a demo OS profile, or Alpine (whose advisories are CVE ids). */
type Base = OsKey | 'alpine';
/** Alpine's packages are not in the catalogue: Debian's stand in. */
const profileOf = (base: Base) => OS_PROFILES[base === 'alpine' ? 'debian12' : base];

interface ImageKind {
  /** The repository, e.g. `nginx` or `swr.…/team/api`. */
  name: string;
  base: Base;
  /** Where application components come from, if the image has any. */
  ecosystem: Ecosystem | undefined;
  sizeMb: readonly [number, number];
  /** At most this many vulnerabilities. */
  maxVulns: number;
}

interface PublicImage extends ImageKind {
  tags: readonly string[];
  weight: number;
}

// prettier-ignore
const kind = (
  name: string, tags: string, base: Base, sizeMb: [number, number], maxVulns: number, weight: number,
  ecosystem?: Ecosystem,
): PublicImage => ({ name, tags: tags.split(' '), base, sizeMb, maxVulns, weight, ecosystem });

// prettier-ignore
const PUBLIC_IMAGES: readonly PublicImage[] = [
  kind('nginx', '1.21.6 1.23.4 1.25.3 1.27.0', 'debian12', [135, 190], 60, 9),
  kind('redis', '6.2.6 7.0.15 7.2.4', 'debian12', [105, 140], 40, 6),
  kind('postgres', '13.9 14.11 15.6 16.2', 'debian12', [370, 440], 80, 5),
  kind('mysql', '5.7.36 8.0.36', 'centos79', [440, 600], 80, 4),
  kind('node', '16.20.2 18.19.1 20.11.1', 'debian12', [900, 1100], 80, 5, 'npm'),
  kind('python', '3.8.18 3.10.13 3.12.2', 'debian11', [880, 1020], 80, 5, 'pypi'),
  kind('openjdk', '8u342 11.0.16 17.0.2', 'debian11', [450, 680], 80, 4, 'maven'),
  kind('tomcat', '8.5.99 9.0.86 10.1.19', 'ubuntu2204', [430, 480], 80, 4, 'maven'),
  kind('busybox', '1.36.1 latest', 'alpine', [10, 12], 4, 3),
  kind('alpine', '3.16.9 3.18.6 3.19.1', 'alpine', [10, 14], 8, 4),
  kind('ubuntu', '20.04 22.04', 'ubuntu2204', [70, 80], 40, 3),
  kind('centos', '7.9.2009', 'centos79', [200, 240], 60, 3),
];
const SWR = 'swr.cn-north-4.myhuaweicloud.com';
const TEAMS = ['shop', 'platform', 'data'];
const PRIVATE_BASES: readonly OsKey[] = ['alinux3', 'debian12', 'centos79', 'ubuntu2204'];
const ECOSYSTEMS: readonly Ecosystem[] = ['maven', 'maven', 'npm', 'pypi'];
/** Share of the images built by the tenant's own teams and pushed to SWR. */
const PRIVATE_SHARE = 0.4;

const SCAN_STATUSES: readonly { value: ImageScanStatus; weight: number }[] = [
  { value: 'success', weight: 82 },
  { value: 'unscan', weight: 7 },
  { value: 'failed', weight: 5 },
  { value: 'scanning', weight: 3 },
  { value: 'waiting_for_scan', weight: 3 },
];

interface ImageOrigin extends ImageKind {
  version: string;
  /** The folder of its components (`/opt/<application>`). */
  application: string;
}

function originOf(rng: Rng): ImageOrigin {
  if (rng.next() < PRIVATE_SHARE) {
    const application = rng.pick(APPLICATIONS);
    const name = `${SWR}/${rng.pick(TEAMS)}/${application}`;
    const version = `${1 + rng.int(4)}.${rng.int(12)}.${rng.int(40)}`;
    const [base, ecosystem] = [rng.pick(PRIVATE_BASES), rng.pick(ECOSYSTEMS)];
    return { name, version, application, base, ecosystem, sizeMb: [200, 1500], maxVulns: 80 };
  }
  const image = rng.weighted(PUBLIC_IMAGES);
  return { ...image, version: rng.pick(image.tags), application: 'app' };
}

// ---- one image ---------------------------------------------------------------------------

interface ImagePlan {
  imageId: string;
  /** images columns after tenant_id and image_id. */
  row: SqlValue[];
  hosts: { hostId: number; firstSeenAt: number; containers: SqlValue[][] }[];
  /** image_vulnerabilities columns after tenant_id and image_ref. */
  vulns: SqlValue[][];
}

function planImage(seed: number, index: number, hostIds: readonly number[], now: number): ImagePlan {
  const rng = streamOf('image', seed, index);
  const imageId = rng.chars(HEX, 64);
  const origin = originOf(rng);
  const [minMb, maxMb] = origin.sizeMb;
  const size = Math.round((minMb + rng.next() * (maxMb - minMb)) * MB);
  const updated = now - rng.int(365 * DAY);
  const status = rng.weighted(SCAN_STATUSES).value;
  const scanned = status === 'success' || status === 'failed' ? updated + rng.int(now - updated + 1) : null;
  const layers = Array.from({ length: 3 + rng.int(7) }, () => `sha256:${rng.chars(HEX, 64)}`);
  const vulns =
    status === 'success'
      ? vulnRows(rng, origin, layers, { updated, scanned: scanned!, seen: new Set() })
      : [];
  const ok = status === 'success';
  const row: SqlValue[] = [
    origin.name,
    origin.version,
    `sha256:${rng.chars(HEX, 64)}`,
    size,
    origin.name.startsWith('swr.') ? 'swr_image' : 'other_image',
    status,
    status === 'failed' ? rng.pick(SCAN_FAILED_DESCS) : '',
    ok ? vulns.length + 40 + rng.int(400) : 0,
    ok ? rng.int(6) : 0,
    ok && rng.next() < 0.03 ? 1 + rng.int(2) : 0,
    updated,
    scanned,
    updated,
  ];
  return { imageId, row, hosts: hostsOf(rng, origin, hostIds, updated, now), vulns };
}

function hostsOf(rng: Rng, origin: ImageOrigin, hostIds: readonly number[], updated: number, now: number) {
  const wanted = Math.min(hostIds.length, 1 + rng.int(3));
  const chosen = new Set<number>();
  while (chosen.size < wanted) chosen.add(rng.pick(hostIds));
  const short = origin.name.split('/').pop()!;
  const inPods = rng.next() < 0.4;
  return [...chosen].map((hostId) => {
    const firstSeenAt = updated + rng.int(now - updated + 1);
    const containers = Array.from({ length: rng.int(5) }, (_, n): SqlValue[] => {
      const containerId = rng.chars(HEX, 64);
      const createdAt = firstSeenAt + rng.int(now - firstSeenAt + 1);
      if (!inPods) return [containerId, `${short}-${n + 1}`, '', '', createdAt];
      const pod = `${short}-${rng.chars(HEX, 10)}-${rng.chars(BASE36, 5)}`;
      const podId = rng.chars(HEX, 32).replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');
      return [containerId, `k8s_${short}_${pod}_default_${podId}_0`, podId, pod, createdAt];
    });
    return { hostId, firstSeenAt, containers };
  });
}

// ---- vulnerabilities of one image ------------------------------------------------------------------

interface VulnContext {
  updated: number;
  scanned: number;
  /** vul_id|app_name|app_path of the rows so far: the table's unique key. */
  seen: Set<string>;
}

function severityOf(score: number): ImageVulSeverity {
  return score >= 9 ? 'Critical' : score >= 7 ? 'High' : score >= 4 ? 'Medium' : 'Low';
}

const ADVISORY_URLS: [RegExp, (id: string) => string][] = [
  [/^USN-/, (id) => `https://ubuntu.com/security/notices/${id}`],
  [/^RHSA-/, (id) => `https://access.redhat.com/errata/${id}`],
  [/^DSA-/, (id) => `https://security-tracker.debian.org/tracker/${id}`],
];
const urlOf = (vulId: string) =>
  ADVISORY_URLS.find(([prefix]) => prefix.test(vulId))?.[1](vulId) ??
  `https://nvd.nist.gov/vuln/detail/${vulId}`;

function vulnRows(rng: Rng, origin: ImageOrigin, layers: string[], context: VulnContext): SqlValue[][] {
  const count = Math.floor(rng.next() ** 1.5 * (origin.maxVulns + 1));
  const apps = origin.ecosystem ? Math.round(count * (0.2 + rng.next() * 0.2)) : 0;
  const rows: SqlValue[][] = [];
  const alpine = origin.base === 'alpine';
  const profile = profileOf(origin.base);
  // Most images start near the front, so popular advisories recur across images.
  const definitions = definitionCount('cve', profile);
  const start = Math.floor(rng.next() ** 2 * Math.min(definitions, 300));
  for (let j = 0; j < count - apps; j++) {
    const finding = defineFinding('cve', (start + j) % definitions, profile, origin.application);
    const cve = cveCatalogue()[finding.cves[0]!]!;
    const r = 1 + rng.int(5);
    // Alpine's advisories are CVE ids, its versions look like 1.1.1k-r3.
    const row = alpine
      ? {
          ...finding,
          vulId: cve.id,
          vulName: cve.title,
          packageVersion: `${finding.packageVersion.split('-')[0]}-r${r}`,
          fixedVersion: `${finding.fixedVersion.split('-')[0]}-r${r + 1}`,
        }
      : { ...finding, vulId: /^(\S+?):? /.exec(finding.aliasName)![1]!, vulName: finding.aliasName };
    add(rows, rng, context, row, {
      type: 'linux_vul',
      path: '',
      layer: layers[rng.next() < 0.8 ? 0 : 1]!,
      cve,
    });
  }
  for (let tries = 0; rows.length < count && tries < 20 * apps; tries++) {
    const finding = appFinding(rng, origin);
    if (!finding) continue;
    const cve = cveCatalogue()[finding.cves[0]!]!;
    const row = { ...finding, vulId: cve.id, vulName: finding.aliasName.replace(/ \(CVE-[\d-]+\)$/, '') };
    add(rows, rng, context, row, { type: 'app_vul', path: finding.path, layer: layers.at(-1)!, cve });
  }
  return rows;
}

const ECOSYSTEM_PATHS: [Ecosystem, RegExp][] = [
  ['maven', /\.jar$/],
  ['pypi', /\/site-packages\//],
  ['npm', /\/node_modules\//],
];

/** An application finding of the image's ecosystem, or undefined when the draw was of another one. */
function appFinding(rng: Rng, origin: ImageOrigin): Finding | undefined {
  const profile = profileOf(origin.base);
  // Now and then a famous one (Log4Shell, Spring4Shell…) in a Java image.
  const type = origin.ecosystem === 'maven' && rng.next() < 0.05 ? 'emg' : 'sca';
  const d = Math.floor(rng.next() ** 2 * definitionCount(type, profile));
  const finding = defineFinding(type, d, profile, origin.application);
  const ecosystem = ECOSYSTEM_PATHS.find(([, path]) => path.test(finding.path))?.[0];
  return ecosystem === origin.ecosystem ? finding : undefined;
}

type Found = Pick<Finding, 'packageName' | 'packageVersion' | 'fixedVersion' | 'related' | 'score'> & {
  vulId: string;
  vulName: string;
};

function add(
  rows: SqlValue[][],
  rng: Rng,
  context: VulnContext,
  found: Found,
  where: { type: string; path: string; layer: string; cve: CveEntry },
): void {
  const key = `${found.vulId}|${found.packageName}|${where.path}`;
  if (context.seen.has(key)) return;
  context.seen.add(key);
  const severity = severityOf(found.score);
  const solution =
    found.fixedVersion === ''
      ? where.cve.solution
      : `Upgrade ${found.packageName} to ${found.fixedVersion} or later and rebuild the image.`;
  rows.push([
    found.vulId,
    found.vulName,
    where.type,
    severity,
    rng.next() < 0.05 ? 'handled' : 'unhandled',
    found.packageName,
    found.packageVersion,
    found.fixedVersion,
    where.path,
    where.layer,
    where.cve.summary,
    solution,
    urlOf(found.vulId),
    found.related,
    found.score,
    context.updated + rng.int(context.scanned - context.updated + 1),
    context.scanned,
  ]);
}

// ---- writing -----------------------------------------------------------------------------------------

// prettier-ignore
const IMAGES: BulkTable = { name: 'images', columns: [
  ['tenant_id', 'bigint'], ['image_id', 'text'], ['name', 'text'], ['version', 'text'], ['digest', 'text'],
  ['size', 'bigint'], ['local_image_type', 'text'], ['scan_status', 'text'], ['scan_failed_desc', 'text'],
  ['component_num', 'bigint'], ['unsafe_setting_num', 'bigint'], ['malicious_file_num', 'bigint'],
  ['latest_update_time', 'bigint'], ['latest_scan_time', 'bigint'], ['created_at', 'bigint'],
] };
// prettier-ignore
const IMAGE_HOSTS: BulkTable = { name: 'image_hosts', columns: [
  ['tenant_id', 'bigint'], ['image_ref', 'bigint'], ['host_id', 'bigint'], ['first_seen_at', 'bigint'],
] };
// prettier-ignore
const IMAGE_CONTAINERS: BulkTable = { name: 'image_containers', columns: [
  ['tenant_id', 'bigint'], ['image_ref', 'bigint'], ['host_id', 'bigint'], ['container_id', 'text'],
  ['container_name', 'text'], ['pod_id', 'text'], ['pod_name', 'text'], ['created_at', 'bigint'],
] };
// prettier-ignore
const IMAGE_VULNERABILITIES: BulkTable = { name: 'image_vulnerabilities', columns: [
  ['tenant_id', 'bigint'], ['image_ref', 'bigint'], ['vul_id', 'text'], ['vul_name', 'text'], ['type', 'text'],
  ['severity', 'text'], ['handle_status', 'text'], ['app_name', 'text'], ['app_version', 'text'],
  ['fixed_version', 'text'], ['app_path', 'text'], ['position', 'text'], ['description', 'text'],
  ['solution', 'text'], ['url', 'text'], ['cve_ids', 'text'], ['cvss', 'float8'], ['first_scan_time', 'bigint'],
  ['latest_scan_time', 'bigint'],
] };

export async function generateDemoImages(
  db: Database,
  options: DemoImagesOptions,
): Promise<DemoImagesSummary> {
  const { tenantId, images, seed, now } = options;
  const summary: DemoImagesSummary = { images: 0, imageVulnerabilities: 0 };
  if (images === 0) return summary;
  const hosts = await db.all<{ id: number }>(
    "SELECT id FROM hosts WHERE tenant_id = ? AND os = 'linux' ORDER BY id",
    [tenantId],
  );
  if (hosts.length === 0)
    throw invalidParameter('Images', 'the tenant has no Linux host to hold them; add hosts');
  const hostIds = hosts.map((h) => h.id);
  const existing = await db.all<{ image_id: string }>('SELECT image_id FROM images WHERE tenant_id = ?', [
    tenantId,
  ]);
  const taken = new Set(existing.map((r) => r.image_id));
  let batch: ImagePlan[] = [];
  for (let index = taken.size; summary.images < images; index++) {
    const plan = planImage(seed, index, hostIds, now);
    if (taken.has(plan.imageId)) continue;
    batch.push(plan);
    summary.images += 1;
    summary.imageVulnerabilities += plan.vulns.length;
    if (batch.length === IMAGES_PER_BATCH || summary.images === images) {
      const written = batch;
      await db.withTransaction((tx) => insertImages(tx, tenantId, written));
      batch = [];
      // Like demo-data.ts: a running server's writers get the SQLite lock between batches.
      if (db.dialect === 'sqlite') await sleep(5);
    }
  }
  return summary;
}

async function insertImages(tx: Queryable, tenantId: number, plans: ImagePlan[]): Promise<void> {
  const columns = IMAGES.columns.map(([name]) => name);
  const row = `(${columns.map(() => '?').join(', ')})`;
  const inserted = await tx.all<{ id: number; image_id: string }>(
    `INSERT INTO images (${columns.join(', ')}) VALUES ${plans.map(() => row).join(', ')} RETURNING id, image_id`,
    plans.flatMap((p) => [tenantId, p.imageId, ...p.row]),
  );
  const refs = new Map(inserted.map((r) => [r.image_id, r.id]));
  const ref = (plan: ImagePlan) => refs.get(plan.imageId)!;
  const hosts = plans.flatMap((p) => p.hosts.map((h) => [tenantId, ref(p), h.hostId, h.firstSeenAt]));
  const containers = plans.flatMap((p) =>
    p.hosts.flatMap((h) => h.containers.map((c) => [tenantId, ref(p), h.hostId, ...c])),
  );
  await insertRows(tx, IMAGE_HOSTS, hosts);
  await insertRows(tx, IMAGE_CONTAINERS, containers);
  await insertRows(
    tx,
    IMAGE_VULNERABILITIES,
    plans.flatMap((p) => p.vulns.map((v) => [tenantId, ref(p), ...v])),
  );
}
