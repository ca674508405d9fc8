/** Enrollment tokens, agents and the host records they keep up to date. */
import type { HostFacts } from '../domain/agent-protocol.ts';
import type { Queryable } from './database.ts';

export interface EnrollTokenRecord {
  tenantId: number;
  /** The group enrolled hosts join. */
  groupId: number;
  expiresAt: number;
}

export async function insertEnrollToken(
  db: Queryable,
  token: { hash: string; tenantId: number; groupId: number; createdAt: number; expiresAt: number },
): Promise<void> {
  await db.run(
    'INSERT INTO enroll_tokens (token_hash, tenant_id, group_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
    [token.hash, token.tenantId, token.groupId, token.createdAt, token.expiresAt],
  );
}

/** A token that is neither expired nor revoked, by its hash. */
export async function findUsableEnrollToken(
  db: Queryable,
  hash: string,
  now: number,
): Promise<EnrollTokenRecord | undefined> {
  const row = await db.get<{ tenant_id: number; group_id: number; expires_at: number }>(
    `SELECT tenant_id, group_id, expires_at FROM enroll_tokens
     WHERE token_hash = ? AND revoked_at IS NULL AND expires_at > ?`,
    [hash, now],
  );
  return row && { tenantId: row.tenant_id, groupId: row.group_id, expiresAt: row.expires_at };
}

/** The tenant's group of that name, created if it does not exist; its id. */
export async function ensureHostGroup(db: Queryable, tenantId: number, name: string, now: number) {
  await db.run(
    'INSERT INTO host_groups (tenant_id, name, created_at) VALUES (?, ?, ?) ON CONFLICT (tenant_id, name) DO NOTHING',
    [tenantId, name, now],
  );
  const row = await db.get<{ id: number }>('SELECT id FROM host_groups WHERE tenant_id = ? AND name = ?', [
    tenantId,
    name,
  ]);
  if (!row) throw new Error(`host group ${name} of tenant ${tenantId} vanished`);
  return row.id;
}

export interface AgentRecord {
  hostId: number;
  tenantId: number;
  uuid: string;
  secretSealed: string;
  revokedAt: number | undefined;
}

export async function findAgent(db: Queryable, uuid: string): Promise<AgentRecord | undefined> {
  const row = await db.get<{
    host_id: number;
    tenant_id: number;
    uuid: string;
    secret_sealed: string;
    revoked_at: number | null;
  }>('SELECT host_id, tenant_id, uuid, secret_sealed, revoked_at FROM agents WHERE uuid = ?', [uuid]);
  return (
    row && {
      hostId: row.host_id,
      tenantId: row.tenant_id,
      uuid: row.uuid,
      secretSealed: row.secret_sealed,
      revokedAt: row.revoked_at ?? undefined,
    }
  );
}

/** How the agent's facts fill a host row: Parapet hosts are IDC servers, their first private IPv4 is the intranet IP. */
function hostColumns(facts: HostFacts) {
  const ipv4 = facts.ips.filter((ip) => /^\d+\.\d+\.\d+\.\d+$/.test(ip));
  const isPrivate = (ip: string) =>
    /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.)/.test(ip);
  return {
    instance_name: facts.hostname,
    internet_ip: ipv4.find((ip) => !isPrivate(ip)) ?? '',
    intranet_ip: ipv4.find(isPrivate) ?? ipv4[0] ?? '',
    ip_list: facts.ips.join(','),
    mac_list: facts.macs.join(','),
    os: facts.os,
    os_name: facts.osName,
    kernel: facts.kernel,
    cores: facts.cores,
    mem_mb: facts.memMb,
    cpu_info: facts.cpuInfo,
    agent_version: facts.agentVersion,
  };
}

