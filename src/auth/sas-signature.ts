/**
 * Alibaba Cloud RPC request signatures as the Sas dialect receives them
 * (spec sas-2018-12-03 §2): V1 (`HMAC-SHA1`, signature among the parameters)
 * and V3 (`ACS3-HMAC-SHA256`, signature in the Authorization header).
 *
 * This file only reads a request and recomputes its signature. The caller
 * (sas-authenticate.ts) checks the time window, the key and the nonce.
 */
import { createHash, createHmac } from 'node:crypto';
import { invalidParameter, missingParameter, ParapetError } from '../domain/errors.ts';
import { decodeFormPairs, percentEncode } from './percent-encode.ts';
import { quote, safeEqual } from './safe-text.ts';

export interface SasHttpRequest {
  /** 'GET' | 'POST' */
  method: string;
  /** The URL's query string without '?', exactly as received (still percent-encoded). */
  rawQuery: string;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  /** Raw body bytes (may be empty). */
  body: Buffer;
}

export interface SasSignedRequest {
  signatureVersion: 'v1' | 'v3';
  accessKeyId: string;
  /** V1: Action parameter; V3: x-acs-action header. */
  action: string;
  /** V1: Version parameter; V3: x-acs-version header. */
  apiVersion: string;
  /** V1 Format parameter (V3 has none). */
  format: string | undefined;
  /** SignatureNonce / x-acs-signature-nonce. */
  nonce: string;
  /** Raw Timestamp / x-acs-date text. */
  timestamp: string;
  timestampMs: number;
  securityToken: string | undefined;
  /**
   * Business parameters only, decoded; flattened lists stay separate (`Name.1`,
   * `Name.2`). The object has no prototype, so a name such as `constructor` is
   * only ever a parameter.
   */
  params: Record<string, string>;
  /** Recomputes the signature with the secret; true when it matches (constant-time compare). */
  verify(accessKeySecret: string): boolean;
  /** The server-side string to sign, for the SignatureDoesNotMatch message. */
  stringToSign: string;
}

const V1_SIGNATURE_METHOD = 'HMAC-SHA1';
const V3_ALGORITHM = 'ACS3-HMAC-SHA256';

/** Protocol parameters, not the operation's; RegionId is left to the operation. */
const COMMON_PARAMS = new Set([
  'Action',
  'Version',
  'Format',
  'AccessKeyId',
  'SignatureMethod',
  'SignatureVersion',
  'SignatureNonce',
  'Timestamp',
  'Signature',
  'SecurityToken',
  'SignatureType',
]);

/**
 * V3 headers that decide what a request means or whether it is fresh. Unless
 * the signature covers them, a captured request could be replayed under a new
 * nonce or date, or as another action.
 */
const V3_HEADERS_TO_SIGN = ['x-acs-action', 'x-acs-version', 'x-acs-date', 'x-acs-signature-nonce'];

const FORM_CONTENT_TYPE = /^application\/x-www-form-urlencoded\s*(;|$)/i;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/**
 * Reads the signature of a Sas request: V3 when an `ACS3-…` Authorization
 * header is present, otherwise V1. Throws ParapetError for structural problems
 * (nothing signed, a piece missing, unsupported method, malformed timestamp or
 * encoding); whether the signature matches is up to `verify`.
 */
export function parseSasRequest(request: SasHttpRequest): SasSignedRequest {
  const authorization = request.headers.authorization;
  return authorization?.startsWith('ACS3-') ? parseV3(request, authorization) : parseV1(request);
}

