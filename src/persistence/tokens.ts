/**
 * Token login state: principals' password hashes, consecutive login failures
 * and issued tokens (by the SHA-256 of the token). Shared by every node.
 */
import type { Queryable } from './database.ts';

export interface LoginCredentials {
  tenantId: number;
  principalId: number;
  /** undefined: no password set, token login is refused. */
  passwordHash: string | undefined;
}

export interface StoredToken {
  id: string;
  tenantId: number;
  principalId: number;
  issuedAt: number;
  expiresAt: number;
  revokedAt: number | undefined;
}

interface TokenRow {
  id: string;
  tenant_id: number;
  principal_id: number;
  issued_at: number;
  expires_at: number;
  revoked_at: number | null;
}

/** The principal named `userName` in the tenant named `tenantName`, with its password hash. */
export async function findLoginCredentials(
  db: Queryable,
  tenantName: string,
  userName: string,
): Promise<LoginCredentials | undefined> {
  const row = await db.get<{ tenant_id: number; principal_id: number; password_hash: string | null }>(
    `SELECT p.tenant_id, p.id AS principal_id, p.password_hash
     FROM tenants t JOIN principals p ON p.tenant_id = t.id
     WHERE t.name = ? AND p.name = ?`,
    [tenantName, userName],
  );
  return (
    row && {
      tenantId: row.tenant_id,
      principalId: row.principal_id,
      passwordHash: row.password_hash ?? undefined,
    }
  );
}

export async function updatePasswordHash(
  db: Queryable,
  tenantId: number,
  principalId: number,
  passwordHash: string,
  now: number,
): Promise<void> {
  await db.run(
    'UPDATE principals SET password_hash = ?, password_changed_at = ? WHERE tenant_id = ? AND id = ?',
    [passwordHash, now, tenantId, principalId],
  );
}

/** When the principal's lock ends, or undefined when it is not locked at `now`. */
export async function lockedUntil(
  db: Queryable,
  tenantId: number,
  principalId: number,
  now: number,
): Promise<number | undefined> {
  const row = await db.get<{ locked_until: number | null }>(
    'SELECT locked_until FROM login_failures WHERE tenant_id = ? AND principal_id = ?',
    [tenantId, principalId],
  );
  const until = row?.locked_until ?? undefined;
  return until !== undefined && until > now ? until : undefined;
}

/**
 * Counts one wrong password, atomically across nodes. The failure that makes
 * `maxFailures` in a row locks the principal until `now + lockMs` and starts
 * the count again; returns the lock's end then, else undefined.
 */
export async function recordLoginFailure(
  db: Queryable,
  tenantId: number,
  principalId: number,
  now: number,
  maxFailures: number,
  lockMs: number,
): Promise<number | undefined> {
  // In ON CONFLICT … DO UPDATE, every SET expression reads the row as it was.
  const row = await db.get<{ failures: number; locked_until: number | null }>(
    `INSERT INTO login_failures (principal_id, tenant_id, failures, locked_until) VALUES (?, ?, 1, NULL)
     ON CONFLICT (principal_id) DO UPDATE SET
       failures = CASE WHEN login_failures.failures + 1 >= ? THEN 0 ELSE login_failures.failures + 1 END,
       locked_until = CASE WHEN login_failures.failures + 1 >= ? THEN ? ELSE login_failures.locked_until END
     RETURNING failures, locked_until`,
    [principalId, tenantId, maxFailures, maxFailures, now + lockMs],
  );
  return row?.failures === 0 ? (row.locked_until ?? undefined) : undefined;
}

export async function clearLoginFailures(
  db: Queryable,
  tenantId: number,
  principalId: number,
): Promise<void> {
  await db.run('DELETE FROM login_failures WHERE tenant_id = ? AND principal_id = ?', [
    tenantId,
    principalId,
  ]);
}

export async function insertToken(db: Queryable, token: Omit<StoredToken, 'revokedAt'>): Promise<void> {
  await db.run(
    'INSERT INTO auth_tokens (id, tenant_id, principal_id, issued_at, expires_at) VALUES (?, ?, ?, ?, ?)',
    [token.id, token.tenantId, token.principalId, token.issuedAt, token.expiresAt],
  );
}

export async function findToken(db: Queryable, id: string): Promise<StoredToken | undefined> {
  const row = await db.get<TokenRow>('SELECT * FROM auth_tokens WHERE id = ?', [id]);
  return (
    row && {
      id: row.id,
      tenantId: row.tenant_id,
      principalId: row.principal_id,
      issuedAt: row.issued_at,
      expiresAt: row.expires_at,
      revokedAt: row.revoked_at ?? undefined,
    }
  );
}

/** Revokes one token unless it is revoked already; true when it did. */
export async function revokeTokenById(db: Queryable, id: string, now: number): Promise<boolean> {
  const result = await db.run('UPDATE auth_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [
    now,
    id,
  ]);
  return result.changes === 1;
}

/** Revokes the principal's live tokens (not revoked, not expired); returns how many. */
export async function revokePrincipalTokens(
  db: Queryable,
  tenantId: number,
  principalId: number,
  now: number,
): Promise<number> {
  const result = await db.run(
    `UPDATE auth_tokens SET revoked_at = ?
     WHERE tenant_id = ? AND principal_id = ? AND revoked_at IS NULL AND expires_at > ?`,
    [now, tenantId, principalId, now],
  );
  return result.changes;
}

/** Deletes tokens that expired before `before`; returns how many. */
export async function deleteTokensExpiredBefore(db: Queryable, before: number): Promise<number> {
  return (await db.run('DELETE FROM auth_tokens WHERE expires_at < ?', [before])).changes;
}
