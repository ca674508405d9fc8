/**
 * What the agent tells the server about its host when it enrolls and when
 * it refreshes the host record.
 */
import os from 'node:os';
import { join } from 'node:path';
import type { HostFacts } from '../domain/agent-protocol.ts';
import { clip, readOptionalText } from './collectors/files.ts';

/** os-release(5): `/etc/os-release`, else the vendor's copy. */
const OS_RELEASE_FILES = ['etc/os-release', 'usr/lib/os-release'];
/** The server refuses longer lists (`checkHostFacts`). */
const MAX_ADDRESSES = 64;

export interface HostFactsOptions {
  /** Overrides the system's host name (`--name`). */
  name?: string;
  agentVersion: string;
}

/** Collects the host's name, addresses, OS, kernel and hardware. */
export async function collectHostFacts(options: HostFactsOptions): Promise<HostFacts> {
  const release = await readOsRelease('/');
  const cpus = os.cpus();
  const { ips, macs } = listAddresses(os.networkInterfaces());
  return {
    hostname: clip(options.name ?? os.hostname(), 255),
    ips,
    macs,
    os: os.platform(),
    osName: clip(release.get('PRETTY_NAME') ?? release.get('NAME') ?? '', 255),
    osVersion: clip(release.get('VERSION_ID') ?? '', 64),
    kernel: clip(os.release(), 255),
    // The kernel's machine (`uname -m`: x86_64, aarch64), not the architecture node was built for.
    arch: clip(os.machine(), 32),
    cores: cpus.length > 0 ? cpus.length : os.availableParallelism(),
    memMb: Math.round(os.totalmem() / (1024 * 1024)),
    cpuInfo: clip(cpus[0]?.model.trim() ?? '', 255),
    agentVersion: options.agentVersion,
  };
}

/** The variables of the first os-release file under `root`; empty when there is none. */
export async function readOsRelease(root: string): Promise<Map<string, string>> {
  for (const file of OS_RELEASE_FILES) {
    const text = await readOptionalText(join(root, file));
    if (text !== undefined) return parseOsRelease(text);
  }
  return new Map();
}

/** Parses os-release(5) `KEY=value` lines; values may be quoted, with `\` escapes inside double quotes. */
export function parseOsRelease(text: string): Map<string, string> {
  const variables = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Z0-9_]+)=(.*?)\s*$/.exec(line);
    if (match === null) continue;
    const [, key = '', raw = ''] = match;
    let value = raw;
    if (raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"')) {
      value = raw.slice(1, -1).replace(/\\([\\$"`])/g, '$1');
    } else if (raw.length >= 2 && raw.startsWith("'") && raw.endsWith("'")) {
      value = raw.slice(1, -1);
    }
    variables.set(key, value);
  }
  return variables;
}

/**
 * Non-loopback IPv4 addresses first, then IPv6, and the MACs of the
 * interfaces that carry them. Link-local addresses are left out: every veth
 * of a container host has an fe80:: one, which says nothing about the host.
 */
export function listAddresses(interfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]>): {
  ips: string[];
  macs: string[];
} {
  const ipv4 = new Set<string>();
  const ipv6 = new Set<string>();
  const macs = new Set<string>();
  for (const entries of Object.values(interfaces)) {
    for (const entry of entries ?? []) {
      if (entry.internal || isLinkLocal(entry)) continue;
      (entry.family === 'IPv4' ? ipv4 : ipv6).add(entry.address);
      if (entry.mac !== '00:00:00:00:00:00') macs.add(entry.mac);
    }
  }
  return {
    ips: [...ipv4, ...ipv6].slice(0, MAX_ADDRESSES),
    macs: [...macs].slice(0, MAX_ADDRESSES),
  };
}

function isLinkLocal(entry: os.NetworkInterfaceInfo): boolean {
  return entry.family === 'IPv4' ? entry.address.startsWith('169.254.') : /^fe[89ab]/i.test(entry.address);
}
