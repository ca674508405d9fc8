/**
 * Agents: enrollment tokens, enrollment, request authentication, host
 * records and liveness. The agent's wire protocol is docs/agent-protocol.md.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  agentSignatureMatches,
  type AgentRequestParts,
  type SignedAgentRequest,
} from '../auth/agent-signature.ts';
import { rememberNonce } from '../auth/request-guard.ts';
import { openSecret, sealSecret } from '../auth/secret-box.ts';
import type { EnrollResponse, HostFacts } from '../domain/agent-protocol.ts';
import { ParapetError } from '../domain/errors.ts';
import { DEFAULT_GROUP_NAME } from '../domain/hosts.ts';
import type { Tenant } from '../domain/identity.ts';
import * as agents from '../persistence/agents.ts';
import type { AppContext } from './context.ts';

/** Agent and fan-out settings, from the environment (README). */
export interface AgentSettings {
  /** A host whose agent has not been heard from for this long shows offline. (Default: 60 s; PARAPET_AGENT_OFFLINE_SECONDS) */
  offlineAfterMs: number;
  /** How long the server holds an agent's poll open. (Default: 20 s) */
  pollWaitMs: number;
  /** Per-host deadline of an asset collection when the request sets none. (Default: 10 min; PARAPET_ASSETS_TIMEOUT_SECONDS) */
  assetsTimeoutMs: number;
  /** Per-host deadline of a virus scan. (Default: 2 h; PARAPET_VIRUS_SCAN_TIMEOUT_SECONDS) */
  virusScanTimeoutMs: number;
}

export const DEFAULT_AGENT_SETTINGS: AgentSettings = {
  offlineAfterMs: 60_000,
  pollWaitMs: 20_000,
  assetsTimeoutMs: 10 * 60_000,
  virusScanTimeoutMs: 2 * 3_600_000,
};

/** Agent timestamps further than this from the server's clock are refused. */
const AGENT_CLOCK_SKEW_MS = 5 * 60_000;
/** A host row is written at most this often by an agent's requests (its liveness). */
const TOUCH_QUIET_MS = 5_000;

/**
 * Liveness: a host is seen when its agent's request arrives (written at most
 * every `touchQuietMs`), and an idle agent always holds a poll open. So that
 * an agent that keeps polling never shows offline, a poll is held at most
 * half the offline threshold and the writes are skipped for at most a
 * quarter of it: such a host is seen at least every ¾ of the threshold.
 */
function liveness(settings: AgentSettings) {
  return {
    maxPollWaitMs: Math.min(settings.pollWaitMs, settings.offlineAfterMs / 2),
    touchQuietMs: Math.min(TOUCH_QUIET_MS, settings.offlineAfterMs / 4),
  };
}

/** How long to hold an agent's poll open: what it asked for (default pollWaitMs), within the liveness bound. */
export function pollWaitMs(app: AppContext, requestedMs: number | undefined): number {
  const { maxPollWaitMs } = liveness(app.agents);
  return Math.min(requestedMs ?? maxPollWaitMs, maxPollWaitMs);
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export interface NewEnrollToken {
  Token: string;
  ExpiresAt: number;
  GroupId: number;
  GroupName: string;
}

/** A token that enrolls agents into `groupName` (created if new; default group when absent) until `ttlMs` passes. */
export async function createEnrollToken(
  app: AppContext,
  tenant: Tenant,
  options: { groupName?: string; ttlMs: number },
): Promise<NewEnrollToken> {
  const token = `pet_${randomBytes(24).toString('base64url')}`;
  const now = app.now();
  const groupName = options.groupName ?? DEFAULT_GROUP_NAME;
  return app.db.withTransaction(async (tx) => {
    const groupId = await agents.ensureHostGroup(tx, tenant.id, groupName, now);
    const expiresAt = now + options.ttlMs;
    await agents.insertEnrollToken(tx, {
      hash: hashToken(token),
      tenantId: tenant.id,
      groupId,
      createdAt: now,
      expiresAt,
    });
    return { Token: token, ExpiresAt: expiresAt, GroupId: groupId, GroupName: groupName };
  });
}

/** Exchanges a token for an agent identity and creates its host. */
export async function enrollAgent(app: AppContext, token: string, facts: HostFacts): Promise<EnrollResponse> {
  const now = app.now();
  const found = await agents.findUsableEnrollToken(app.db, hashToken(token), now);
  if (!found) throw new ParapetError('EnrollToken.Invalid');
  const uuid = randomUUID();
  const secret = randomBytes(32).toString('base64url');
  await app.db.withTransaction((tx) =>
    agents.insertAgentHost(tx, {
      tenantId: found.tenantId,
      groupId: found.groupId,
      uuid,
      secretSealed: sealSecret(app.serverKey, secret),
      facts,
      now,
    }),
  );
  return { uuid, secret, pollWaitSeconds: Math.max(1, Math.floor(pollWaitMs(app, undefined) / 1000)) };
}

/** The agent a verified request came from. */
export interface AgentIdentity {
  uuid: string;
  hostId: number;
  tenantId: number;
}

const refuse = (why: string) =>
  new ParapetError('Agent.Unauthenticated', `The agent request is refused: ${why}.`);

/**
 * Checks a signed agent request: clock, known and active agent, signature,
 * then the nonce (only a valid request consumes one). Marks the host seen.
 */
export async function authenticateAgent(
  app: AppContext,
  signed: SignedAgentRequest,
  parts: AgentRequestParts,
): Promise<AgentIdentity> {
  const now = app.now();
  if (Math.abs(now - signed.timestamp) > AGENT_CLOCK_SKEW_MS) {
    throw refuse('its timestamp is more than 5 minutes from the server clock (check the host clock)');
  }
  const agent = await agents.findAgent(app.db, signed.uuid);
  if (!agent) throw refuse('no agent is enrolled with this uuid');
  if (agent.revokedAt !== undefined) throw new ParapetError('Agent.Revoked');
  if (!agentSignatureMatches(openSecret(app.serverKey, agent.secretSealed), signed, parts)) {
    throw refuse('the signature does not match');
  }
  try {
    await rememberNonce(app.db, `agent:${agent.uuid}`, signed.nonce, signed.timestamp);
  } catch (err) {
    if (err instanceof ParapetError && err.code === 'SignatureNonceUsed')
      throw refuse('the nonce was used before (a replay)');
    throw err;
  }
  await agents.touchHost(app.db, agent.hostId, now, liveness(app.agents).touchQuietMs);
  return { uuid: agent.uuid, hostId: agent.hostId, tenantId: agent.tenantId };
}

export async function refreshHost(app: AppContext, agent: AgentIdentity, facts: HostFacts): Promise<void> {
  await agents.updateHostFacts(app.db, agent.hostId, facts);
}

/** `parapet admin agent revoke UUID`: the agent is refused from now on; its host and data stay. */
export async function revokeAgent(app: AppContext, tenant: Tenant, uuid: string): Promise<void> {
  if (!(await agents.revokeAgent(app.db, tenant.id, uuid, app.now()))) {
    throw new Error(`no active agent ${uuid} in tenant ${tenant.name}`);
  }
}

/** Hosts whose agents went quiet show offline; run every few seconds by every node. */
export function markSilentHostsOffline(app: AppContext): Promise<number> {
  return agents.markSilentHostsOffline(app.db, app.now() - app.agents.offlineAfterMs);
}
