import { ParapetError } from '../domain/errors.ts';
import type { Caller } from '../domain/identity.ts';
import { evaluateAction, parsePolicy } from './policy.ts';

/**
 * Checks that the caller may perform an operation known under `actionNames`
 * (e.g. ['yundun-sas:DescribeVulList', 'yundun-aegis:DescribeVulList']). The
 * tenant's root principal may do everything in its tenant; a sub-user needs a
 * policy that allows it, and any explicit Deny wins. Throws NoPermission.
 */
export function authorize(caller: Caller, actionNames: string[], now: Date): void {
  if (caller.principal.isRoot) return;
  const documents =
    caller.principal.policy === undefined ? [] : [parsePolicy(JSON.parse(caller.principal.policy))];
  const decision = evaluateAction(documents, actionNames, {
    resource: `acs:yundun-sas:*:${caller.tenant.accountId}:*`,
    sourceIp: caller.sourceIp,
    currentTime: now,
    secureTransport: caller.secureTransport,
  });
  if (decision === 'Allow') return;
  throw new ParapetError('NoPermission', undefined, {
    accessDenied: {
      action: actionNames[0] ?? '',
      principalType: 'SubUser',
      accountId: caller.tenant.accountId,
      principalName: caller.principal.name,
      denyType: decision,
    },
  });
}
