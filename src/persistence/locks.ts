import { capabilities, type Queryable } from './database.ts';

/** Lock namespaces; any constants work, as long as every Parapet node uses the same ones. */
export const LOCKS = { exportQuota: 7_271_010, onceTasks: 7_271_011 } as const;

/**
 * Serialises, until the transaction ends, the transactions of one tenant that
 * take the same lock: a rule over several rows ("at most N running exports")
 * cannot be protected by row locks. SQLite's single writer (BEGIN IMMEDIATE)
 * already serialises every write transaction.
 */
export async function lockTenant(tx: Queryable, lock: number, tenantId: number): Promise<void> {
  if (capabilities[tx.dialect].advisoryLocks) {
    await tx.run('SELECT pg_advisory_xact_lock(?, ?)', [lock, tenantId]);
  }
}
