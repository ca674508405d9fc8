/** The pieces of an HTTP request that signatures are computed over, as they arrived. */
import type { FastifyRequest } from 'fastify';
import { invalidParameter } from '../domain/errors.ts';
import type { RawParams } from './text-params.ts';

/** Header values by lower-case name; a repeated header's values joined with ','. */
export function headerMap(request: FastifyRequest): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
}

/** The request target split at the first '?', both parts still percent-encoded. */
export function splitTarget(url: string): { rawPath: string; rawQuery: string } {
  const queryStart = url.indexOf('?');
  return queryStart === -1
    ? { rawPath: url, rawQuery: '' }
    : { rawPath: url.slice(0, queryStart), rawQuery: url.slice(queryStart + 1) };
}

/** The raw body bytes (the server keeps every body as a Buffer). */
export function rawBody(request: FastifyRequest): Buffer {
  return Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
}

/**
 * A query string as parameters, decoded like the HSS signers encode them:
 * percent-escapes only (a '+' stays a plus). The first of repeated keys wins.
 */
export function parseRawQuery(rawQuery: string): RawParams {
  const params = Object.create(null) as RawParams; // no prototype: a key named __proto__ is just a key
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const [rawKey, rawValue] = equals === -1 ? [pair, ''] : [pair.slice(0, equals), pair.slice(equals + 1)];
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(rawKey);
      value = decodeURIComponent(rawValue);
    } catch {
      throw invalidParameter(rawKey.slice(0, 64), 'it is not validly percent-encoded');
    }
    if (!Object.hasOwn(params, key)) params[key] = value;
  }
  return params;
}
