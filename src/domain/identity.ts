/**
 * Glossary.
 * - Tenant: an isolated customer of a Parapet installation. It owns every
 *   host, vulnerability, task and file; nothing crosses tenants. It carries an
 *   Alibaba-style numeric account id and a 32-hex HSS project id.
 * - Principal: who acts inside a tenant: the tenant's root principal (may do
 *   everything in its tenant) or a sub-user governed by a RAM policy.
 * - Access key: an id/secret pair of a principal, used to sign requests.
 * - Caller: the authenticated principal of one request, with its context.
 */
export interface Tenant {
  id: number;
  name: string;
  accountId: string;
  projectId: string;
  createdAt: number;
}

export interface Principal {
  id: number;
  tenantId: number;
  name: string;
  isRoot: boolean;
  /** The principal's RAM policy document as JSON text; undefined = no policy (sub-users are denied everything). */
  policy: string | undefined;
  createdAt: number;
}

export type AccessKeyStatus = 'active' | 'revoked';

export interface AccessKey {
  id: string;
  tenantId: number;
  principalId: number;
  status: AccessKeyStatus;
  createdAt: number;
  revokedAt: number | undefined;
}

export interface Caller {
  tenant: Tenant;
  principal: Principal;
  /** The access key that signed the request; undefined when a token authenticated it. */
  accessKeyId: string | undefined;
  sourceIp: string;
  secureTransport: boolean;
}
