/**
 * Test fixture of the report-data tests: a small fleet with chosen timestamps,
 * so every figure of a report is known exactly. Times are counted from T0,
 * 2025-01-07 00:00 at UTC+8; the report period is the four local days from T0.
 */
import type { ReportPeriod } from '../../domain/report-data.ts';
import type { Necessity, VulStatus, VulType } from '../../domain/vulnerabilities.ts';
import type { Database } from '../../persistence/database.ts';
import { addHost, addImage, addImageVul, addTenant, imageIdOf } from '../../../test/support/images.ts';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const T0 = Date.UTC(2025, 0, 6, 16);
export const PERIOD: ReportPeriod = { from: T0, to: T0 + 4 * DAY };
export const UTC8 = 480;

export interface FindingSpec {
  hostId: number;
  type: VulType;
  name: string;
  necessity: Necessity;
  status: VulStatus;
  firstTs: number;
  repairTs?: number;
  related?: string;
}

export async function addFinding(db: Database, tenantId: number, f: FindingSpec): Promise<void> {
  await db.run(
    `INSERT INTO vulnerabilities (tenant_id, host_id, type, name, alias_name, tag, search_tags, necessity, status,
       related, package_name, package_version, fixed_version, path, update_cmd, container_id, container_name,
       image, first_ts, last_ts, modify_ts, repair_ts)
     VALUES (?, ?, ?, ?, ?, 'oval', '', ?, ?, ?, 'pkg', '1.0', '1.1', '', 'yum update pkg', '', '', '', ?, ?, ?, ?)`,
    [
      tenantId,
      f.hostId,
      f.type,
      f.name,
      `Alias of ${f.name}`,
      f.necessity,
      f.status,
      f.related ?? '',
      f.firstTs,
      f.repairTs ?? f.firstTs,
      f.repairTs ?? f.firstTs,
      f.repairTs ?? null,
    ],
  );
}

export async function addGroup(db: Database, tenantId: number, name: string): Promise<number> {
  const row = await db.get<{ id: number }>(
    'INSERT INTO host_groups (tenant_id, name, created_at) VALUES (?, ?, 0) RETURNING id',
    [tenantId, name],
  );
  return Number(row!.id);
}

export interface GroupedHostSpec {
  name: string;
  groupId: number | null;
  online?: boolean;
  internetIp?: string;
  intranetIp?: string;
}

export async function addGroupedHost(db: Database, tenantId: number, host: GroupedHostSpec): Promise<number> {
  const id = await addHost(db, tenantId, { uuid: `uuid-${tenantId}-${host.name}`, ...host });
  await db.run('UPDATE hosts SET group_id = ?, client_status = ? WHERE id = ?', [
    host.groupId,
    host.online === false ? 'offline' : 'online',
    id,
  ]);
  return id;
}

export interface Scenario {
  tenantA: number;
  tenantB: number;
  /** A tenant with hosts and nothing found. */
  tenantEmpty: number;
  groups: { web: number; db: number; otherTenant: number };
}

/**
 * Tenant A: web-1 and web-2 (offline) in group "web", db-1 in group "db",
 * lone in no group and with no findings. Tenant B holds look-alike rows that
 * must never be counted for A.
 */
