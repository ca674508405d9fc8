/** What agents collected on their hosts: software, processes, ports and users, per tenant. */
import type { Page } from '../domain/hosts.ts';
import * as inventory from '../persistence/inventory.ts';
import type { AppContext } from './context.ts';

export type {
  HostAsset,
  InventoryCondition,
  InventoryItem,
  InventoryKind,
} from '../persistence/inventory.ts';

/** A page of one kind of inventory, by page number, with the total. */
export async function listInventory<K extends inventory.InventoryKind>(
  app: AppContext,
  tenantId: number,
  kind: K,
  query: inventory.InventoryQuery,
  page: { currentPage: number; pageSize: number },
): Promise<Page<inventory.HostAsset<inventory.InventoryItem<K>>>> {
  const offset = (page.currentPage - 1) * page.pageSize;
  const [items, totalCount] = await Promise.all([
    inventory.listInventory(app.db, kind, tenantId, query, { afterId: 0, offset, limit: page.pageSize }),
    inventory.countInventory(app.db, kind, tenantId, query),
  ]);
  return { items, totalCount };
}
