/**
 * Rows for image tests, inserted with plain SQL the way a scanner would write
 * them. Every helper fills the columns a test does not care about.
 */
import type { Database, SqlValue } from '../../src/persistence/database.ts';
import type { AppContext } from '../../src/services/context.ts';
import { makeTestApp } from './app-context.ts';

export const NOW = 1_700_000_000_000;
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

async function insert(db: Database, table: string, row: Record<string, SqlValue>, returning = 'id') {
  const columns = Object.keys(row);
  const inserted = await db.get<Record<string, number>>(
    `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) RETURNING ${returning}`,
    Object.values(row),
  );
  return Number(inserted![returning]);
}

export function addTenant(db: Database, name: string): Promise<number> {
  return insert(db, 'tenants', {
    name,
    account_id: `${name}-account`,
    project_id: `${name}-project`,
    created_at: NOW,
  });
}

export interface HostSpec {
  uuid: string;
  name: string;
  internetIp?: string;
  intranetIp?: string;
  /** (Default: the two IPs) */
  ipList?: string;
}

export function addHost(db: Database, tenantId: number, host: HostSpec): Promise<number> {
  const internetIp = host.internetIp ?? '';
  const intranetIp = host.intranetIp ?? '';
  return insert(db, 'hosts', {
    tenant_id: tenantId,
    uuid: host.uuid,
    group_id: null,
    instance_id: `i-${host.name}`,
    instance_name: host.name,
    internet_ip: internetIp,
    intranet_ip: intranetIp,
    ip_list: host.ipList ?? [intranetIp, internetIp].filter((ip) => ip !== '').join(','),
    mac_list: '00:16:3e:00:00:01',
    os: 'linux',
    os_name: 'Ubuntu 22.04 64-bit',
    kernel: '5.15.0-91-generic',
    region_id: 'idc-1',
    vpc_instance_id: 'vpc-1',
    cores: 4,
    mem_mb: 8192,
    cpu_info: 'Intel(R) Xeon(R)',
    importance: 1,
    tag: 'web',
    client_status: 'online',
    agent_version: '0.10.1',
    created_at: NOW - 30 * DAY,
    last_seen_at: NOW,
  });
}

/** 64 hex digits made from a short label, e.g. imageIdOf('a1') = 'a1a1…'. */
export const imageIdOf = (label: string) => label.repeat(64).slice(0, 64);

export interface ImageSpec {
  imageId: string;
  name: string;
  version: string;
  size?: number;
  localImageType?: string;
  scanStatus?: string;
  scanFailedDesc?: string;
  latestUpdateTime: number;
  latestScanTime?: number | null;
  /** Host row ids holding the image. */
  hosts?: number[];
}

/** An image, and the hosts holding it; returns the image row id. */
export async function addImage(db: Database, tenantId: number, image: ImageSpec): Promise<number> {
  const id = await insert(db, 'images', {
    tenant_id: tenantId,
    image_id: image.imageId,
    name: image.name,
    version: image.version,
    digest: `sha256:${[...image.imageId].reverse().join('')}`,
    size: image.size ?? 50_000_000,
    local_image_type: image.localImageType ?? 'other_image',
    scan_status: image.scanStatus ?? 'success',
    scan_failed_desc: image.scanFailedDesc ?? '',
    component_num: 120,
    unsafe_setting_num: 2,
    malicious_file_num: 0,
    latest_update_time: image.latestUpdateTime,
    latest_scan_time:
      image.latestScanTime === undefined ? image.latestUpdateTime + HOUR : image.latestScanTime,
    created_at: image.latestUpdateTime,
  });
  for (const hostId of image.hosts ?? []) {
    await db.run(
      'INSERT INTO image_hosts (tenant_id, image_ref, host_id, first_seen_at) VALUES (?, ?, ?, ?)',
      [tenantId, id, hostId, NOW - DAY],
    );
  }
  return id;
}

export interface ContainerSpec {
  containerId: string;
  name: string;
  podId?: string;
  podName?: string;
}

export async function addContainer(
  db: Database,
  tenantId: number,
  imageRef: number,
  hostId: number,
  container: ContainerSpec,
): Promise<void> {
  await insert(
    db,
    'image_containers',
    {
      tenant_id: tenantId,
      image_ref: imageRef,
      host_id: hostId,
      container_id: container.containerId,
      container_name: container.name,
      pod_id: container.podId ?? '',
      pod_name: container.podName ?? '',
      created_at: NOW - DAY,
    },
    'host_id',
  );
}

export interface ImageVulSpec {
  vulId: string;
  severity: string;
  type?: string;
  handleStatus?: string;
  appName?: string;
  appPath?: string;
  cveIds?: string;
  cvss?: number;
  firstScanTime?: number;
}

/** One vulnerability of an image; returns its row id. */
export function addImageVul(
  db: Database,
  tenantId: number,
  imageRef: number,
  vul: ImageVulSpec,
): Promise<number> {
  const appName = vul.appName ?? 'glibc';
  return insert(db, 'image_vulnerabilities', {
    tenant_id: tenantId,
    image_ref: imageRef,
    vul_id: vul.vulId,
    vul_name: `${vul.vulId} in ${appName}`,
    type: vul.type ?? 'linux_vul',
    severity: vul.severity,
    handle_status: vul.handleStatus ?? 'unhandled',
    app_name: appName,
    app_version: '1.0.0',
    fixed_version: '1.0.1',
    app_path: vul.appPath ?? '',
    position: `sha256:${'1'.repeat(64)}`,
    description: `${vul.vulId} description`,
    solution: `Upgrade ${appName} to 1.0.1.`,
    url: `https://nvd.nist.gov/vuln/detail/${vul.vulId}`,
    cve_ids: vul.cveIds ?? (vul.vulId.startsWith('CVE-') ? vul.vulId : ''),
    cvss: vul.cvss ?? 7.5,
    first_scan_time: vul.firstScanTime ?? NOW - 2 * DAY,
    latest_scan_time: NOW - HOUR,
  });
}

