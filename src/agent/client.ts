/**
 * The agent's HTTP client: JSON calls, signed with the agent secret once it
 * has one (src/auth/agent-signature.ts), retried with exponential backoff
 * (1 s doubling to 30 s, with jitter) on network errors, 5xx and 429 — so the
 * agent rides out a server restart. Other refusals are thrown as
 * AgentCallError with the server's Code.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { signAgentRequest } from '../auth/agent-signature.ts';

export class AgentCallError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(status: number, code: string, message: string) {
    super(`${code}: ${message}`);
    this.name = 'AgentCallError';
    this.code = code;
    this.status = status;
  }
}

export interface AgentClient {
  readonly server: string;
  /** Signs from now on with this identity. */
  signAs(uuid: string, secret: string): void;
  call(
    method: 'POST' | 'PUT',
    path: string,
    body: unknown,
    options?: { timeoutMs?: number },
  ): Promise<unknown>;
}

export interface AgentClientOptions {
  server: string;
  /** Ends every call and wait (the agent is stopping). */
  signal: AbortSignal;
  /** Told about each retry. */
  onRetry?: (path: string, error: string, delayMs: number) => void;
}

const MAX_DELAY_MS = 30_000;

export function makeAgentClient(options: AgentClientOptions): AgentClient {
  const server = options.server.replace(/\/+$/, '');
  let identity: { uuid: string; secret: string } | undefined;

  async function once(method: string, path: string, body: unknown, timeoutMs: number) {
    const payload = Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (identity)
      Object.assign(
        headers,
        signAgentRequest(identity.uuid, identity.secret, { method, target: path, body: payload }),
      );
    const response = await fetch(`${server}${path}`, {
      method,
      body: payload,
      headers,
      signal: AbortSignal.any([options.signal, AbortSignal.timeout(timeoutMs)]),
    });
    const text = await response.text();
    return {
      status: response.status,
      json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
    };
  }

  return {
    server,
    signAs(uuid, secret) {
      identity = { uuid, secret };
    },
    async call(method, path, body, { timeoutMs = 30_000 } = {}) {
      for (let attempt = 0; ; attempt++) {
        let why: string;
        try {
          const { status, json } = await once(method, path, body, timeoutMs);
          if (status < 400) return json;
          const code = typeof json.Code === 'string' ? json.Code : `HTTP${status}`;
          const message = typeof json.Message === 'string' ? json.Message : '';
          if (status < 500 && status !== 429) throw new AgentCallError(status, code, message);
          why = `${code} ${message}`;
        } catch (err) {
          if (err instanceof AgentCallError || options.signal.aborted) throw err;
          why = err instanceof Error ? err.message : String(err);
        }
        const delayMs = Math.min(1000 * 2 ** attempt, MAX_DELAY_MS) * (0.75 + Math.random() / 2);
        options.onRetry?.(path, why, delayMs);
        await sleep(delayMs, undefined, { signal: options.signal });
      }
    },
  };
}
