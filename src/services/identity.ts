/**
 * Tenants, users, access keys and policies: what `parapet admin` manages and
 * what authentication reads. Secrets are returned once, at creation, and are
 * stored sealed (see auth/secret-box.ts).
 */
import { randomBytes, randomInt } from 'node:crypto';
import { openSecret, sealSecret } from '../auth/secret-box.ts';
import { parsePolicy } from '../auth/policy.ts';
import { invalidParameter } from '../domain/errors.ts';
import type { AccessKey, Principal, Tenant } from '../domain/identity.ts';
import type { Queryable } from '../persistence/database.ts';
import * as identity from '../persistence/identity.ts';
import type { AppContext } from './context.ts';

export const ROOT_PRINCIPAL_NAME = 'root';

export interface NewAccessKey {
  AccessKeyId: string;
  AccessKeySecret: string;
}

export interface NewTenant extends NewAccessKey {
  TenantId: number;
  AccountId: string;
  ProjectId: string;
}

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function base62(length: number): string {
  return Array.from({ length }, () => BASE62[randomInt(BASE62.length)]).join('');
}

/** Alibaba-style: LTAI + 20 characters id, 30-character secret. */
export function generateAccessKey(): NewAccessKey {
  return { AccessKeyId: `LTAI${base62(20)}`, AccessKeySecret: base62(30) };
}

function generateAccountId(): string {
  return `${randomInt(1, 10)}${Array.from({ length: 15 }, () => randomInt(10)).join('')}`;
}

const ACCESS_KEY_ID = /^[A-Za-z0-9]{8,64}$/;
const ACCESS_KEY_SECRET = /^[\x21-\x7e]{16,128}$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

function checkName(kind: string, name: string): void {
  if (!NAME.test(name)) {
    throw invalidParameter(kind, `"${name}" must be 1-64 letters, digits, '.', '_', '@' or '-'`);
  }
}

async function addAccessKey(
  ctx: AppContext,
  tx: Queryable,
  principal: Principal,
  given?: NewAccessKey,
): Promise<NewAccessKey> {
  const pair = given ?? generateAccessKey();
  if (!ACCESS_KEY_ID.test(pair.AccessKeyId) || !ACCESS_KEY_SECRET.test(pair.AccessKeySecret)) {
    throw invalidParameter(
      'AccessKey',
      'the id must be 8-64 letters or digits and the secret 16-128 printable characters',
    );
  }
  const key: AccessKey = {
    id: pair.AccessKeyId,
    tenantId: principal.tenantId,
    principalId: principal.id,
    status: 'active',
    createdAt: ctx.now(),
    revokedAt: undefined,
  };
  await identity.insertAccessKey(tx, key, sealSecret(ctx.serverKey, pair.AccessKeySecret));
  return pair;
}

export interface CreateTenantOptions {
  name: string;
  /** Use this root access key instead of generating one (PARAPET_ROOT_ACCESS_KEY_*). */
  rootKey?: NewAccessKey;
}

export async function createTenant(ctx: AppContext, options: CreateTenantOptions): Promise<NewTenant> {
  checkName('TenantName', options.name);
  return ctx.db.withTransaction(async (tx) => {
    const tenant = await identity.insertTenant(tx, {
      name: options.name,
      accountId: generateAccountId(),
      projectId: randomBytes(16).toString('hex'),
      createdAt: ctx.now(),
    });
    const root = await identity.insertPrincipal(tx, {
      tenantId: tenant.id,
      name: ROOT_PRINCIPAL_NAME,
      isRoot: true,
      policy: undefined,
      createdAt: ctx.now(),
    });
    const key = await addAccessKey(ctx, tx, root, options.rootKey);
    return { TenantId: tenant.id, AccountId: tenant.accountId, ProjectId: tenant.projectId, ...key };
  });
}

/**
 * First start on an empty store: creates the root tenant. Returns its key, or
 * undefined when a tenant exists already. Several nodes starting at once on
 * one PostgreSQL: the unique tenant name makes all but one fail, and they see
 * the tenant on their retry.
 */
export async function bootstrapRootTenant(
  ctx: AppContext,
  rootKey?: NewAccessKey,
): Promise<NewTenant | undefined> {
  if (await identity.firstTenant(ctx.db)) return undefined;
  try {
    return await createTenant(ctx, { name: 'root', ...(rootKey ? { rootKey } : {}) });
  } catch (err) {
    if (await identity.firstTenant(ctx.db)) return undefined;
    throw err;
  }
}

export async function resolveTenant(ctx: AppContext, reference: string | undefined): Promise<Tenant> {
  const tenant =
    reference === undefined
      ? await identity.firstTenant(ctx.db)
      : await identity.findTenantByReference(ctx.db, reference);
  if (!tenant) {
    throw invalidParameter(
      'Tenant',
      reference === undefined ? 'no tenant exists yet: start the server once' : `no tenant "${reference}"`,
    );
  }
  return tenant;
}

export async function createUser(ctx: AppContext, tenant: Tenant, name: string): Promise<Principal> {
  checkName('UserName', name);
  if (await identity.findPrincipalByName(ctx.db, tenant.id, name)) {
    throw invalidParameter('UserName', `a user named "${name}" exists already in tenant ${tenant.name}`);
  }
  return identity.insertPrincipal(ctx.db, {
    tenantId: tenant.id,
    name,
    isRoot: false,
    policy: undefined,
    createdAt: ctx.now(),
  });
}

export async function findUser(ctx: AppContext, tenant: Tenant, name: string): Promise<Principal> {
  const principal = await identity.findPrincipalByName(ctx.db, tenant.id, name);
  if (!principal) throw invalidParameter('UserName', `no user "${name}" in tenant ${tenant.name}`);
  return principal;
}

export async function createAccessKey(ctx: AppContext, principal: Principal): Promise<NewAccessKey> {
  return ctx.db.withTransaction((tx) => addAccessKey(ctx, tx, principal));
}

/** Replaces the user's policy after validating it. The root principal needs none. */
export async function putPolicy(ctx: AppContext, principal: Principal, documentText: string): Promise<void> {
  if (principal.isRoot) {
    throw invalidParameter('UserName', 'the root principal may do everything; it has no policy');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(documentText);
  } catch {
    throw invalidParameter('PolicyDocument', 'it is not valid JSON');
  }
  parsePolicy(parsed);
  await identity.updatePolicy(ctx.db, principal.id, JSON.stringify(parsed));
}

export async function revokeAccessKey(ctx: AppContext, accessKeyId: string): Promise<void> {
  if (!(await identity.revokeAccessKey(ctx.db, accessKeyId, ctx.now()))) {
    throw invalidParameter('AccessKeyId', `no active access key "${accessKeyId}"`);
  }
}

export interface ResolvedAccessKey {
  key: AccessKey;
  secret: string;
  tenant: Tenant;
  principal: Principal;
}

/** What authentication needs for a key id; undefined when the key does not exist. */
export async function resolveAccessKey(
  ctx: AppContext,
  accessKeyId: string,
): Promise<ResolvedAccessKey | undefined> {
  const found = await identity.findAccessKey(ctx.db, accessKeyId);
  if (!found) return undefined;
  const tenant = await identity.findTenant(ctx.db, found.key.tenantId);
  const principal = await identity.findPrincipal(ctx.db, found.key.tenantId, found.key.principalId);
  if (!tenant || !principal) return undefined;
  return { key: found.key, secret: openSecret(ctx.serverKey, found.secretSealed), tenant, principal };
}