/** A host for a newly enrolled agent (online: it is talking to us) and the agent row; returns the host id. */
export async function insertAgentHost(
  db: Queryable,
  agent: {
    tenantId: number;
    groupId: number;
    uuid: string;
    secretSealed: string;
    facts: HostFacts;
    now: number;
  },
): Promise<number> {
  const columns = hostColumns(agent.facts);
  const host = await db.get<{ id: number }>(
    `INSERT INTO hosts (tenant_id, uuid, group_id, instance_id, region_id, vpc_instance_id, importance, tag,
       client_status, created_at, last_seen_at, ${Object.keys(columns).join(', ')})
     VALUES (?, ?, ?, ?, '', '', 1, '', 'online', ?, ?, ${Object.keys(columns)
       .map(() => '?')
       .join(', ')})
     RETURNING id`,
    [
      agent.tenantId,
      agent.uuid,
      agent.groupId,
      `idc-${agent.uuid.slice(0, 8)}`,
      agent.now,
      agent.now,
      ...Object.values(columns),
    ],
  );
  if (!host) throw new Error('inserting a host returned nothing');
  await db.run(
    'INSERT INTO agents (host_id, tenant_id, uuid, secret_sealed, enrolled_at) VALUES (?, ?, ?, ?, ?)',
    [host.id, agent.tenantId, agent.uuid, agent.secretSealed, agent.now],
  );
  return host.id;
}

/** Refreshes what the agent reported about its host. */
export async function updateHostFacts(db: Queryable, hostId: number, facts: HostFacts): Promise<void> {
  const columns = hostColumns(facts);
  await db.run(
    `UPDATE hosts SET ${Object.keys(columns)
      .map((name) => `${name} = ?`)
      .join(', ')} WHERE id = ?`,
    [...Object.values(columns), hostId],
  );
}

/**
 * Marks the host online and seen now. Skips the write when it was marked
 * within `quietMs` (an agent posting progress every second need not write
 * its host row every second).
 */
export async function touchHost(db: Queryable, hostId: number, now: number, quietMs: number): Promise<void> {
  await db.run(
    `UPDATE hosts SET client_status = 'online', last_seen_at = ?
     WHERE id = ? AND (client_status <> 'online' OR last_seen_at IS NULL OR last_seen_at < ?)`,
    [now, hostId, now - quietMs],
  );
}

/** Agents' hosts not seen since `seenBefore` go offline; returns how many. */
export async function markSilentHostsOffline(db: Queryable, seenBefore: number): Promise<number> {
  const result = await db.run(
    `UPDATE hosts SET client_status = 'offline'
     WHERE client_status = 'online' AND last_seen_at < ? AND id IN (SELECT host_id FROM agents)`,
    [seenBefore],
  );
  return result.changes;
}

/** Revokes a tenant's agent by its uuid (its host stays, offline); false when there is none. */
export async function revokeAgent(db: Queryable, tenantId: number, uuid: string, now: number) {
  const result = await db.run(
    'UPDATE agents SET revoked_at = ? WHERE tenant_id = ? AND uuid = ? AND revoked_at IS NULL',
    [now, tenantId, uuid],
  );
  if (result.changes > 0) {
    await db.run(`UPDATE hosts SET client_status = 'offline' WHERE tenant_id = ? AND uuid = ?`, [
      tenantId,
      uuid,
    ]);
  }
  return result.changes > 0;
}

export interface TargetHost {
  id: number;
  uuid: string;
  groupId: number | undefined;
  /** An enrolled, unrevoked agent runs on it. */
  hasAgent: boolean;
}

/**
 * The tenant's hosts named by uuid or in the groups (either list may be
 * empty), or all of them when `selection` is 'all'.
 */
export async function findTargetHosts(
  db: Queryable,
  tenantId: number,
  selection: 'all' | { uuids: readonly string[]; groupIds: readonly number[] },
): Promise<TargetHost[]> {
  const where =
    selection === 'all'
      ? { text: '', params: [] }
      : {
          text: `AND (h.uuid IN (${selection.uuids.map(() => '?').join(', ') || 'NULL'})
                 OR h.group_id IN (${selection.groupIds.map(() => '?').join(', ') || 'NULL'}))`,
          params: [...selection.uuids, ...selection.groupIds],
        };
  const rows = await db.all<{ id: number; uuid: string; group_id: number | null; has_agent: number }>(
    `SELECT h.id, h.uuid, h.group_id,
       CASE WHEN a.host_id IS NOT NULL AND a.revoked_at IS NULL THEN 1 ELSE 0 END AS has_agent
     FROM hosts h LEFT JOIN agents a ON a.host_id = h.id
     WHERE h.tenant_id = ? ${where.text} ORDER BY h.id`,
    [tenantId, ...where.params],
  );
  return rows.map((r) => ({
    id: r.id,
    uuid: r.uuid,
    groupId: r.group_id ?? undefined,
    hasAgent: r.has_agent === 1,
  }));
}