function parseV1(request: SasHttpRequest): SasSignedRequest {
  const params = collectParams(decodeFormPairs(request.rawQuery, 'query string'), formBodyPairs(request));
  const signature = params.get('Signature');
  if (!signature) {
    throw new ParapetError(
      'IncompleteSignature',
      `The request is not signed: it has neither a Signature parameter (signature V1) nor an "Authorization: ${V3_ALGORITHM} …" header (V3).`,
    );
  }
  const signatureMethod = requiredParam(params, 'SignatureMethod');
  if (signatureMethod !== V1_SIGNATURE_METHOD) {
    throw new ParapetError(
      'InvalidSignatureMethod',
      `Specified signature method ${quote(signatureMethod)} is not supported: signature V1 uses ${V1_SIGNATURE_METHOD}.`,
    );
  }
  const accessKeyId = requiredParam(params, 'AccessKeyId');
  const nonce = requiredParam(params, 'SignatureNonce');
  const timestamp = requiredParam(params, 'Timestamp');
  const timestampMs = parseTimestamp(timestamp);
  const action = requiredParam(params, 'Action');
  const apiVersion = requiredParam(params, 'Version');

  const canonical = canonicalize([...params].filter(([name]) => name !== 'Signature'));
  const stringToSign = `${request.method.toUpperCase()}&${percentEncode('/')}&${percentEncode(canonical)}`;
  return {
    signatureVersion: 'v1',
    accessKeyId,
    action,
    apiVersion,
    format: params.get('Format'),
    nonce,
    timestamp,
    timestampMs,
    securityToken: params.get('SecurityToken') || undefined,
    params: businessParams(params),
    stringToSign,
    verify: (secret) =>
      safeEqual(createHmac('sha1', `${secret}&`).update(stringToSign).digest('base64'), signature),
  };
}

function parseV3(request: SasHttpRequest, authorization: string): SasSignedRequest {
  const { accessKeyId, signedHeaders, signature } = parseAuthorization(authorization);
  const { headers } = request;
  const timestamp = headers['x-acs-date'] || incomplete('The x-acs-date header is missing.');
  const nonce =
    headers['x-acs-signature-nonce'] || incomplete('The x-acs-signature-nonce header is missing.');
  const action = headers['x-acs-action'];
  if (!action) throw missingParameter('x-acs-action');
  const apiVersion = headers['x-acs-version'];
  if (!apiVersion) throw missingParameter('x-acs-version');
  const securityToken = headers['x-acs-security-token'] || undefined;

  const queryPairs = decodeFormPairs(request.rawQuery, 'query string');
  const formPairs = formBodyPairs(request);
  const params = collectParams(queryPairs, formPairs);
  const mustSign = [
    ...V3_HEADERS_TO_SIGN,
    ...(securityToken === undefined ? [] : ['x-acs-security-token']),
    // The content type decides whether the body is read as parameters.
    ...(formPairs.length === 0 ? [] : ['content-type']),
  ];
  const unsigned = mustSign.filter((name) => !signedHeaders.includes(name));
  if (unsigned.length > 0) incomplete(`SignedHeaders must include ${unsigned.join(', ')}.`);
  const timestampMs = parseTimestamp(timestamp);

  const payloadHash = sha256Hex(request.body);
  const declaredHash = headers['x-acs-content-sha256'];
  if (declaredHash !== undefined && declaredHash.trim().toLowerCase() !== payloadHash) {
    throw new ParapetError(
      'SignatureDoesNotMatch',
      `The x-acs-content-sha256 header ${quote(declaredHash)} is not the SHA-256 of the request body (${payloadHash}).`,
    );
  }

  const canonicalHeaders = signedHeaders.map((name) => `${name}:${(headers[name] ?? '').trim()}\n`).join('');
  // Only the query is canonicalised: a body is covered by its hash. openapi-core
  // leaves query names unencoded where the documented rule encodes them; the two
  // agree on every real parameter name (A–Z a–z 0–9 . _ -), and encoding keeps a
  // name like `a=b&c` from reading as two pairs.
  const canonicalRequest = [
    request.method.toUpperCase(),
    '/',
    canonicalize(queryPairs),
    canonicalHeaders,
    signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
  const stringToSign = `${V3_ALGORITHM}\n${sha256Hex(canonicalRequest)}`;
  return {
    signatureVersion: 'v3',
    accessKeyId,
    action,
    apiVersion,
    format: undefined,
    nonce,
    timestamp,
    timestampMs,
    securityToken,
    params: businessParams(params),
    stringToSign,
    verify: (secret) =>
      safeEqual(createHmac('sha256', secret).update(stringToSign).digest('hex'), signature.toLowerCase()),
  };
}

interface V3Authorization {
  accessKeyId: string;
  /** Lower-case, sorted, as they enter the canonical request. */
  signedHeaders: string[];
  signature: string;
}

/** `ACS3-HMAC-SHA256 Credential=<AccessKeyId>,SignedHeaders=<h1;h2;…>,Signature=<hex>` */
function parseAuthorization(header: string): V3Authorization {
  const space = header.indexOf(' ');
  const algorithm = space === -1 ? header : header.slice(0, space);
  if (algorithm !== V3_ALGORITHM) {
    throw new ParapetError(
      'InvalidSignatureMethod',
      `Specified signature algorithm ${quote(algorithm)} is not supported: use ${V3_ALGORITHM}.`,
    );
  }
  const fields = new Map<string, string>();
  for (const part of space === -1 ? [] : header.slice(space + 1).split(',')) {
    const equals = part.indexOf('=');
    if (equals !== -1) fields.set(part.slice(0, equals).trim(), part.slice(equals + 1).trim());
  }
  const field = (name: string) =>
    fields.get(name) ||
    incomplete(
      `The Authorization header has no ${name}: expected "${V3_ALGORITHM} Credential=<AccessKeyId>,SignedHeaders=<h1;h2;…>,Signature=<hex>".`,
    );
  const signedHeaders = field('SignedHeaders')
    .split(';')
    .map((name) => name.trim().toLowerCase())
    .sort();
  if (signedHeaders.some((name, i) => name === '' || name === signedHeaders[i - 1])) {
    incomplete(`SignedHeaders ${quote(field('SignedHeaders'))} names an empty or repeated header.`);
  }
  return { accessKeyId: field('Credential'), signedHeaders, signature: field('Signature') };
}

function formBodyPairs(request: SasHttpRequest): Array<[string, string]> {
  if (request.body.length === 0 || !FORM_CONTENT_TYPE.test(request.headers['content-type'] ?? '')) return [];
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(request.body);
  } catch {
    throw new ParapetError('InvalidParameter', 'The form body is not UTF-8 text.');
  }
  return decodeFormPairs(text, 'form body');
}

