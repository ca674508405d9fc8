import type { ParapetError } from '../../domain/errors.ts';

/** The Sas error body (spec §3); `Recommend` points at the entry in docs/errors.md. */
export function renderSasError(
  err: ParapetError,
  requestId: string,
  hostId: string,
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    RequestId: requestId,
    HostId: hostId,
    Code: err.code,
    Message: err.message,
    Recommend: `docs/errors.md#${err.code.toLowerCase().replace(/\W/g, '')}`,
  };
  const denied = err.accessDenied;
  if (denied) {
    const detail = {
      AuthAction: denied.action,
      AuthPrincipalType: denied.principalType,
      AuthPrincipalOwnerId: denied.accountId,
      AuthPrincipalDisplayName: denied.principalName,
      PolicyType: 'AccountLevelIdentityBasedPolicy',
      NoPermissionType: denied.denyType,
    };
    body.AccessDeniedDetail = {
      ...detail,
      EncodedDiagnosticMessage: Buffer.from(JSON.stringify(detail)).toString('base64'),
    };
  }
  return body;
}
