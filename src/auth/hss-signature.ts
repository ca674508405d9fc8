/**
 * Huawei Cloud AK/SK request signatures (`SDK-HMAC-SHA256`) as the HSS dialect
 * receives them (spec hss-v5.md §3.2).
 *
 * This file only reads a request and recomputes its signature. The caller
 * (hss-authenticate.ts) checks the ±15-minute window and looks up the key.
 */
import { createHash, createHmac } from 'node:crypto';
import { ParapetError } from '../domain/errors.ts';
import { percentEncode } from './percent-encode.ts';
import { quote, safeEqual } from './safe-text.ts';

export const HSS_SIGNATURE_ALGORITHM = 'SDK-HMAC-SHA256';

export interface HssRequestParts {
  method: string;
  /** The request target's path as sent on the wire, without the query (still percent-encoded). */
  rawPath: string;
  /** The raw query string after '?', '' when none. */
  rawQuery: string;
  /** Header names in lower case (Node's request.headers); repeated headers already joined with ','. */
  headers: Record<string, string | undefined>;
  body: Buffer;
}

export interface HssSignedRequest {
  accessKeyId: string;
  /** Lower-case names in the order the client listed (and hashed) them. */
  signedHeaders: string[];
  /** X-Sdk-Date as sent and as epoch ms. */
  sdkDate: string;
  sdkDateMs: number;
  canonicalRequest: string;
  stringToSign: string;
  /** Recomputes the signature with the secret; true when it matches (constant-time compare). */
  verify(secretAccessKey: string): boolean;
}

const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
const AUTHORIZATION_FORM = `"${HSS_SIGNATURE_ALGORITHM} Access=…, SignedHeaders=…, Signature=…"`;
/** Spaces or tabs may follow the scheme and surround the commas (the SDKs write " " and ", "); the rest is fixed. */
const AUTHORIZATION =
  /^SDK-HMAC-SHA256[ \t]+Access=([^\s,]*)[ \t]*,[ \t]*SignedHeaders=([^\s,]*)[ \t]*,[ \t]*Signature=([^\s,]*)$/;
const SIGNATURE = /^[0-9a-f]{64}$/;
/** An HTTP token in lower case: Node hands the server lower-case names, so only those can be looked up. */
const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
const SDK_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/**
 * Reads an `Authorization: SDK-HMAC-SHA256 …` request and rebuilds its string
 * to sign; whether the signature matches is up to `verify`.
 *
 * Throws ParapetError IncompleteSignature when the Authorization header is
 * missing or malformed, X-Sdk-Date is missing or not signed, a signed header
 * is absent, X-Sdk-Content-Sha256 is sent unsigned, or the path or query is
 * not valid percent-encoded UTF-8; InvalidTimeStamp.Format for a malformed
 * X-Sdk-Date; SignatureDoesNotMatch when X-Sdk-Content-Sha256 is a hash that
 * is not the body's.
 */
export function parseHssRequest(parts: HssRequestParts): HssSignedRequest {
  const { accessKeyId, signedHeaders, signature } = parseAuthorization(parts.headers.authorization);
  const { sdkDate, sdkDateMs, canonicalRequest, stringToSign } = buildStringToSign(parts, signedHeaders);
  return {
    accessKeyId,
    signedHeaders,
    sdkDate,
    sdkDateMs,
    canonicalRequest,
    stringToSign,
    verify: (secretAccessKey) => safeEqual(hmacHex(secretAccessKey, stringToSign), signature),
  };
}

/**
 * Computes the Authorization header value a client would send — for tests and
 * tools. The request must already carry X-Sdk-Date (see formatSdkDate) and
 * every header named in `signedHeaders`; it throws the ParapetErrors
 * parseHssRequest would.
 */
export function signHssRequest(
  parts: HssRequestParts,
  accessKeyId: string,
  secretAccessKey: string,
  signedHeaders: string[],
): string {
  checkSignedHeaderNames(signedHeaders);
  const { stringToSign } = buildStringToSign(parts, signedHeaders);
  const signature = hmacHex(secretAccessKey, stringToSign);
  return `${HSS_SIGNATURE_ALGORITHM} Access=${accessKeyId}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`;
}