// ---- the scenario of src/services/images.test.ts ----------------------------------------------

export const ID = {
  nginx: imageIdOf('a1'),
  api: imageIdOf('b2'),
  redis: imageIdOf('c3'),
  busybox: imageIdOf('d4'),
};
export const U = { web: 'uuid-web-01', db: 'uuid-db-02', k8s: 'uuid-k8s-03', other: 'uuid-other' };
export const API_NAME = 'swr.cn-north-4.myhuaweicloud.com/team/api';

export interface ImageFixture {
  app: AppContext;
  tenantA: number;
  tenantB: number;
  /** Row ids of tenant A's images. */
  refs: Record<keyof typeof ID, number>;
}

/**
 * Tenant A: nginx on web+db (two containers, one in a pod; Critical, High and
 * handled vulns), the SWR api on k8s (Medium unhandled, Critical handled), redis
 * on db (never scanned, no vulns), busybox on web (scan failed, one Low).
 * Tenant B holds an image with nginx's image id and its own vulnerabilities.
 */
export async function makeImageFixture(db: Database): Promise<ImageFixture> {
  const app = await makeTestApp(db);
  const tenantA = await addTenant(db, 'acme');
  const tenantB = await addTenant(db, 'other');
  const web = await addHost(db, tenantA, {
    uuid: U.web,
    name: 'web-01',
    internetIp: '203.0.113.10',
    intranetIp: '10.0.0.1',
    ipList: '10.0.0.1,203.0.113.10,172.16.0.9',
  });
  const dbHost = await addHost(db, tenantA, { uuid: U.db, name: 'db-02', intranetIp: '10.0.0.2' });
  const k8s = await addHost(db, tenantA, { uuid: U.k8s, name: 'k8s-node-03', intranetIp: '10.0.0.3' });
  const otherHost = await addHost(db, tenantB, { uuid: U.other, name: 'web-01', intranetIp: '10.0.0.1' });

  const nginx = await addImage(db, tenantA, {
    imageId: ID.nginx,
    name: 'nginx',
    version: '1.21.6',
    size: 142_000_000,
    latestUpdateTime: NOW - DAY,
    hosts: [dbHost, web],
  });
  await addContainer(db, tenantA, nginx, web, { containerId: 'c'.repeat(64), name: 'nginx-web' });
  await addContainer(db, tenantA, nginx, dbHost, {
    containerId: 'e'.repeat(64),
    name: 'k8s_nginx_shop-7d9f-x2k4p_default',
    podId: 'pod-1',
    podName: 'shop-7d9f-x2k4p',
  });
  await addImageVul(db, tenantA, nginx, {
    vulId: 'CVE-2023-4911',
    severity: 'High',
    firstScanTime: NOW - 5 * DAY,
  });
  await addImageVul(db, tenantA, nginx, {
    vulId: 'CVE-2023-4911',
    severity: 'Medium',
    appName: 'glibc-common',
    handleStatus: 'handled',
    firstScanTime: NOW - 9 * DAY,
  });
  await addImageVul(db, tenantA, nginx, {
    vulId: 'USN-6000-1',
    severity: 'Low',
    cveIds: 'CVE-2023-1,CVE-2023-2',
  });
  await addImageVul(db, tenantA, nginx, {
    vulId: 'CVE-2021-44228',
    severity: 'Critical',
    type: 'app_vul',
    appName: 'log4j-core',
    appPath: '/app/lib/log4j-core-2.14.1.jar',
    cvss: 10,
  });

  const api = await addImage(db, tenantA, {
    imageId: ID.api,
    name: API_NAME,
    version: '2.0.1',
    localImageType: 'swr_image',
    latestUpdateTime: NOW - 2 * DAY,
    hosts: [k8s],
  });
  await addImageVul(db, tenantA, api, {
    vulId: 'CVE-2023-4911',
    severity: 'Medium',
    handleStatus: 'handled',
  });
  await addImageVul(db, tenantA, api, { vulId: 'USN-6100-1', severity: 'Medium' });
  await addImageVul(db, tenantA, api, {
    vulId: 'CVE-2022-0001',
    severity: 'Critical',
    handleStatus: 'handled',
  });

  const redis = await addImage(db, tenantA, {
    imageId: ID.redis,
    name: 'redis',
    version: '7.0',
    scanStatus: 'unscan',
    latestUpdateTime: NOW - 3 * DAY,
    latestScanTime: null,
    hosts: [dbHost],
  });
  const busybox = await addImage(db, tenantA, {
    imageId: ID.busybox,
    name: 'busybox',
    version: 'latest',
    scanStatus: 'failed',
    scanFailedDesc: 'docker_offline',
    latestUpdateTime: NOW - 4 * DAY,
    hosts: [web],
  });
  await addImageVul(db, tenantA, busybox, { vulId: 'CVE-2022-0002', severity: 'Low' });

  const shared = await addImage(db, tenantB, {
    imageId: ID.nginx,
    name: 'nginx',
    version: '1.21.6',
    latestUpdateTime: NOW,
    hosts: [otherHost],
  });
  await addImageVul(db, tenantB, shared, { vulId: 'CVE-2023-4911', severity: 'Critical' });
  await addImageVul(db, tenantB, shared, { vulId: 'CVE-2024-9999', severity: 'Low' });
  return { app, tenantA, tenantB, refs: { nginx, api, redis, busybox } };
}
