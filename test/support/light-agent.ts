/**
 * A light agent: a few lines of client speaking the real, signed agent
 * protocol (docs/agent-protocol.md) over HTTP, without collecting or scanning
 * anything — the test or benchmark decides what it answers. Many of them fit
 * in one process (bench/fleet runs 1,000).
 */
import { signAgentRequest } from '../../src/auth/agent-signature.ts';
import type {
  Assignment,
  EnrollResponse,
  HostFacts,
  ProgressResponse,
  ResultPart,
  ResultResponse,
} from '../../src/domain/agent-protocol.ts';

export interface LightAgent {
  uuid: string;
  secret: string;
  /** A signed POST; throws with the server's answer on a refusal. */
  call<T>(path: string, body: unknown): Promise<T>;
  poll(wait?: number): Promise<Assignment[]>;
  progress(assignmentId: number, progress: number): Promise<ProgressResponse>;
  /** Posts one part (a whole result when `parts` is 1). */
  result(assignmentId: number, part: ResultPart): Promise<ResultResponse>;
}

export interface LightAgentOptions {
  /** Told about every request sent (the fleet benchmark counts them). */
  onRequest?: () => void;
}

/** Host facts of a made-up Debian host. */
export function lightHostFacts(hostname: string, ip: string): HostFacts {
  return {
    hostname,
    ips: [ip],
    macs: [],
    os: 'linux',
    osName: 'Debian GNU/Linux 12 (bookworm)',
    osVersion: '12',
    kernel: '6.1.0',
    arch: 'x86_64',
    cores: 2,
    memMb: 4096,
    cpuInfo: 'light agent',
    agentVersion: '0.1.0',
  };
}

/** Enrolls with `token` at `baseUrl` (`http://127.0.0.1:port`). */
export async function enrollLightAgent(
  baseUrl: string,
  token: string,
  host: HostFacts,
  options: LightAgentOptions = {},
): Promise<LightAgent> {
  const enrolled = await fetch(`${baseUrl}/agent/v1/enroll`, {
    method: 'POST',
    body: JSON.stringify({ token, host }),
    headers: { 'content-type': 'application/json' },
  });
  if (enrolled.status !== 201) throw new Error(`enroll: ${enrolled.status} ${await enrolled.text()}`);
  const { uuid, secret } = (await enrolled.json()) as EnrollResponse;

  async function call<T>(path: string, body: unknown): Promise<T> {
    const payload = Buffer.from(JSON.stringify(body));
    const headers = signAgentRequest(uuid, secret, { method: 'POST', target: path, body: payload });
    const response = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      body: payload,
      headers: { ...headers, 'content-type': 'application/json' },
    });
    options.onRequest?.();
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  return {
    uuid,
    secret,
    call,
    poll: async (wait = 0) =>
      (await call<{ assignments: Assignment[] }>('/agent/v1/poll', { wait })).assignments,
    progress: (id, progress) => call(`/agent/v1/assignments/${id}/progress`, { progress }),
    result: (id, part) => call(`/agent/v1/assignments/${id}/result`, part),
  };
}
