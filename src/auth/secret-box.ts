/**
 * Access key secrets must be readable by the server (HMAC needs the secret) but
 * useless to whoever steals the database: they are sealed with AES-256-GCM
 * under a server key kept outside the database (PARAPET_SERVER_KEY, or
 * `<data-dir>/server-key`, created on first start with mode 0600). Every node
 * sharing a database must share that key.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const VERSION = 'v1';

export interface ServerKeySource {
  /** Base64 or hex of 32 bytes; wins over the file. */
  envValue: string | undefined;
  dataDir: string;
}

function decodeKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) {
    throw new Error('The server key must be 32 bytes, given as 64 hex characters or base64.');
  }
  return key;
}

export function loadServerKey(source: ServerKeySource): Buffer {
  if (source.envValue) return decodeKey(source.envValue);
  const file = join(source.dataDir, 'server-key');
  if (!existsSync(file)) {
    // 'wx' fails if another process created it first; then read theirs.
    try {
      writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return decodeKey(readFileSync(file, 'utf8'));
}

export function sealSecret(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [
    VERSION,
    iv.toString('base64'),
    cipher.getAuthTag().toString('base64'),
    body.toString('base64'),
  ].join('.');
}

export function openSecret(key: Buffer, sealed: string): string {
  const [version, iv, tag, body] = sealed.split('.');
  if (version !== VERSION || !iv || !tag || body === undefined) {
    throw new Error('sealed secret has an unknown format');
  }
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
}
