/** Host inventory: groups and hosts of one tenant. */
import {
  fetchPage,
  queryCanMatchHosts,
  type Host,
  type HostGroup,
  type HostQuery,
  type Page,
  type PageRequest,
} from '../domain/hosts.ts';
import { ParapetError } from '../domain/errors.ts';
import * as hosts from '../persistence/hosts.ts';
import type { AppContext } from './context.ts';

export function listHostGroups(app: AppContext, tenantId: number): Promise<HostGroup[]> {
  return hosts.listHostGroups(app.db, tenantId);
}

/** Hosts matching a query, by page number (with a total) or after a cursor (without one). */
export function listHosts(
  app: AppContext,
  tenantId: number,
  query: HostQuery,
  page: PageRequest,
): Promise<Page<Host>> {
  if (!queryCanMatchHosts(query)) {
    return Promise.resolve(page.mode === 'keyset' ? { items: [] } : { items: [], totalCount: 0 });
  }
  return fetchPage(
    page,
    (slice) => hosts.listHosts(app.db, tenantId, query, slice),
    () => hosts.countHosts(app.db, tenantId, query),
  );
}

/**
 * Moves hosts into a server group (Sas ModifyAssetGroup). An unknown group or
 * host of the tenant is an IllegalParam and nothing moves.
 */
export async function moveHostsToGroup(
  app: AppContext,
  tenantId: number,
  groupId: number,
  uuids: readonly string[],
): Promise<void> {
  await app.db.withTransaction(async (tx) => {
    const groups = await hosts.listHostGroups(tx, tenantId);
    if (!groups.some((group) => group.id === groupId)) {
      throw new ParapetError(
        'IllegalParam',
        `Illegal param: no server group of this account has the id ${groupId}.`,
      );
    }
    const moved = await hosts.moveHostsToGroup(tx, tenantId, groupId, uuids);
    if (moved !== new Set(uuids).size) {
      throw new ParapetError(
        'IllegalParam',
        'Illegal param: some of the Uuids are not hosts of this account.',
      );
    }
  });
}
