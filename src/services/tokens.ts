/**
 * Passwords and IAM-compatible tokens (Huawei IAM / Keystone v3 password
 * login): a principal with a password exchanges it for a bearer token, sent
 * as X-Auth-Token on HSS calls. Tokens are 32 random bytes (base64url) behind
 * a `ppt_` prefix; only their SHA-256 is stored.
 */
import { createHash, randomBytes } from 'node:crypto';
import { hashPassword, verifyPassword } from '../auth/password.ts';
import { ParapetError } from '../domain/errors.ts';
import type { Principal, Tenant } from '../domain/identity.ts';
import type { Queryable } from '../persistence/database.ts';
import { findPrincipal, findTenant } from '../persistence/identity.ts';
import * as tokens from '../persistence/tokens.ts';
import type { AppContext } from './context.ts';

/** How long an issued token is valid. (Default: 24 h) */
export const DEFAULT_TOKEN_TTL_MS = 24 * 3_600_000;
/** Consecutive wrong passwords before a principal is locked. */
export const MAX_LOGIN_FAILURES = 5;
/** How long a lock lasts. */
export const LOGIN_LOCK_MS = 5 * 60_000;
/** Expired tokens are kept this long (to answer "expired at …"), then swept. */
const EXPIRED_TOKEN_RETENTION_MS = 86_400_000;

const TOKEN_PREFIX = 'ppt_';
const TOKEN_FORMAT = /^ppt_[A-Za-z0-9_-]{43}$/;
const AUTH_PREFIX = 'Incorrect IAM authentication information:';

export interface LoginRequest {
  /** The tenant's name (Keystone's user domain). */
  domainName: string;
  userName: string;
  password: string;
  /** The project scope; when given it must be the tenant's project id. */
  projectId: string | undefined;
}

export interface IssuedToken {
  token: string;
  issuedAt: number;
  expiresAt: number;
  tenant: Tenant;
  principal: Principal;
}

export interface ResolvedToken {
  tenant: Tenant;
  principal: Principal;
  /** The token's stored id: the hex SHA-256 of the token. */
  tokenId: string;
  issuedAt: number;
  expiresAt: number;
}

function tokenId(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

const loginFailed = () => new ParapetError('Login.Failed');

function locked(until: number): ParapetError {
  return new ParapetError(
    'Login.Locked',
    `Too many wrong passwords for this user: logins are refused until ${new Date(until).toISOString()}.`,
  );
}

// Verifying against this when there is no hash to check keeps an unknown user
// as slow as a wrong password.
let dummyHash: Promise<string> | undefined;
async function burnVerification(password: string): Promise<void> {
  dummyHash ??= hashPassword('parapet dummy password');
  await verifyPassword(password, await dummyHash);
}

/** Sets the principal's password, revoking its live tokens and clearing its login failures. */
export async function setPassword(app: AppContext, principal: Principal, password: string): Promise<void> {
  const hash = await hashPassword(password);
  await app.db.withTransaction(async (tx) => {
    const now = app.now();
    await tokens.updatePasswordHash(tx, principal.tenantId, principal.id, hash, now);
    await tokens.revokePrincipalTokens(tx, principal.tenantId, principal.id, now);
    await tokens.clearLoginFailures(tx, principal.tenantId, principal.id);
  });
}

/**
 * Checks a password login and issues a token. Unknown tenant or user, no
 * password set and a wrong password all give the same Login.Failed;
 * MAX_LOGIN_FAILURES wrong passwords in a row lock the principal for
 * LOGIN_LOCK_MS (Login.Locked). A project scope other than the tenant's is
 * Login.Failed too, said only to whoever gave the right password.
 */
export async function issueToken(
  app: AppContext,
  login: LoginRequest,
  ttlMs: number = DEFAULT_TOKEN_TTL_MS,
): Promise<IssuedToken> {
  const credentials = await tokens.findLoginCredentials(app.db, login.domainName, login.userName);
  if (!credentials?.passwordHash) {
    await burnVerification(login.password);
    throw loginFailed();
  }
  const { tenantId, principalId, passwordHash } = credentials;
  const lockEnd = await tokens.lockedUntil(app.db, tenantId, principalId, app.now());
  if (lockEnd !== undefined) throw locked(lockEnd);

  if (!(await verifyPassword(login.password, passwordHash))) {
    const newLock = await tokens.recordLoginFailure(
      app.db,
      tenantId,
      principalId,
      app.now(),
      MAX_LOGIN_FAILURES,
      LOGIN_LOCK_MS,
    );
    throw newLock === undefined ? loginFailed() : locked(newLock);
  }
  await tokens.clearLoginFailures(app.db, tenantId, principalId);

  const tenant = await findTenant(app.db, tenantId);
  const principal = await findPrincipal(app.db, tenantId, principalId);
  if (!tenant || !principal) throw loginFailed();
  if (login.projectId !== undefined && login.projectId !== tenant.projectId) {
    throw new ParapetError(
      'Login.Failed',
      `The project "${login.projectId.slice(0, 64)}" is not a project of user "${principal.name}": scope the token to the project id ${tenant.projectId}, or leave the scope out.`,
    );
  }

  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const issuedAt = app.now();
  const expiresAt = issuedAt + ttlMs;
  await tokens.insertToken(app.db, { id: tokenId(token), tenantId, principalId, issuedAt, expiresAt });
  return { token, issuedAt, expiresAt, tenant, principal };
}

/** Who a token belongs to. Unknown, malformed, expired or revoked tokens are InvalidToken. */
export async function resolveToken(app: AppContext, token: string): Promise<ResolvedToken> {
  if (!TOKEN_FORMAT.test(token)) throw new ParapetError('InvalidToken');
  const stored = await tokens.findToken(app.db, tokenId(token));
  if (!stored) throw new ParapetError('InvalidToken');
  if (stored.revokedAt !== undefined) {
    throw new ParapetError('InvalidToken', `${AUTH_PREFIX} the token was revoked`);
  }
  if (stored.expiresAt <= app.now()) {
    throw new ParapetError(
      'InvalidToken',
      `${AUTH_PREFIX} the token expired at ${new Date(stored.expiresAt).toISOString()}`,
    );
  }
  const tenant = await findTenant(app.db, stored.tenantId);
  const principal = await findPrincipal(app.db, stored.tenantId, stored.principalId);
  if (!tenant || !principal) throw new ParapetError('InvalidToken');
  return { tenant, principal, tokenId: stored.id, issuedAt: stored.issuedAt, expiresAt: stored.expiresAt };
}

/** Revokes one token; an unknown or already revoked token is left as it is. */
export async function revokeToken(app: AppContext, token: string): Promise<void> {
  await tokens.revokeTokenById(app.db, tokenId(token), app.now());
}

/** Revokes every live token of the principal; returns how many. */
export async function revokeUserTokens(app: AppContext, principal: Principal): Promise<number> {
  return tokens.revokePrincipalTokens(app.db, principal.tenantId, principal.id, app.now());
}

/** Deletes tokens that expired more than a day before `now`; returns how many. */
export async function sweepTokens(db: Queryable, now: number): Promise<number> {
  return tokens.deleteTokensExpiredBefore(db, now - EXPIRED_TOKEN_RETENTION_MS);
}
