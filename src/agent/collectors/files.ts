/**
 * File reading shared by the collectors: optional files, the errors that mean
 * "this process or file is gone", bounded concurrency, and clipping texts to
 * the lengths the server accepts (`src/api/agent/messages.ts`).
 */
import { readFile } from 'node:fs/promises';

/** Errors that mean the file is not there (or a process exited while we read it). */
const GONE_CODES = new Set(['ENOENT', 'ENOTDIR', 'ESRCH']);
/** Errors that mean we may not look (hidepid, another user's fds when not root). */
const DENIED_CODES = new Set(['EACCES', 'EPERM']);

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/** The file or the process does not exist (any more). */
export function isGone(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && GONE_CODES.has(code);
}

/** The file or the process is gone, or we are not allowed to read it. */
export function isGoneOrDenied(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && (GONE_CODES.has(code) || DENIED_CODES.has(code));
}

/** Reads a UTF-8 file; undefined when it does not exist. Other errors are thrown. */
export async function readOptionalText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (isGone(error)) return undefined;
    throw error;
  }
}

/**
 * Maps `items` through `fn` with at most `limit` calls in flight, keeping the
 * order. /proc scans open a few files per process: unbounded, a host with
 * tens of thousands of processes would run out of file descriptors.
 */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Cuts `text` to at most `max` UTF-16 units without splitting a surrogate pair. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}
