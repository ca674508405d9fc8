/**
 * Clients for the HSS dialect: the official `@huaweicloud/huaweicloud-sdk-core`
 * HcClient (AK/SK, driven with the options object the generated HssClient
 * builds; spec hss-v5.md §4), and plain `fetch` with an IAM token or a
 * hand-made signature, as a curl user would call it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { formatSdkDate, signHssRequest } from '../../src/auth/hss-signature.ts';
import { testStateDir } from './state-dir.ts';

const require = createRequire(import.meta.url);

interface HcClientLike {
  sendRequest(options: Record<string, unknown>): Promise<Record<string, unknown>>;
}
interface ClientBuilderLike {
  withCredential(credential: unknown): ClientBuilderLike;
  withEndpoint(endpoint: string): ClientBuilderLike;
  withOptions(options: Record<string, unknown>): ClientBuilderLike;
  build(): HcClientLike;
}
interface BasicCredentialsLike {
  withAk(ak: string): BasicCredentialsLike;
  withSk(sk: string): BasicCredentialsLike;
  withProjectId(projectId: string): BasicCredentialsLike;
}

const core = require('@huaweicloud/huaweicloud-sdk-core') as {
  BasicCredentials: new () => BasicCredentialsLike;
};
const { ClientBuilder } = require('@huaweicloud/huaweicloud-sdk-core/ClientBuilder') as {
  ClientBuilder: new (init: (client: HcClientLike) => HcClientLike) => ClientBuilderLike;
};
// The core logs every error response to stdout at ERROR level (spec §4, gotcha 3).
(
  require('@huaweicloud/huaweicloud-sdk-core/logger/log4jLogger') as {
    Logger4jInstance: { level: string };
  }
).Logger4jInstance.level = 'off';

export interface HssCall {
  method: 'GET' | 'POST';
  /** With `{project_id}` and other `{name}` placeholders, like the generated client's. */
  url: string;
  pathParams?: Record<string, string>;
  queryParams?: Record<string, string | number | boolean>;
  data?: unknown;
  /** Ask for the body as bytes (downloads). */
  binary?: boolean;
}

export interface HssSdkClient {
  send(call: HssCall): Promise<Record<string, unknown>>;
}

export function makeHssSdkClient(
  baseUrl: string,
  projectId: string,
  key: { accessKeyId: string; accessKeySecret: string },
): HssSdkClient {
  const client = new ClientBuilder((hc) => hc)
    .withCredential(
      new core.BasicCredentials()
        .withAk(key.accessKeyId)
        .withSk(key.accessKeySecret)
        .withProjectId(projectId),
    )
    .withEndpoint(baseUrl)
    // Without it the builder writes ~/.huaweicloud/application_id (spec §4, gotcha 2).
    .withOptions({ customUserAgent: 'parapet-test' })
    .build();
  return {
    send: (call) =>
      client.sendRequest({
        method: call.method,
        url: call.url,
        contentType: 'application/json',
        pathParams: call.pathParams ?? {},
        queryParams: call.queryParams ?? {},
        headers: { region: 'cn-north-4' },
        ...(call.data === undefined ? {} : { data: call.data }),
        ...(call.binary ? { axiosRequestConfig: { responseType: 'arraybuffer' } } : {}),
      }),
  };
}

/** What the SDK raised (ClientRequestException / ServerResponseException), normalised. */
export interface HssSdkError {
  httpStatusCode: number;
  errorCode: string | undefined;
  errorMsg: string;
  requestId: string | undefined;
}

export async function expectHssSdkError(promise: Promise<unknown>): Promise<HssSdkError> {
  try {
    await promise;
  } catch (err) {
    const e = err as HssSdkError;
    return {
      httpStatusCode: e.httpStatusCode,
      errorCode: e.errorCode,
      errorMsg: e.errorMsg,
      requestId: e.requestId,
    };
  }
  throw new Error('the call succeeded but an error was expected');
}

export interface SignedFetchOptions {
  method?: string;
  body?: string;
  headers?: Record<string, string>;
  /** X-Sdk-Date to sign with. (Default: now) */
  date?: number;
}

/** `fetch` signed with SDK-HMAC-SHA256 by Parapet's own signer (for requests the SDK cannot make). */
export function signedFetch(
  url: string,
  key: { accessKeyId: string; accessKeySecret: string },
  options: SignedFetchOptions = {},
): Promise<Response> {
  const target = new URL(url);
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    host: target.host,
    'x-sdk-date': formatSdkDate(options.date ?? Date.now()),
    ...options.headers,
  };
  const body = Buffer.from(options.body ?? '');
  const authorization = signHssRequest(
    { method, rawPath: target.pathname, rawQuery: target.search.slice(1), headers, body },
    key.accessKeyId,
    key.accessKeySecret,
    Object.keys(headers).sort(),
  );
  return fetch(url, {
    method,
    headers: { ...headers, authorization },
    ...(options.body === undefined ? {} : { body: options.body }),
  });
}

/** The one file inside a zip, read by Python's zipfile (an independent reader that checks every CRC). */
export function unzipSingle(zip: Buffer): { name: string; data: Buffer } {
  const dir = mkdtempSync(join(testStateDir(), 'unzip-'));
  const archive = join(dir, 'archive.zip');
  const out = join(dir, 'entry');
  writeFileSync(archive, zip);
  const script = [
    'import sys, zipfile',
    'z = zipfile.ZipFile(sys.argv[1])',
    'assert z.testzip() is None',
    'names = z.namelist()',
    'assert len(names) == 1, names',
    'open(sys.argv[2], "wb").write(z.read(names[0]))',
    'print(names[0])',
  ].join('\n');
  const result = spawnSync('python3', ['-c', script, archive, out], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`not a valid single-file zip: ${result.stderr}`);
  return { name: result.stdout.trim(), data: readFileSync(out) };
}
