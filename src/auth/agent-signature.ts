/**
 * How agents sign their requests (docs/agent-protocol.md). Every request but
 * enrollment carries four headers:
 *
 *   X-Parapet-Agent      the agent's uuid
 *   X-Parapet-Timestamp  epoch milliseconds
 *   X-Parapet-Nonce      16–64 hex characters, never reused by this agent
 *   X-Parapet-Signature  hex HMAC-SHA256(agent secret, string to sign)
 *
 * string to sign = "PARAPET-AGENT-HMAC-SHA256\n" + METHOD + "\n" + request
 * target (path and query, as sent) + "\n" + timestamp + "\n" + nonce + "\n" +
 * hex SHA-256 of the body bytes.
 *
 * The agent and the server both use this module, so they cannot drift.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { ParapetError } from '../domain/errors.ts';
import { safeEqual } from './safe-text.ts';

export const AGENT_SIGNATURE_ALGORITHM = 'PARAPET-AGENT-HMAC-SHA256';

export const AGENT_HEADERS = {
  agent: 'x-parapet-agent',
  timestamp: 'x-parapet-timestamp',
  nonce: 'x-parapet-nonce',
  signature: 'x-parapet-signature',
} as const;

export interface AgentRequestParts {
  method: string;
  /** Path and query exactly as sent, e.g. `/agent/v1/poll?wait=20`. */
  target: string;
  body: Buffer;
}

export interface SignedAgentRequest {
  uuid: string;
  timestamp: number;
  nonce: string;
  signature: string;
}

function stringToSign(parts: AgentRequestParts, timestamp: number, nonce: string): string {
  const bodyHash = createHash('sha256').update(parts.body).digest('hex');
  return [
    AGENT_SIGNATURE_ALGORITHM,
    parts.method.toUpperCase(),
    parts.target,
    timestamp,
    nonce,
    bodyHash,
  ].join('\n');
}

function hmac(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text).digest('hex');
}

/** The headers an agent sends with a request (lower-case names). */
export function signAgentRequest(
  uuid: string,
  secret: string,
  parts: AgentRequestParts,
  now = Date.now(),
): Record<string, string> {
  const nonce = randomBytes(16).toString('hex');
  return {
    [AGENT_HEADERS.agent]: uuid,
    [AGENT_HEADERS.timestamp]: String(now),
    [AGENT_HEADERS.nonce]: nonce,
    [AGENT_HEADERS.signature]: hmac(secret, stringToSign(parts, now, nonce)),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Reads the signature headers; anything missing or malformed is Agent.Unauthenticated. */
export function parseAgentHeaders(headers: Record<string, string | undefined>): SignedAgentRequest {
  const uuid = headers[AGENT_HEADERS.agent];
  const timestamp = headers[AGENT_HEADERS.timestamp];
  const nonce = headers[AGENT_HEADERS.nonce];
  const signature = headers[AGENT_HEADERS.signature];
  if (uuid === undefined || timestamp === undefined || nonce === undefined || signature === undefined) {
    throw new ParapetError(
      'Agent.Unauthenticated',
      'The request is not signed: X-Parapet-Agent, -Timestamp, -Nonce and -Signature are required.',
    );
  }
  if (!UUID.test(uuid) || !/^\d{1,15}$/.test(timestamp) || !/^[0-9a-f]{16,64}$/.test(nonce)) {
    throw new ParapetError('Agent.Unauthenticated', 'The signature headers are malformed.');
  }
  if (!/^[0-9a-f]{64}$/.test(signature)) {
    throw new ParapetError('Agent.Unauthenticated', 'The signature is not 64 hex characters.');
  }
  return { uuid, timestamp: Number(timestamp), nonce, signature };
}

/** Whether `signed` is the signature of `parts` under `secret` (constant time). */
export function agentSignatureMatches(
  secret: string,
  signed: SignedAgentRequest,
  parts: AgentRequestParts,
): boolean {
  return safeEqual(hmac(secret, stringToSign(parts, signed.timestamp, signed.nonce)), signed.signature);
}