/** Query and form body together. A name given twice is refused: only one of its values could be meant. */
function collectParams(...sources: Array<Array<[string, string]>>): Map<string, string> {
  const params = new Map<string, string>();
  for (const [name, value] of sources.flat()) {
    if (params.has(name)) throw invalidParameter(name.slice(0, 64), 'it is given more than once');
    params.set(name, value);
  }
  return params;
}

/**
 * `name=value` pairs, strictly encoded, sorted by name and joined with `&`.
 * Both clients sort the names before encoding them, in UTF-16 code-unit order.
 */
function canonicalize(pairs: Array<[string, string]>): string {
  return pairs
    .toSorted(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`)
    .join('&');
}

function businessParams(params: Map<string, string>): Record<string, string> {
  const result = Object.create(null) as Record<string, string>;
  for (const [name, value] of params) {
    if (!COMMON_PARAMS.has(name)) result[name] = value;
  }
  return result;
}

function requiredParam(params: Map<string, string>, name: string): string {
  const value = params.get(name);
  if (!value) throw missingParameter(name);
  return value;
}

/** `yyyy-MM-ddTHH:mm:ssZ` in UTC, a real calendar time (Date.parse alone would roll 02-30 over to March). */
function parseTimestamp(text: string): number {
  const ms = TIMESTAMP.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(ms) || new Date(ms).toISOString() !== `${text.slice(0, 19)}.000Z`) {
    throw new ParapetError(
      'InvalidTimeStamp.Format',
      `Specified time stamp or date value is not well formatted: ${quote(text)} is not yyyy-MM-ddTHH:mm:ssZ (UTC).`,
    );
  }
  return ms;
}

function incomplete(message: string): never {
  throw new ParapetError('IncompleteSignature', message);
}

function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}
