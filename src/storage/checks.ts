/**
 * What both store backends check the same way: which keys are valid, that
 * what was stored is what the caller announced, and what "missing" means.
 */
import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import type { PutInfo } from './artifact-store.ts';

/** open() on a key that holds no object. */
export class ObjectNotFoundError extends Error {
  constructor(key: string, options?: { cause?: unknown }) {
    super(`No object is stored under "${key}".`, options);
    this.name = 'ObjectNotFoundError';
  }
}

/**
 * Throws unless key is a relative path of plain segments: no empty, `.` or
 * `..` segment, no backslash or NUL, not absolute, at most 1024 characters.
 * Both backends check it, so a key valid on one is valid on the other and
 * never escapes the local directory.
 */
export function checkKey(key: string): void {
  const bad =
    key.length === 0 ||
    key.length > 1024 ||
    /[\\\0]/.test(key) ||
    key.split('/').some((segment) => segment === '' || segment === '.' || segment === '..');
  if (bad) throw new Error(`"${key}" is not a valid artifact key.`);
}

/** A pass-through stream that counts and hashes what flows through it. */
export function makeDigestStream(): Transform & { digest(): { size: number; sha256: string } } {
  const hash = createHash('sha256');
  let size = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  return Object.assign(stream, { digest: () => ({ size, sha256: hash.digest('hex') }) });
}

/** Throws when what was stored differs from what the caller announced. */
export function checkStored(key: string, info: PutInfo, stored: { size: number; sha256: string }): void {
  if (stored.size !== info.size) {
    throw new Error(`Storing "${key}" wrote ${stored.size} bytes, not the ${info.size} announced.`);
  }
  if (stored.sha256 !== info.sha256.toLowerCase()) {
    throw new Error(`Storing "${key}" wrote sha256 ${stored.sha256}, not the ${info.sha256} announced.`);
  }
}
