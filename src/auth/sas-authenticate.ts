import { ParapetError } from '../domain/errors.ts';
import type { Caller } from '../domain/identity.ts';
import type { AppContext } from '../services/context.ts';
import { resolveAccessKey } from '../services/identity.ts';
import { countRequest, rememberNonce, TIMESTAMP_WINDOW_MS } from './request-guard.ts';
import type { SasSignedRequest } from './sas-signature.ts';

export interface SasAuthenticationOptions {
  sourceIp: string;
  secureTransport: boolean;
  /** Requests per second per tenant before Throttling.User. */
  rateLimitPerSecond: number;
}

/**
 * Turns a signed Sas request into a Caller, in the order the gateway does:
 * time window, key, signature, then replay and rate checks (a request that
 * fails its signature must not burn a nonce or count against the tenant).
 */
export async function authenticateSas(
  app: AppContext,
  signed: SasSignedRequest,
  options: SasAuthenticationOptions,
): Promise<Caller> {
  const now = app.now();
  if (Math.abs(now - signed.timestampMs) > TIMESTAMP_WINDOW_MS) {
    throw new ParapetError(
      'InvalidTimeStamp.Expired',
      `Specified time stamp or date value is expired: ${signed.timestamp} is more than 15 minutes away from the server time ${new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z')}.`,
    );
  }
  const resolved = await resolveAccessKey(app, signed.accessKeyId);
  if (!resolved) throw new ParapetError('InvalidAccessKeyId.NotFound');
  if (resolved.key.status !== 'active') throw new ParapetError('InvalidAccessKeyId.Inactive');
  if (!signed.verify(resolved.secret)) {
    throw new ParapetError(
      'SignatureDoesNotMatch',
      `Specified signature is not matched with our calculation. server string to sign is:${signed.stringToSign}`,
    );
  }
  await app.db.withTransaction(async (tx) => {
    await rememberNonce(tx, signed.accessKeyId, signed.nonce, signed.timestampMs);
    await countRequest(tx, resolved.tenant.id, now, options.rateLimitPerSecond);
  });
  return {
    tenant: resolved.tenant,
    principal: resolved.principal,
    accessKeyId: signed.accessKeyId,
    sourceIp: options.sourceIp,
    secureTransport: options.secureTransport,
  };
}