/** X-Sdk-Date text for a time, e.g. `20261122T071915Z` (UTC; milliseconds are dropped). */
export function formatSdkDate(epochMs: number): string {
  return new Date(epochMs)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

interface HssAuthorization {
  accessKeyId: string;
  signedHeaders: string[];
  signature: string;
}

function parseAuthorization(header: string | undefined): HssAuthorization {
  if (!header) incomplete('the request has no Authorization header.');
  const match = AUTHORIZATION.exec(header);
  if (!match) {
    const scheme = header.split(/[ \t]/, 1)[0] ?? '';
    if (scheme !== HSS_SIGNATURE_ALGORITHM) {
      incomplete(`the Authorization scheme ${quote(scheme)} is not ${HSS_SIGNATURE_ALGORITHM}.`);
    }
    incomplete(`the Authorization header is not ${AUTHORIZATION_FORM} (three parts in this order).`);
  }
  const [, accessKeyId = '', signedHeaderList = '', signature = ''] = match;
  if (accessKeyId === '') incomplete('the Authorization header has an empty Access (access key ID).');
  const signedHeaders = signedHeaderList.split(';');
  checkSignedHeaderNames(signedHeaders);
  if (!SIGNATURE.test(signature)) {
    incomplete('the Signature in the Authorization header is not 64 lower-case hex digits.');
  }
  return { accessKeyId, signedHeaders, signature };
}

/**
 * Names must be lower-case header names without repeats. Their order is kept:
 * it is the order the client hashed the header lines in (the SDKs sort them).
 */
function checkSignedHeaderNames(names: string[]): void {
  names.forEach((name, i) => {
    if (!HEADER_NAME.test(name)) {
      incomplete(`SignedHeaders names ${quote(name)}, which is not a lower-case header name.`);
    }
    if (names.indexOf(name) !== i) incomplete(`SignedHeaders names ${quote(name)} twice.`);
  });
}

interface StringToSign {
  sdkDate: string;
  sdkDateMs: number;
  canonicalRequest: string;
  stringToSign: string;
}

function buildStringToSign(parts: HssRequestParts, signedHeaders: string[]): StringToSign {
  const { headers } = parts;
  const sdkDate = header(headers, 'x-sdk-date');
  if (sdkDate === undefined) incomplete('the X-Sdk-Date header is missing.');
  if (!signedHeaders.includes('x-sdk-date')) incomplete('SignedHeaders must include x-sdk-date.');
  const absent = signedHeaders.filter((name) => header(headers, name) === undefined);
  if (absent.length > 0) {
    const list = absent.join(', ');
    incomplete(`the signed header${absent.length > 1 ? `s ${list} are` : ` ${list} is`} not in the request.`);
  }
  const sdkDateMs = parseSdkDate(sdkDate);

  const canonicalRequest = [
    parts.method.toUpperCase(),
    canonicalUri(parts.rawPath),
    canonicalQuery(parts.rawQuery),
    signedHeaders.map((name) => `${name}:${(header(headers, name) ?? '').trim()}\n`).join(''),
    signedHeaders.join(';'),
    payloadHash(parts, signedHeaders),
  ].join('\n');
  const stringToSign = `${HSS_SIGNATURE_ALGORITHM}\n${sdkDate}\n${sha256Hex(canonicalRequest)}`;
  return { sdkDate, sdkDateMs, canonicalRequest, stringToSign };
}

/**
 * Each '/'-separated segment decoded, then strictly re-encoded, with a '/' at
 * the end. Decoding first is what Go and Python sign (they encode the unencoded
 * path); the Node core encodes the already-encoded path again, which agrees
 * only for paths made of unreserved characters (spec §3.2 encoding caveats).
 */
function canonicalUri(rawPath: string): string {
  const path = rawPath
    .split('/')
    .map((segment) => percentEncode(decodeComponent(segment, 'path')))
    .join('/');
  return path.endsWith('/') ? path : `${path}/`;
}

/**
 * `key=value` pairs, decoded and strictly re-encoded, sorted by key then by
 * value and joined with '&'. A `+` is a literal plus: the SDKs write a space
 * as `%20`. A key without '=' has an empty value; empty pairs are skipped.
 *
 * The SDKs sort the decoded keys and values, before encoding them — Go and
 * Python in code-point order (UTF-8 byte order), which is what is done here.
 * Sorting the encoded text would differ: `%3A` (':') sorts before '.', and
 * `%C3%A4` ('ä') before 'a'. Node's default sort compares UTF-16 code units,
 * which differs from code-point order only between a character above U+FFFF
 * and one in U+E000–U+FFFF.
 */
function canonicalQuery(rawQuery: string): string {
  const pairs = rawQuery
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const equals = part.indexOf('=');
      const key = decodeComponent(equals === -1 ? part : part.slice(0, equals), 'query string');
      const value = equals === -1 ? '' : decodeComponent(part.slice(equals + 1), 'query string');
      return { key, value };
    });
  return pairs
    .sort((a, b) => compareCodePoints(a.key, b.key) || compareCodePoints(a.value, b.value))
    .map(({ key, value }) => `${percentEncode(key)}=${percentEncode(value)}`)
    .join('&');
}

