/**
 * The official Alibaba Cloud client libraries, wrapped behind one small
 * interface so tests read the same whichever client drives the request:
 * `@alicloud/openapi-core` (signature V3 by default, or V1 with
 * signatureAlgorithm 'v2') and the legacy `@alicloud/pop-core` (V1, POST form body).
 */
import { createRequire } from 'node:module';
import type * as OpenApiCore from '@alicloud/openapi-core';
import PopCore from '@alicloud/pop-core';

export type ClientKind = 'openapi-v3' | 'openapi-v1' | 'pop-core';
export const clientKinds: ClientKind[] = ['openapi-v3', 'openapi-v1', 'pop-core'];

export interface SasClient {
  call(action: string, params?: Record<string, string | number | boolean>): Promise<Record<string, unknown>>;
}

/** What a client library raised, normalised: the SDK's own `code` and the body. */
export interface SasClientError {
  code: string;
  statusCode: number | undefined;
  data: Record<string, unknown>;
}

interface Credentials {
  accessKeyId: string;
  accessKeySecret: string;
}

// A CommonJS module whose `default` export is the client class: required, not
// imported, so `default` is the class rather than the whole module.
// (Under nodenext, TypeScript types that `default` one level deeper.)
const openApiCore = createRequire(import.meta.url)('@alicloud/openapi-core') as typeof OpenApiCore;
const OpenApi = openApiCore.default as unknown as typeof OpenApiCore.default.default;
const { $OpenApiUtil, OpenApiUtil } = openApiCore;

export function makeSasClient(kind: ClientKind, endpoint: string, credentials: Credentials): SasClient {
  if (kind === 'pop-core') {
    const client = new PopCore({
      ...credentials,
      endpoint: `http://${endpoint}`,
      apiVersion: '2018-12-03',
    });
    return {
      call: (action, params = {}) =>
        client.request<Record<string, unknown>>(action, params, { method: 'POST', timeout: 10_000 }),
    };
  }
  const client = new OpenApi(
    new $OpenApiUtil.Config({
      ...credentials,
      endpoint,
      protocol: 'HTTP',
      ...(kind === 'openapi-v1' ? { signatureAlgorithm: 'v2' } : {}),
    }),
  );
  return {
    async call(action, params = {}) {
      const request = new $OpenApiUtil.Params({
        action,
        version: '2018-12-03',
        protocol: 'HTTPS',
        pathname: '/',
        method: 'POST',
        authType: 'AK',
        style: 'RPC',
        reqBodyType: 'formData',
        bodyType: 'json',
      });
      const response = (await client.callApi(
        request,
        new $OpenApiUtil.OpenApiRequest({ query: OpenApiUtil.query(params) }),
        // The SDK accepts a plain object for runtime options (spec §5.1).
        {} as Parameters<typeof client.callApi>[2],
      )) as { body: Record<string, unknown> };
      return response.body;
    },
  };
}

/** Runs a call that must fail and returns the client's error, normalised. */
export async function expectSasError(promise: Promise<unknown>): Promise<SasClientError> {
  try {
    await promise;
  } catch (err) {
    const e = err as {
      code?: string;
      statusCode?: number;
      data?: Record<string, unknown>;
      entry?: { response?: { statusCode?: number } };
    };
    return {
      code: String(e.code),
      statusCode: e.statusCode ?? e.entry?.response?.statusCode,
      data: e.data ?? {},
    };
  }
  throw new Error('the call succeeded but an error was expected');
}
