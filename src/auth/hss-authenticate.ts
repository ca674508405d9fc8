/**
 * Authenticates an HSS request, as Huawei's API gateway does: an
 * `X-Auth-Token` (from `POST /v3/auth/tokens`) or an SDK-HMAC-SHA256
 * signature with the same access keys as the Sas dialect. Then the path's
 * project must be the caller's, and the tenant's request rate is counted.
 *
 * Unlike Sas there is no nonce: the SDKs send none, and two identical
 * requests within one second carry the same signature legitimately. A
 * captured request can be replayed within the ±15 minute window, as on the
 * cloud — use HTTPS.
 */
import { ParapetError } from '../domain/errors.ts';
import type { Caller } from '../domain/identity.ts';
import type { AppContext } from '../services/context.ts';
import { resolveAccessKey } from '../services/identity.ts';
import { resolveToken } from '../services/tokens.ts';
import { parseHssRequest, type HssRequestParts } from './hss-signature.ts';
import { countRequest, TIMESTAMP_WINDOW_MS } from './request-guard.ts';

export interface HssAuthenticationOptions {
  /** The `{project_id}` of the path. */
  projectId: string;
  sourceIp: string;
  secureTransport: boolean;
  /** Requests per second per tenant before APIGW.0308. */
  rateLimitPerSecond: number;
}

const IAM_FAILURE = 'Incorrect IAM authentication information';

async function bySignature(app: AppContext, parts: HssRequestParts, projectId: string) {
  const signed = parseHssRequest(parts);
  const now = app.now();
  if (Math.abs(now - signed.sdkDateMs) > TIMESTAMP_WINDOW_MS) {
    throw new ParapetError(
      'InvalidTimeStamp.Expired',
      `${IAM_FAILURE}: X-Sdk-Date ${signed.sdkDate} is more than 15 minutes away from the server time.`,
    );
  }
  const resolved = await resolveAccessKey(app, signed.accessKeyId);
  if (!resolved) {
    throw new ParapetError(
      'InvalidAccessKeyId.NotFound',
      `${IAM_FAILURE}: Get secretKey failed,ak:${signed.accessKeyId.slice(0, 4)}***,err:ak not exist`,
    );
  }
  if (resolved.key.status !== 'active') {
    throw new ParapetError('InvalidAccessKeyId.Inactive', `${IAM_FAILURE}: the access key is disabled.`);
  }
  if (parts.headers['x-security-token'] !== undefined) {
    throw new ParapetError(
      'IncompleteSignature',
      `${IAM_FAILURE}: temporary access keys (X-Security-Token) are not issued by Parapet.`,
    );
  }
  if (!signed.verify(resolved.secret)) {
    throw new ParapetError('SignatureDoesNotMatch', `${IAM_FAILURE}: verify aksk signature fail`);
  }
  const headerProject = parts.headers['x-project-id'];
  if (headerProject !== undefined && headerProject !== projectId) {
    throw new ParapetError(
      'Forbidden.Project',
      'The X-Project-Id header and the project id in the path differ.',
    );
  }
  return { tenant: resolved.tenant, principal: resolved.principal, accessKeyId: signed.accessKeyId };
}

export async function authenticateHss(
  app: AppContext,
  parts: HssRequestParts,
  options: HssAuthenticationOptions,
): Promise<Caller> {
  const token = parts.headers['x-auth-token'];
  let identity;
  if (token !== undefined && token !== '') {
    const resolved = await resolveToken(app, token);
    identity = { tenant: resolved.tenant, principal: resolved.principal, accessKeyId: undefined };
  } else if (parts.headers.authorization !== undefined) {
    identity = await bySignature(app, parts, options.projectId);
  } else {
    throw new ParapetError('MissingAuthentication');
  }
  if (identity.tenant.projectId !== options.projectId) {
    throw new ParapetError(
      'Forbidden.Project',
      `The project ${options.projectId.slice(0, 64)} in the path is not the caller's project.`,
    );
  }
  await countRequest(app.db, identity.tenant.id, app.now(), options.rateLimitPerSecond);
  return { ...identity, sourceIp: options.sourceIp, secureTransport: options.secureTransport };
}
