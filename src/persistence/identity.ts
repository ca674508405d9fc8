/** Tenants, principals and access keys. Row types stay here; callers get domain types. */
import type { AccessKey, AccessKeyStatus, Principal, Tenant } from '../domain/identity.ts';
import type { Queryable } from './database.ts';

interface TenantRow {
  id: number;
  name: string;
  account_id: string;
  project_id: string;
  created_at: number;
}
interface PrincipalRow {
  id: number;
  tenant_id: number;
  name: string;
  is_root: number;
  policy: string | null;
  created_at: number;
}
interface AccessKeyRow {
  id: string;
  tenant_id: number;
  principal_id: number;
  status: AccessKeyStatus;
  secret_sealed: string;
  created_at: number;
  revoked_at: number | null;
}

const toTenant = (r: TenantRow): Tenant => ({
  id: r.id,
  name: r.name,
  accountId: r.account_id,
  projectId: r.project_id,
  createdAt: r.created_at,
});
const toPrincipal = (r: PrincipalRow): Principal => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  isRoot: r.is_root === 1,
  policy: r.policy ?? undefined,
  createdAt: r.created_at,
});
const toAccessKey = (r: AccessKeyRow): AccessKey => ({
  id: r.id,
  tenantId: r.tenant_id,
  principalId: r.principal_id,
  status: r.status,
  createdAt: r.created_at,
  revokedAt: r.revoked_at ?? undefined,
});

export async function insertTenant(db: Queryable, tenant: Omit<Tenant, 'id'>): Promise<Tenant> {
  const row = await db.get<TenantRow>(
    'INSERT INTO tenants (name, account_id, project_id, created_at) VALUES (?, ?, ?, ?) RETURNING *',
    [tenant.name, tenant.accountId, tenant.projectId, tenant.createdAt],
  );
  return toTenant(row!);
}

export async function findTenant(db: Queryable, id: number): Promise<Tenant | undefined> {
  const row = await db.get<TenantRow>('SELECT * FROM tenants WHERE id = ?', [id]);
  return row && toTenant(row);
}

/** By id, account id, project id or name: what an operator may type after --tenant. */
export async function findTenantByReference(db: Queryable, reference: string): Promise<Tenant | undefined> {
  const row = await db.get<TenantRow>(
    'SELECT * FROM tenants WHERE CAST(id AS TEXT) = ? OR account_id = ? OR project_id = ? OR name = ? ORDER BY id LIMIT 1',
    [reference, reference, reference, reference],
  );
  return row && toTenant(row);
}

export async function firstTenant(db: Queryable): Promise<Tenant | undefined> {
  const row = await db.get<TenantRow>('SELECT * FROM tenants ORDER BY id LIMIT 1');
  return row && toTenant(row);
}

export async function listTenants(db: Queryable): Promise<Tenant[]> {
  return (await db.all<TenantRow>('SELECT * FROM tenants ORDER BY id')).map(toTenant);
}

export async function insertPrincipal(db: Queryable, principal: Omit<Principal, 'id'>): Promise<Principal> {
  const row = await db.get<PrincipalRow>(
    'INSERT INTO principals (tenant_id, name, is_root, policy, created_at) VALUES (?, ?, ?, ?, ?) RETURNING *',
    [
      principal.tenantId,
      principal.name,
      principal.isRoot ? 1 : 0,
      principal.policy ?? null,
      principal.createdAt,
    ],
  );
  return toPrincipal(row!);
}

export async function findPrincipal(
  db: Queryable,
  tenantId: number,
  id: number,
): Promise<Principal | undefined> {
  const row = await db.get<PrincipalRow>('SELECT * FROM principals WHERE tenant_id = ? AND id = ?', [
    tenantId,
    id,
  ]);
  return row && toPrincipal(row);
}

export async function findPrincipalByName(
  db: Queryable,
  tenantId: number,
  name: string,
): Promise<Principal | undefined> {
  const row = await db.get<PrincipalRow>('SELECT * FROM principals WHERE tenant_id = ? AND name = ?', [
    tenantId,
    name,
  ]);
  return row && toPrincipal(row);
}

export async function listPrincipals(db: Queryable, tenantId: number): Promise<Principal[]> {
  const rows = await db.all<PrincipalRow>('SELECT * FROM principals WHERE tenant_id = ? ORDER BY id', [
    tenantId,
  ]);
  return rows.map(toPrincipal);
}

export async function updatePolicy(db: Queryable, principalId: number, policy: string): Promise<void> {
  await db.run('UPDATE principals SET policy = ? WHERE id = ?', [policy, principalId]);
}

export async function insertAccessKey(db: Queryable, key: AccessKey, secretSealed: string): Promise<void> {
  await db.run(
    'INSERT INTO access_keys (id, tenant_id, principal_id, secret_sealed, status, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    [key.id, key.tenantId, key.principalId, secretSealed, key.status, key.createdAt],
  );
}

export async function findAccessKey(
  db: Queryable,
  id: string,
): Promise<{ key: AccessKey; secretSealed: string } | undefined> {
  const row = await db.get<AccessKeyRow>('SELECT * FROM access_keys WHERE id = ?', [id]);
  return row && { key: toAccessKey(row), secretSealed: row.secret_sealed };
}

export async function listAccessKeys(db: Queryable, tenantId: number): Promise<AccessKey[]> {
  const rows = await db.all<AccessKeyRow>(
    'SELECT * FROM access_keys WHERE tenant_id = ? ORDER BY created_at, id',
    [tenantId],
  );
  return rows.map(toAccessKey);
}

export async function revokeAccessKey(db: Queryable, id: string, now: number): Promise<boolean> {
  const result = await db.run(
    "UPDATE access_keys SET status = 'revoked', revoked_at = ? WHERE id = ? AND status = 'active'",
    [now, id],
  );
  return result.changes === 1;
}
