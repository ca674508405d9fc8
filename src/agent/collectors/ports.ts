/**
 * Listening sockets, from `/proc/net/{tcp,tcp6,udp,udp6}` (the reading
 * process's network namespace), and the process holding each one, found by
 * the socket's inode among the `/proc/<pid>/fd/*` links.
 */
import { readdir, readFile, readlink } from 'node:fs/promises';
import { SocketAddress } from 'node:net';
import { endianness } from 'node:os';
import { join } from 'node:path';
import type { ListeningPort } from '../../domain/assets.ts';
import { isGoneOrDenied, mapConcurrent, readOptionalText } from './files.ts';
import { listPids } from './processes.ts';

type Protocol = ListeningPort['protocol'];

/** A listening socket as its table lists it. */
export interface SocketEntry {
  bindIp: string;
  port: number;
  inode: number;
}

const PROTOCOLS: readonly Protocol[] = ['tcp', 'tcp6', 'udp', 'udp6'];
const TCP_LISTEN = '0A';
const CONCURRENCY = 16;
/** The kernel prints each 32-bit word of an address as a host-order integer. */
const HOST_IS_LITTLE_ENDIAN = endianness() === 'LE';

/**
 * Reads the sockets of `procRoot` that accept connections or datagrams: TCP
 * in LISTEN and UDP bound but not connected. A socket shared by several
 * processes (a pre-forking server) is shown with the lowest pid.
 */
export async function collectPorts(procRoot: string): Promise<ListeningPort[]> {
  const tables = await Promise.all(
    PROTOCOLS.map(async (protocol) => {
      // A table is missing when the kernel has no IPv6.
      const text = await readOptionalText(join(procRoot, 'net', protocol));
      return parseSocketTable(text ?? '', protocol).map((entry) => ({ protocol, ...entry }));
    }),
  );
  const sockets = tables.flat();
  const owners = await findSocketOwners(procRoot, new Set(sockets.map((socket) => socket.inode)));
  const names = new Map<number, string>();
  await mapConcurrent([...new Set(owners.values())], CONCURRENCY, async (pid) => {
    names.set(pid, await readProcessName(procRoot, pid));
  });

  const ports: ListeningPort[] = [];
  const seen = new Set<string>();
  for (const { protocol, bindIp, port, inode } of sockets) {
    const pid = owners.get(inode) ?? 0;
    // SO_REUSEPORT gives one entry per socket: one line per holder is enough.
    const key = `${protocol} ${bindIp} ${port} ${pid}`;
    if (seen.has(key)) continue;
    seen.add(key);
    ports.push({ protocol, bindIp, port, pid, processName: names.get(pid) ?? '' });
  }
  return ports.sort(
    (a, b) =>
      PROTOCOLS.indexOf(a.protocol) - PROTOCOLS.indexOf(b.protocol) ||
      a.port - b.port ||
      a.bindIp.localeCompare(b.bindIp) ||
      a.pid - b.pid,
  );
}

/**
 * Parses one `/proc/net/{tcp,udp}[6]` table into its listening entries.
 * Columns: `sl local_address rem_address st … uid timeout inode …`, addresses
 * as `HEX:PORT`.
 */
export function parseSocketTable(text: string, protocol: Protocol): SocketEntry[] {
  const entries: SocketEntry[] = [];
  const udp = protocol === 'udp' || protocol === 'udp6';
  for (const line of text.split('\n').slice(1)) {
    const [, local, remote, state, , , , , , inode] = line.trim().split(/\s+/);
    if (local === undefined || remote === undefined || inode === undefined) continue;
    const listening = udp ? /^0+:0000$/.test(remote) : state === TCP_LISTEN;
    if (!listening) continue;
    const [address = '', portHex = ''] = local.split(':');
    const port = parseInt(portHex, 16);
    if (
      !/^[0-9A-Fa-f]{8}([0-9A-Fa-f]{24})?$/.test(address) ||
      !Number.isInteger(port) ||
      !/^\d+$/.test(inode)
    ) {
      continue;
    }
    entries.push({ bindIp: decodeAddress(address), port, inode: Number(inode) });
  }
  return entries;
}

/**
 * Decodes a kernel socket address: 8 hex digits for IPv4, 32 for IPv6, each
 * 32-bit word printed as a host-order integer (byte-reversed on x86 and arm).
 */
export function decodeAddress(hex: string, littleEndian = HOST_IS_LITTLE_ENDIAN): string {
  const bytes: number[] = [];
  for (let word = 0; word < hex.length; word += 8) {
    const wordBytes = [0, 2, 4, 6].map((at) => parseInt(hex.slice(word + at, word + at + 2), 16));
    bytes.push(...(littleEndian ? wordBytes.reverse() : wordBytes));
  }
  if (bytes.length === 4) return bytes.join('.');
  const groups: string[] = [];
  for (let at = 0; at < 16; at += 2)
    groups.push((((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0)).toString(16));
  // The canonical text (RFC 5952: `::` for the longest zero run, `::ffff:1.2.3.4` for mapped IPv4).
  return new SocketAddress({ address: groups.join(':'), family: 'ipv6' }).address;
}

/** Maps each wanted socket inode to the lowest pid holding it. */
async function findSocketOwners(procRoot: string, inodes: ReadonlySet<number>): Promise<Map<number, number>> {
  const owners = new Map<number, number>();
  if (inodes.size === 0) return owners;
  const pids = await listPids(procRoot);
  await mapConcurrent(pids, CONCURRENCY, async (pid) => {
    const fdDir = join(procRoot, String(pid), 'fd');
    let fds: string[];
    try {
      fds = await readdir(fdDir);
    } catch (error) {
      // Gone, or another user's process when the agent is not root.
      if (isGoneOrDenied(error)) return;
      throw error;
    }
    // A descriptor closed since the listing reads as no link.
    const links = await Promise.all(fds.map((fd) => readlink(join(fdDir, fd)).catch(() => '')));
    for (const link of links) {
      if (!link.startsWith('socket:[')) continue;
      const inode = Number(link.slice(8, -1));
      if (!inodes.has(inode)) continue;
      const owner = owners.get(inode);
      if (owner === undefined || pid < owner) owners.set(inode, pid);
    }
  });
  return owners;
}

async function readProcessName(procRoot: string, pid: number): Promise<string> {
  try {
    return (await readFile(join(procRoot, String(pid), 'comm'), 'utf8')).replace(/\n$/, '');
  } catch (error) {
    if (isGoneOrDenied(error)) return '';
    throw error;
  }
}
