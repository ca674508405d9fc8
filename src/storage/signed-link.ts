/**
 * Download tokens: `<tenantId>.<artifactId>.<expiresAt>.<signature>`, the
 * signature being HMAC-SHA256 over the first three parts exactly as written,
 * base64url. The key is derived from the server key with HKDF, so it is the
 * same on every node and useless for anything else. Like an OSS signed URL,
 * the token is the whole credential: whoever holds the link may download until
 * it expires.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { ParapetError } from '../domain/errors.ts';

export interface LinkClaims {
  tenantId: number;
  artifactId: number;
  /** Epoch milliseconds. */
  expiresAt: number;
}

const TOKEN = /^([1-9]\d{0,15})\.([1-9]\d{0,15})\.([1-9]\d{0,15})\.([\w-]{43})$/;

function linkKey(serverKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', serverKey, Buffer.alloc(0), 'parapet download links', 32));
}

function sign(serverKey: Buffer, payload: string): string {
  return createHmac('sha256', linkKey(serverKey)).update(payload).digest('base64url');
}

export function signDownloadToken(serverKey: Buffer, claims: LinkClaims): string {
  const payload = `${claims.tenantId}.${claims.artifactId}.${claims.expiresAt}`;
  return `${payload}.${sign(serverKey, payload)}`;
}

/**
 * Returns the claims of a genuine, unexpired token. Throws
 * DownloadLink.Invalid for anything malformed or altered, then
 * DownloadLink.Expired for a genuine token past its time.
 */
export function verifyDownloadToken(serverKey: Buffer, token: string, now: number): LinkClaims {
  const match = TOKEN.exec(token);
  if (!match) throw new ParapetError('DownloadLink.Invalid');
  const [, tenantId = '', artifactId = '', expiresAt = '', signature = ''] = match;
  // Compare the text, not decoded bytes: base64url's last character carries
  // spare bits, and a token must have exactly one valid spelling.
  const expected = Buffer.from(sign(serverKey, `${tenantId}.${artifactId}.${expiresAt}`));
  if (!timingSafeEqual(expected, Buffer.from(signature))) throw new ParapetError('DownloadLink.Invalid');
  const claims = { tenantId: Number(tenantId), artifactId: Number(artifactId), expiresAt: Number(expiresAt) };
  if (now >= claims.expiresAt) throw new ParapetError('DownloadLink.Expired');
  return claims;
}
