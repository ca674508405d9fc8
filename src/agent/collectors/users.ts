/**
 * Local users: `etc/passwd`, their groups from `etc/group`, and their last
 * login from `var/log/lastlog` when the system keeps one.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { LocalUser } from '../../domain/assets.ts';
import { isGone, readOptionalText } from './files.ts';

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

/** Shells that refuse a login, matched on the end of the path (`/usr/sbin/nologin`, `/bin/false`, …). */
const NO_LOGIN_SHELLS = ['nologin', 'false', 'sync', 'shutdown', 'halt'];

/**
 * lastlog(8): one record per uid at offset uid × record size —
 * `ll_time; char ll_line[32]; char ll_host[256]`, little-endian. `ll_time`
 * is 32 bits (292-byte records) on x86-64, where glibc sets
 * `__WORDSIZE_TIME64_COMPAT32`, and on 32-bit systems; it is a 64-bit
 * time_t on arm64 (296-byte records).
 * The file is sparse: a large uid makes it look huge, so it is read a
 * record at a time.
 */
export interface LastlogLayout {
  recordSize: number;
  timeBytes: 4 | 8;
}
/** This machine's layout. */
export const LASTLOG_LAYOUT: LastlogLayout =
  process.arch === 'arm64' ? { recordSize: 296, timeBytes: 8 } : { recordSize: 292, timeBytes: 4 };
const LASTLOG_LINE_BYTES = 32;

/** Parses `etc/passwd` lines (`name:password:uid:gid:gecos:home:shell`); NIS `+`/`-` lines are skipped. */
export function parsePasswd(text: string): PasswdEntry[] {
  const entries: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#') || line.startsWith('+') || line.startsWith('-')) continue;
    const [name = '', , uid = '', gid = '', , home = '', shell = ''] = line.replace(/\r$/, '').split(':');
    if (name === '' || !/^\d+$/.test(uid) || !/^\d+$/.test(gid)) continue;
    entries.push({ name, uid: Number(uid), gid: Number(gid), home, shell });
  }
  return entries;
}

/** Parses `etc/group` lines (`name:password:gid:member,member`). */
export function parseGroup(text: string): GroupEntry[] {
  const entries: GroupEntry[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#') || line.startsWith('+') || line.startsWith('-')) continue;
    const [name = '', , gid = '', members = ''] = line.replace(/\r$/, '').split(':');
    if (name === '' || !/^\d+$/.test(gid)) continue;
    entries.push({
      name,
      gid: Number(gid),
      members: members
        .split(',')
        .map((member) => member.trim())
        .filter((member) => member !== ''),
    });
  }
  return entries;
}

/** The entries of `<root>/etc/passwd`; none when the file does not exist. */
export async function readPasswd(root: string): Promise<PasswdEntry[]> {
  return parsePasswd((await readOptionalText(join(root, 'etc/passwd'))) ?? '');
}

/** Whether a login shell lets the user in: not one of the refusing shells (an empty one is /bin/sh, passwd(5)). */
export function canLogIn(shell: string): boolean {
  return !NO_LOGIN_SHELLS.some((refusing) => shell.endsWith(refusing));
}

/** Reads the local users of the system under `root`, in `etc/passwd` order. */
export async function collectUsers(root: string): Promise<LocalUser[]> {
  const [passwd, groupText] = await Promise.all([
    readPasswd(root),
    readOptionalText(join(root, 'etc/group')),
  ]);
  const groups = parseGroup(groupText ?? '');
  const groupNames = new Map<number, string>();
  const memberships = new Map<string, string[]>();
  for (const group of groups) {
    if (!groupNames.has(group.gid)) groupNames.set(group.gid, group.name);
    for (const member of group.members) {
      const list = memberships.get(member) ?? [];
      if (!list.includes(group.name)) list.push(group.name);
      memberships.set(member, list);
    }
  }

  // A name listed twice is the first one, as getpwnam(3) finds it.
  const byName = new Map<string, PasswdEntry>();
  for (const entry of passwd) if (!byName.has(entry.name)) byName.set(entry.name, entry);
  const entries = [...byName.values()];
  const logins = await readLastLogins(
    join(root, 'var/log/lastlog'),
    entries.map((entry) => entry.uid),
  );
  return entries.map((entry) => {
    const primary = groupNames.get(entry.gid) ?? String(entry.gid);
    const supplementary = (memberships.get(entry.name) ?? []).filter((name) => name !== primary);
    const user: LocalUser = {
      name: entry.name,
      uid: entry.uid,
      gid: entry.gid,
      home: entry.home,
      shell: entry.shell,
      groups: [primary, ...supplementary],
      isRoot: entry.uid === 0,
      canLogin: canLogIn(entry.shell),
    };
    const login = logins.get(entry.uid);
    if (login !== undefined) {
      user.lastLoginAt = login.at;
      // The remote host as sshd or login wrote it: an address unless UseDNS resolved a name; empty on a console.
      if (login.host !== '') user.lastLoginIp = login.host;
    }
    return user;
  });
}

/**
 * The last login of each uid that has one, from the lastlog file at `path`
 * (none when it does not exist). `layout` defaults to this machine's.
 */
export async function readLastLogins(
  path: string,
  uids: readonly number[],
  layout: LastlogLayout = LASTLOG_LAYOUT,
): Promise<Map<number, { at: number; host: string }>> {
  const logins = new Map<number, { at: number; host: string }>();
  let file: FileHandle;
  try {
    file = await open(path, 'r');
  } catch (error) {
    if (isGone(error)) return logins;
    throw error;
  }
  try {
    const { size } = await file.stat();
    const record = Buffer.alloc(layout.recordSize);
    const hostStart = layout.timeBytes + LASTLOG_LINE_BYTES;
    for (const uid of new Set(uids)) {
      const offset = uid * layout.recordSize;
      if (offset + layout.recordSize > size) continue;
      const { bytesRead } = await file.read(record, 0, layout.recordSize, offset);
      if (bytesRead < layout.recordSize) continue;
      // Read unsigned: no login predates 1970, and a 32-bit time keeps working after 2038.
      const seconds = layout.timeBytes === 4 ? record.readUInt32LE(0) : Number(record.readBigUInt64LE(0));
      if (seconds === 0 || !Number.isSafeInteger(seconds * 1000)) continue;
      logins.set(uid, { at: seconds * 1000, host: cString(record, hostStart, layout.recordSize) });
    }
  } finally {
    await file.close();
  }
  return logins;
}

function cString(buffer: Buffer, start: number, end: number): string {
  const nul = buffer.indexOf(0, start);
  return buffer.toString('utf8', start, nul < 0 || nul > end ? end : nul);
}
