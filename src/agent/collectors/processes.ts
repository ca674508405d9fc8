/**
 * Running processes, from `/proc/<pid>/{stat,status,comm,cmdline,exe}`. A
 * process can exit between listing /proc and reading its files: it is then
 * left out, as are processes whose files we may not read (`hidepid`).
 */
import { open, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunningProcess } from '../../domain/assets.ts';
import { clip, isGoneOrDenied, mapConcurrent } from './files.ts';
import { readPasswd } from './users.ts';

/**
 * USER_HZ, the unit of the times in `/proc/<pid>/stat`. The kernel fixes it
 * at 100 on every architecture the agent runs on (`getconf CLK_TCK`).
 */
const CLOCK_TICKS_PER_SECOND = 100;
const CMDLINE_MAX = 1024;
/** Enough bytes for CMDLINE_MAX UTF-16 units however the text is encoded. */
const CMDLINE_READ_BYTES = CMDLINE_MAX * 4;
const PATH_MAX = 4096;
const CONCURRENCY = 32;

export interface ProcessesOptions {
  /** Where `/proc` is mounted. */
  procRoot: string;
  /** The filesystem root whose `etc/passwd` names the users. */
  root: string;
}

/** The numeric entries of `procRoot`, in ascending order. */
export async function listPids(procRoot: string): Promise<number[]> {
  const names = await readdir(procRoot);
  return names
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .sort((a, b) => a - b);
}

/** Reads every process of `procRoot` (kernel threads included, with an empty path and command line). */
export async function collectProcesses(options: ProcessesOptions): Promise<RunningProcess[]> {
  const [pids, bootTime, users] = await Promise.all([
    listPids(options.procRoot),
    readBootTime(options.procRoot),
    readPasswd(options.root),
  ]);
  const userNames = new Map<number, string>();
  for (const user of users) if (!userNames.has(user.uid)) userNames.set(user.uid, user.name);

  const processes = await mapConcurrent(pids, CONCURRENCY, (pid) =>
    readProcess(join(options.procRoot, String(pid)), pid, bootTime, userNames),
  );
  return processes.filter((process) => process !== undefined);
}

/** `btime` of `/proc/stat`: the boot time in epoch seconds. */
async function readBootTime(procRoot: string): Promise<number> {
  const stat = await readFile(join(procRoot, 'stat'), 'utf8');
  const match = /^btime (\d+)$/m.exec(stat);
  if (match === null) throw new Error(`${join(procRoot, 'stat')} has no btime line`);
  return Number(match[1]);
}

async function readProcess(
  dir: string,
  pid: number,
  bootTime: number,
  userNames: ReadonlyMap<number, string>,
): Promise<RunningProcess | undefined> {
  try {
    const [stat, status, comm, cmdline, path] = await Promise.all([
      readFile(join(dir, 'stat'), 'utf8'),
      readFile(join(dir, 'status'), 'utf8'),
      readFile(join(dir, 'comm'), 'utf8'),
      readCmdline(join(dir, 'cmdline')),
      readExe(join(dir, 'exe')),
    ]);
    const fields = parseStat(stat);
    if (fields === undefined) return undefined;
    const uid = /^Uid:\s*(\d+)/m.exec(status)?.[1];
    return {
      pid,
      ppid: fields.ppid,
      name: comm.endsWith('\n') ? comm.slice(0, -1) : comm,
      path: clip(path, PATH_MAX),
      cmdline,
      user: uid === undefined ? '' : (userNames.get(Number(uid)) ?? uid),
      startedAt: Math.round(bootTime * 1000 + (fields.startTicks * 1000) / CLOCK_TICKS_PER_SECOND),
      state: fields.state,
    };
  } catch (error) {
    if (isGoneOrDenied(error)) return undefined;
    throw error;
  }
}

/**
 * `/proc/<pid>/stat`: `pid (comm) state ppid … starttime …`. The command name
 * may hold spaces and parentheses, so the fields are counted from the last `)`.
 */
export function parseStat(stat: string): { state: string; ppid: number; startTicks: number } | undefined {
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = stat.slice(close + 2).split(' ');
  // fields[0] is field 3 of proc(5): state; ppid is field 4, starttime field 22.
  const state = fields[0];
  const ppid = Number(fields[1]);
  const startTicks = Number(fields[19]);
  if (!state || !Number.isSafeInteger(ppid) || !Number.isSafeInteger(startTicks)) return undefined;
  return { state, ppid, startTicks };
}

/** The first bytes of the command line (a Java class path runs to megabytes), NULs as spaces. */
async function readCmdline(path: string): Promise<string> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(CMDLINE_READ_BYTES);
    const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
    let end = bytesRead;
    while (end > 0 && buffer[end - 1] === 0) end--;
    return clip(buffer.toString('utf8', 0, end).replaceAll('\0', ' '), CMDLINE_MAX);
  } finally {
    await file.close();
  }
}

/** The executable's path; empty for kernel threads, zombies and other users' processes when not root. */
async function readExe(path: string): Promise<string> {
  try {
    return await readlink(path);
  } catch (error) {
    if (isGoneOrDenied(error)) return '';
    throw error;
  }
}