/**
 * The hex SHA-256 of the raw body, or the literal X-Sdk-Content-Sha256 value
 * when that header is sent (the Node core sends UNSIGNED-PAYLOAD for bodies
 * that are not JSON). The header must be signed, and a hash in it must be the
 * body's: otherwise a captured request could be replayed with another body.
 */
function payloadHash(parts: HssRequestParts, signedHeaders: string[]): string {
  const bodyHash = sha256Hex(parts.body);
  const declared = header(parts.headers, 'x-sdk-content-sha256');
  if (declared === undefined) return bodyHash;
  if (!signedHeaders.includes('x-sdk-content-sha256')) {
    incomplete('SignedHeaders must include x-sdk-content-sha256 when the request sends that header.');
  }
  if (declared !== UNSIGNED_PAYLOAD && declared.toLowerCase() !== bodyHash) {
    throw new ParapetError(
      'SignatureDoesNotMatch',
      `Incorrect IAM authentication information: X-Sdk-Content-Sha256 ${quote(declared)} is neither ${UNSIGNED_PAYLOAD} nor the SHA-256 of the request body (${bodyHash}).`,
    );
  }
  return declared;
}

/** `yyyyMMddTHHmmssZ` in UTC, a real calendar time (the round trip refuses 0230 or 2460). */
function parseSdkDate(text: string): number {
  const ms = SDK_DATE.test(text) ? Date.parse(text.replace(SDK_DATE, '$1-$2-$3T$4:$5:$6Z')) : NaN;
  if (Number.isNaN(ms) || formatSdkDate(ms) !== text) {
    throw new ParapetError(
      'InvalidTimeStamp.Format',
      `Incorrect IAM authentication information: X-Sdk-Date ${quote(text)} is not a UTC time written yyyyMMddTHHmmssZ (e.g. 20261122T071915Z).`,
    );
  }
  return ms;
}

/** decodeURIComponent: `+` stays a plus. */
function decodeComponent(text: string, where: string): string {
  try {
    const decoded = decodeURIComponent(text);
    // A raw lone surrogate survives decoding but could not be encoded for the canonical request.
    if (decoded.isWellFormed()) return decoded;
  } catch {
    // A malformed escape or bytes that are not UTF-8: refused below.
  }
  incomplete(
    `the ${where} is not valid percent-encoded UTF-8 near ${quote(text)}, so it has no canonical form to sign.`,
  );
}

/** Own properties only, so a signed header named `constructor` is never found on Object.prototype. */
function header(headers: Record<string, string | undefined>, name: string): string | undefined {
  return Object.hasOwn(headers, name) ? headers[name] : undefined;
}

function compareCodePoints(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function incomplete(why: string): never {
  throw new ParapetError('IncompleteSignature', `Incorrect IAM authentication information: ${why}`);
}

function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmacHex(secret: string, data: string): string {
  return createHmac('sha256', secret).update(data).digest('hex');
}
