/**
 * `parapet admin …`: tenants, users, passwords, access keys, policies and
 * tokens, against the same store as the server. With --json each command
 * prints one JSON object.
 */
import { readFileSync } from 'node:fs';
import { listAccessKeys, listPrincipals, listTenants } from '../persistence/identity.ts';
import {
  createAccessKey,
  createTenant,
  createUser,
  findUser,
  putPolicy,
  resolveTenant,
  revokeAccessKey,
} from '../services/identity.ts';
import type { AppContext } from '../services/context.ts';
import { createEnrollToken, revokeAgent } from '../services/agents.ts';
import { revokeUserTokens, setPassword } from '../services/tokens.ts';

export interface AdminFlags {
  tenant?: string | undefined;
  json?: boolean | undefined;
  password?: string | undefined;
  group?: string | undefined;
  ttl?: string | undefined;
}

export const ADMIN_USAGE = `parapet admin — manage tenants, users, passwords, access keys, policies and tokens

  admin tenant create NAME              a tenant with its root access key
  admin tenant list
  admin user create NAME [--tenant ID]  a sub-user (denied everything until given a policy)
  admin user list [--tenant ID]
  admin user passwd USER --password PW [--tenant ID]   sets the password for token login
                                        (8-128 characters; revokes the user's tokens)
  admin key create USER [--tenant ID]   an access key for a user ('root' is the tenant's root)
  admin key list [--tenant ID]
  admin key revoke ACCESS_KEY_ID
  admin policy put USER FILE.json [--tenant ID]   replaces the user's RAM policy
  admin token revoke USER [--tenant ID]   revokes all of the user's tokens
  admin enroll-token create [--group NAME] [--ttl 1h] [--tenant ID]
                                        a token agents exchange for their identity (parapet agent
                                        --token T); reusable until it expires; the group is created if new
  admin agent revoke UUID [--tenant ID] refuses that agent from now on (its host and data stay)

--tenant takes a tenant id, account id, project id or name (default: the root tenant).
--json prints exactly one JSON object. Secrets are printed once and stored sealed.`;

const DURATION_UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `30m`, `1h`, `7d` as milliseconds. */
function parseDuration(text: string): number {
  const match = /^(\d{1,6})([smhd])$/.exec(text);
  if (!match?.[1] || !match[2]) throw usageError(`--ttl must be like 90s, 30m, 1h or 7d, not "${text}"`);
  return Number(match[1]) * DURATION_UNITS[match[2]]!;
}

function usageError(message: string): Error {
  return new Error(`${message}\n\n${ADMIN_USAGE}`);
}

/** Runs one admin command and returns what to print. */
export async function runAdmin(
  app: AppContext,
  words: string[],
  flags: AdminFlags,
): Promise<Record<string, unknown>> {
  const [noun, verb, ...rest] = words;
  const arg = (index: number, name: string): string => {
    const value = rest[index];
    if (value === undefined) throw usageError(`missing ${name}`);
    return value;
  };
  const command = `${noun ?? ''} ${verb ?? ''}`;
  switch (command) {
    case 'tenant create':
      return { ...(await createTenant(app, { name: arg(0, 'NAME') })) };
    case 'tenant list':
      return {
        Tenants: (await listTenants(app.db)).map((t) => ({
          TenantId: t.id,
          Name: t.name,
          AccountId: t.accountId,
          ProjectId: t.projectId,
        })),
      };
    case 'user create': {
      const tenant = await resolveTenant(app, flags.tenant);
      const user = await createUser(app, tenant, arg(0, 'NAME'));
      return { UserId: user.id, UserName: user.name, TenantId: tenant.id };
    }
    case 'user list': {
      const tenant = await resolveTenant(app, flags.tenant);
      return {
        Users: (await listPrincipals(app.db, tenant.id)).map((p) => ({
          UserId: p.id,
          UserName: p.name,
          Root: p.isRoot,
          HasPolicy: p.policy !== undefined,
        })),
      };
    }
    case 'user passwd': {
      if (flags.password === undefined) throw usageError('missing --password PW');
      const tenant = await resolveTenant(app, flags.tenant);
      const user = await findUser(app, tenant, arg(0, 'USER'));
      await setPassword(app, user, flags.password);
      return { UserName: user.name, TenantId: tenant.id, Password: 'set' };
    }
    case 'key create': {
      const tenant = await resolveTenant(app, flags.tenant);
      return { ...(await createAccessKey(app, await findUser(app, tenant, arg(0, 'USER')))) };
    }
    case 'key list': {
      const tenant = await resolveTenant(app, flags.tenant);
      const users = new Map((await listPrincipals(app.db, tenant.id)).map((p) => [p.id, p.name]));
      return {
        AccessKeys: (await listAccessKeys(app.db, tenant.id)).map((k) => ({
          AccessKeyId: k.id,
          UserName: users.get(k.principalId),
          Status: k.status,
          CreatedAt: new Date(k.createdAt).toISOString(),
        })),
      };
    }
    case 'key revoke':
      await revokeAccessKey(app, arg(0, 'ACCESS_KEY_ID'));
      return { AccessKeyId: arg(0, 'ACCESS_KEY_ID'), Status: 'revoked' };
    case 'policy put': {
      const tenant = await resolveTenant(app, flags.tenant);
      const user = await findUser(app, tenant, arg(0, 'USER'));
      await putPolicy(app, user, readFileSync(arg(1, 'FILE.json'), 'utf8'));
      return { UserName: user.name, TenantId: tenant.id, Policy: 'replaced' };
    }
    case 'token revoke': {
      const tenant = await resolveTenant(app, flags.tenant);
      const user = await findUser(app, tenant, arg(0, 'USER'));
      return { UserName: user.name, TenantId: tenant.id, RevokedTokens: await revokeUserTokens(app, user) };
    }
    case 'enroll-token create': {
      const tenant = await resolveTenant(app, flags.tenant);
      const ttlMs = parseDuration(flags.ttl ?? '1h');
      return {
        ...(await createEnrollToken(app, tenant, { groupName: flags.group, ttlMs })),
        TenantId: tenant.id,
      };
    }
    case 'agent revoke': {
      const tenant = await resolveTenant(app, flags.tenant);
      await revokeAgent(app, tenant, arg(0, 'UUID'));
      return { Uuid: arg(0, 'UUID'), Status: 'revoked' };
    }
    default:
      throw usageError(`unknown admin command "${command.trim()}"`);
  }
}