export async function seedScenario(db: Database): Promise<Scenario> {
  const tenantA = await addTenant(db, 'a');
  const tenantB = await addTenant(db, 'b');
  const tenantEmpty = await addTenant(db, 'empty');
  const web = await addGroup(db, tenantA, 'web');
  const dbGroup = await addGroup(db, tenantA, 'db');
  const otherTenant = await addGroup(db, tenantB, 'web');

  const web1 = await addGroupedHost(db, tenantA, { name: 'web-1', groupId: web, internetIp: '203.0.113.1' });
  const web2 = await addGroupedHost(db, tenantA, {
    name: 'web-2',
    groupId: web,
    online: false,
    intranetIp: '10.0.0.2',
  });
  const db1 = await addGroupedHost(db, tenantA, { name: 'db-1', groupId: dbGroup, intranetIp: '10.0.1.1' });
  await addGroupedHost(db, tenantA, { name: 'lone', groupId: null });

  const related = 'CVE-2024-0001, CVE-2024-0002';
  const a = (f: FindingSpec) => addFinding(db, tenantA, f);
  // web-1
  await a({ hostId: web1, type: 'cve', name: 'cve-a', necessity: 'asap', status: 1, firstTs: T0, related });
  await a({ hostId: web1, type: 'cve', name: 'cve-b', necessity: 'later', status: 1, firstTs: T0 - 1 });
  await a({ hostId: web1, type: 'app', name: 'app-c', necessity: 'nntf', status: 1, firstTs: T0 + DAY });
  const fixedNow = { status: 7, firstTs: T0 - 2 * DAY, repairTs: T0 + HOUR } as const;
  await a({ hostId: web1, type: 'cve', name: 'cve-d', necessity: 'asap', ...fixedNow });
  // web-2
  const lastMsOfDay1 = T0 + DAY - 1;
  await a({
    hostId: web2,
    type: 'cve',
    name: 'cve-a',
    necessity: 'asap',
    status: 2,
    firstTs: lastMsOfDay1,
    related,
  });
  await a({
    hostId: web2,
    type: 'cve',
    name: 'cve-e',
    necessity: 'nntf',
    status: 10,
    firstTs: T0 - 10 * DAY,
  });
  // Fixed, but waiting for a restart: still unhandled, so not "fixed".
  const restartDue = { status: 8, firstTs: T0 - 2 * DAY, repairTs: T0 + 2 * HOUR } as const;
  await a({ hostId: web2, type: 'cve', name: 'cve-f', necessity: 'later', ...restartDue });
  // db-1
  await a({ hostId: db1, type: 'emg', name: 'emg-g', necessity: 'asap', status: 1, firstTs: T0 - 10 * DAY });
  await a({
    hostId: db1,
    type: 'cve',
    name: 'cve-a',
    necessity: 'later',
    status: 1,
    firstTs: T0 + 2 * DAY,
    related,
  });
  await a({
    hostId: db1,
    type: 'cve',
    name: 'cve-h',
    necessity: 'later',
    status: 12,
    firstTs: T0 - 2.5 * DAY,
  });
  const fixedBefore = { status: 7, firstTs: T0 - 20 * DAY, repairTs: T0 - DAY } as const;
  await a({ hostId: db1, type: 'cve', name: 'cve-i', necessity: 'nntf', ...fixedBefore });
  // Repaired at the period's end, which the period excludes.
  const fixedAtEnd = { status: 7, firstTs: T0 - 20 * DAY, repairTs: PERIOD.to } as const;
  await a({ hostId: db1, type: 'sca', name: 'sca-j', necessity: 'later', ...fixedAtEnd });

  const nginx = await addImage(db, tenantA, { ...image('a1', 'nginx'), hosts: [web1] });
  for (const [vulId, severity, handleStatus] of [
    ['CVE-1', 'Critical', 'unhandled'],
    ['CVE-2', 'High', 'unhandled'],
    ['CVE-3', 'Low', 'handled'],
  ]) {
    await addImageVul(db, tenantA, nginx, { vulId: vulId!, severity: severity!, handleStatus });
  }
  const redis = await addImage(db, tenantA, { ...image('b2', 'redis'), hosts: [db1] });
  await addImageVul(db, tenantA, redis, { vulId: 'CVE-4', severity: 'Medium' });
  await addImageVul(db, tenantA, redis, { vulId: 'CVE-5', severity: 'Critical' });
  const unused = await addImage(db, tenantA, image('c3', 'busybox'));
  await addImageVul(db, tenantA, unused, { vulId: 'CVE-6', severity: 'Low' });

  await seedTenantB(db, tenantB, otherTenant);
  await addGroupedHost(db, tenantEmpty, { name: 'idle', groupId: null });
  return { tenantA, tenantB, tenantEmpty, groups: { web, db: dbGroup, otherTenant } };
}

const image = (label: string, name: string) => ({
  imageId: imageIdOf(label),
  name,
  version: '1.0',
  latestUpdateTime: T0 - DAY,
});

/** The same names as tenant A's, open, found and fixed in the period, and an image. */
async function seedTenantB(db: Database, tenantB: number, groupId: number): Promise<void> {
  const hostB = await addGroupedHost(db, tenantB, { name: 'web-1', groupId, internetIp: '198.51.100.1' });
  const b = (f: FindingSpec) => addFinding(db, tenantB, f);
  await b({ hostId: hostB, type: 'cve', name: 'cve-a', necessity: 'asap', status: 1, firstTs: T0 + HOUR });
  await b({
    hostId: hostB,
    type: 'emg',
    name: 'emg-g',
    necessity: 'asap',
    status: 1,
    firstTs: T0 - 30 * DAY,
  });
  await b({
    hostId: hostB,
    type: 'cve',
    name: 'cve-d',
    necessity: 'later',
    status: 7,
    firstTs: T0,
    repairTs: T0 + 1,
  });
  const imageB = await addImage(db, tenantB, { ...image('a1', 'nginx'), hosts: [hostB] });
  await addImageVul(db, tenantB, imageB, { vulId: 'CVE-1', severity: 'Critical' });
}
