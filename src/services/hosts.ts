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
