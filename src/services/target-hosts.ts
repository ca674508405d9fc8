/** Which hosts a fan-out task runs on: the tenant's hosts with an enrolled agent, by uuid, group or all. */
import { ParapetError } from '../domain/errors.ts';
import { findTargetHosts } from '../persistence/agents.ts';
import type { Queryable } from '../persistence/database.ts';

export type TargetSelection = 'all' | { uuids: readonly string[]; groupIds: readonly number[] };

const illegal = (why: string) => new ParapetError('IllegalParam', `Illegal param: ${why}.`);

/**
 * The host ids of the selection. A named host or group that does not exist
 * in the tenant, a named host without an agent, or a selection without any
 * agent host is an IllegalParam (and nothing is created).
 */
export async function resolveTargetHosts(
  db: Queryable,
  tenantId: number,
  selection: TargetSelection,
): Promise<number[]> {
  const hosts = await findTargetHosts(db, tenantId, selection);
  if (selection !== 'all') {
    const found = new Set(hosts.map((h) => h.uuid));
    const missing = selection.uuids.find((uuid) => !found.has(uuid));
    if (missing !== undefined)
      throw illegal(`no host of this account has the uuid ${JSON.stringify(missing.slice(0, 64))}`);
    const noAgent = hosts.find((h) => selection.uuids.includes(h.uuid) && !h.hasAgent);
    if (noAgent) throw illegal(`host ${noAgent.uuid} has no enrolled agent (run parapet agent on it)`);
    if (selection.groupIds.length > 0) {
      const groups = await db.all<{ id: number }>(
        `SELECT id FROM host_groups WHERE tenant_id = ? AND id IN (${selection.groupIds.map(() => '?').join(', ')})`,
        [tenantId, ...selection.groupIds],
      );
      const known = new Set(groups.map((g) => g.id));
      const unknown = selection.groupIds.find((id) => !known.has(id));
      if (unknown !== undefined) throw illegal(`no server group of this account has the id ${unknown}`);
    }
  }
  const ids = hosts.filter((h) => h.hasAgent).map((h) => h.id);
  if (ids.length === 0) throw illegal('none of the selected hosts has an enrolled agent');
  return ids;
}
