/**
 * The agent's identity: `<data-dir>/agent.json` (mode 0600) with the server,
 * uuid and secret it got at enrollment. Enrollment happens once; while the
 * file exists the token is not needed (and not used).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EnrollResponse, HostFacts } from '../domain/agent-protocol.ts';
import type { AgentClient } from './client.ts';

export interface AgentIdentity {
  server: string;
  uuid: string;
  secret: string;
  pollWaitSeconds: number;
}

const fileOf = (dataDir: string) => join(dataDir, 'agent.json');

export async function loadIdentity(dataDir: string): Promise<AgentIdentity | undefined> {
  try {
    return JSON.parse(await readFile(fileOf(dataDir), 'utf8')) as AgentIdentity;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Exchanges the token for an identity and keeps it (written whole, then renamed into place). */
export async function enroll(
  client: AgentClient,
  dataDir: string,
  token: string,
  host: HostFacts,
): Promise<AgentIdentity> {
  const answer = (await client.call('POST', '/agent/v1/enroll', { token, host })) as EnrollResponse;
  const identity: AgentIdentity = { server: client.server, ...answer };
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const temporary = `${fileOf(dataDir)}.tmp`;
  await writeFile(temporary, `${JSON.stringify(identity, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, fileOf(dataDir));
  return identity;
}
