/**
 * The HSS error body (spec hss-v5.md §2): `{error_code, error_msg}`, plus
 * `request_id` for gateway-level (APIGW.*) errors; the status and code come
 * from the catalogue's `hss` column. The request id also goes in the
 * `X-Request-Id` header, where the SDKs read it.
 */
import { randomBytes } from 'node:crypto';
import { errorCatalogue, type ParapetError } from '../../domain/errors.ts';

/** 32 lower-case hex characters, like the gateway's. */
export function newHssRequestId(): string {
  return randomBytes(16).toString('hex');
}

export function renderHssError(
  err: ParapetError,
  requestId: string,
): { httpStatus: number; body: Record<string, string> } {
  const { code, httpStatus } = errorCatalogue[err.code].hss;
  const message = err.accessDenied
    ? `Policy doesn't allow ${err.accessDenied.action} to be performed.`
    : err.message;
  const body: Record<string, string> = { error_code: code, error_msg: message };
  if (code.startsWith('APIGW.')) body.request_id = requestId;
  return { httpStatus, body };
}
