/**
 * The two text codecs of Alibaba Cloud RPC signatures: the strict
 * percent-encoding that goes into a canonical string, and the lenient
 * `application/x-www-form-urlencoded` decoding of what clients put on the wire.
 */
import { ParapetError } from '../domain/errors.ts';

/**
 * RFC 3986 encoding as Alibaba Cloud signs it: UTF-8 bytes, `A–Z a–z 0–9 - _ . ~`
 * kept, everything else `%XY` in upper-case hex (space is `%20`, `*` is `%2A`).
 * encodeURIComponent leaves `! ' ( ) *` alone, so those are escaped after it.
 */
export function percentEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * Splits a query string or form body into decoded [name, value] pairs, in wire
 * order. `+` is a space (form bodies, and Go SDK query strings, write spaces that
 * way; a literal plus always arrives as `%2B`). A pair without `=` has an empty
 * value. Malformed escapes or bytes that are not UTF-8 are InvalidParameter.
 */
export function decodeFormPairs(text: string, where: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const part of text.split('&')) {
    if (part === '') continue;
    const equals = part.indexOf('=');
    const name = equals === -1 ? part : part.slice(0, equals);
    const value = equals === -1 ? '' : part.slice(equals + 1);
    pairs.push([decodeComponent(name, where), decodeComponent(value, where)]);
  }
  return pairs;
}

function decodeComponent(text: string, where: string): string {
  try {
    const decoded = decodeURIComponent(text.replaceAll('+', ' '));
    // A raw lone surrogate survives decoding but could not be re-encoded for the canonical string.
    if (decoded.isWellFormed()) return decoded;
  } catch {
    // A malformed escape or bytes that are not UTF-8: refused below.
  }
  throw new ParapetError(
    'InvalidParameter',
    `The ${where} is not valid percent-encoded UTF-8 near ${JSON.stringify(text.slice(0, 64))}.`,
  );
}
