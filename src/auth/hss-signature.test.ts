import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type * as HuaweiCore from '@huaweicloud/huaweicloud-sdk-core';
import type * as HuaweiClientBuilder from '@huaweicloud/huaweicloud-sdk-core/ClientBuilder.js';
import type * as HuaweiHcClient from '@huaweicloud/huaweicloud-sdk-core/HcClient.js';
import type * as HuaweiLogger from '@huaweicloud/huaweicloud-sdk-core/logger/log4jLogger.js';
import { ParapetError } from '../domain/errors.ts';
import {
  formatSdkDate,
  parseHssRequest,
  signHssRequest,
  type HssRequestParts,
  type HssSignedRequest,
} from './hss-signature.ts';

const AK = 'TESTAK0123456789';
const SK = 'test-secret-key';
const DATE = '20261122T071915Z';
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

function request(overrides: Partial<HssRequestParts> = {}): HssRequestParts {
  return {
    method: 'GET',
    rawPath: '/v5/p1/things',
    rawQuery: '',
    headers: { host: '127.0.0.1:8443', 'x-sdk-date': DATE, 'user-agent': 'test' },
    body: Buffer.alloc(0),
    ...overrides,
  };
}

function withHeaders(parts: HssRequestParts, headers: Record<string, string | undefined>): HssRequestParts {
  return { ...parts, headers: { ...parts.headers, ...headers } };
}

/** Signs with this module's signer, parses the result back and checks that it verifies. */
function signAndParse(parts: HssRequestParts, signedHeaders = ['host', 'x-sdk-date']): HssSignedRequest {
  const authorization = signHssRequest(parts, AK, SK, signedHeaders);
  const signed = parseHssRequest(withHeaders(parts, { authorization }));
  assert.equal(signed.verify(SK), true, `should verify; canonical request:\n${signed.canonicalRequest}`);
  return signed;
}

function canonicalLines(parts: HssRequestParts): string[] {
  return signAndParse(parts).canonicalRequest.split('\n');
}

/** Flips the lowest bit of one character (a negative index counts from the end). */
function flipBit(text: string, index: number): string {
  const i = index < 0 ? text.length + index : index;
  return text.slice(0, i) + String.fromCharCode(text.charCodeAt(i) ^ 1) + text.slice(i + 1);
}

function assertParapetError(fn: () => unknown, code: string, message: RegExp) {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ParapetError, `expected a ParapetError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.match(err.message, message);
    return true;
  });
}

// --- Known answers ---

const goVectors = [
  {
    name: 'GET /path?limit=1',
    parts: { method: 'GET', rawPath: '/path', rawQuery: 'limit=1', body: Buffer.alloc(0) },
    signature: '5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624',
  },
  {
    name: 'POST /path?key=value with a JSON body ending in a newline',
    parts: {
      method: 'POST',
      rawPath: '/path',
      rawQuery: 'key=value',
      body: Buffer.from('{"Name":"test","Id":1}\n'),
    },
    signature: 'cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59',
  },
];

for (const vector of goVectors) {
  test(`Go SDK vector ${vector.name}: the published signature verifies; any 1-bit change fails`, () => {
    const parts = { ...vector.parts, headers: { 'x-sdk-date': '20060102T150405Z' } };
    const authorization = `SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, Signature=${vector.signature}`;
    assert.equal(signHssRequest(parts, 'AccessKey', 'SecretKey', ['x-sdk-date']), authorization);

    const signed = parseHssRequest(withHeaders(parts, { authorization }));
    assert.equal(signed.verify('SecretKey'), true);
    assert.equal(signed.accessKeyId, 'AccessKey');
    assert.deepEqual(signed.signedHeaders, ['x-sdk-date']);
    assert.equal(signed.sdkDate, '20060102T150405Z');
    assert.equal(signed.sdkDateMs, Date.UTC(2006, 0, 2, 15, 4, 5));
    assert.match(signed.stringToSign, /^SDK-HMAC-SHA256\n20060102T150405Z\n[0-9a-f]{64}$/);
    assert.equal(signed.verify(flipBit('SecretKey', -1)), false);
    assert.equal(signed.verify(''), false);

    const body = vector.parts.body;
    const tampered: Array<[string, HssRequestParts]> = [
      [
        'body',
        { ...parts, body: body.length === 0 ? Buffer.of(1) : Buffer.from(flipBit(body.toString(), 2)) },
      ],
      ['path', { ...parts, rawPath: flipBit(parts.rawPath, -1) }],
      ['query', { ...parts, rawQuery: flipBit(parts.rawQuery, -1) }],
      ['method', { ...parts, method: parts.method === 'GET' ? 'PUT' : 'PUSH' }],
      ['x-sdk-date', { ...parts, headers: { 'x-sdk-date': flipBit('20060102T150405Z', -2) } }],
    ];
    for (const [what, changed] of tampered) {
      const result = parseHssRequest(withHeaders(changed, { authorization }));
      assert.equal(result.verify('SecretKey'), false, `a changed ${what} must not verify`);
    }
  });
}

test("Go SDK canonical query vector: a scrambled wire query gives Go's canonical query", () => {
  // From signer_test.go TestSigner_canonicalQueryString; the wire leaves '/', '!', '*', '(' and ')' raw.
  const lines = canonicalLines(
    request({
      rawQuery:
        'test=%E4%B8%80%20(%26%3D%3F!%23%25.*)&multi=3&multi=1&path=/tmp/123&multi=2&limit=1&enable=true',
    }),
  );
  assert.equal(
    lines[2],
    'enable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123&test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29',
  );
});

test('the spec §4 export request gives the canonical request observed against the Node SDK', () => {
  const project = '0123456789abcdef0123456789abcdef';
  const body = JSON.stringify({
    image_id_list: ['sha256:abc'],
    operate_all: false,
    vul_type: 'linux_vul',
    handle_status: 'unhandled',
  });
  assert.equal(body.length, 103);
  const parts: HssRequestParts = {
    method: 'POST',
    rawPath: `/v5/${project}/image/local-vulnerability/export`,
    rawQuery: 'export_size=200&enterprise_project_id=all_granted_eps',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'huaweicloud-usdk-nodejs/3.0; parapet-test',
      'x-project-id': project,
      region: 'cn-north-4',
      'x-sdk-date': DATE,
      host: '127.0.0.1:39997',
    },
    body: Buffer.from(body),
  };
  const signed = signAndParse(parts, ['content-type', 'host', 'region', 'x-project-id', 'x-sdk-date']);
  assert.equal(
    signed.canonicalRequest,
    [
      'POST',
      `/v5/${project}/image/local-vulnerability/export/`,
      'enterprise_project_id=all_granted_eps&export_size=200',
      'content-type:application/json',
      'host:127.0.0.1:39997',
      'region:cn-north-4',
      `x-project-id:${project}`,
      `x-sdk-date:${DATE}`,
      '',
      'content-type;host;region;x-project-id;x-sdk-date',
      createHash('sha256').update(body).digest('hex'),
    ].join('\n'),
  );
  assert.equal(
    signed.stringToSign,
    `SDK-HMAC-SHA256\n${DATE}\n${createHash('sha256').update(signed.canonicalRequest).digest('hex')}`,
  );
  // user-agent is not signed: the SDK adds it after signing, so it may change freely.
  const otherAgent = parseHssRequest(
    withHeaders(parts, {
      authorization: signHssRequest(parts, AK, SK, signed.signedHeaders),
      'user-agent': 'something else',
    }),
  );
  assert.equal(otherAgent.verify(SK), true);
});

// --- Canonical form ---

const queryCases: Array<[raw: string, canonical: string, why: string]> = [
  ['', '', 'no query'],
  ['a=2&a=1&b=', 'a=1&a=2&b=', 'a repeated key is sorted by value'],
  ['b&a=1', 'a=1&b=', "a key without '=' has an empty value"],
  ['&&a=1&', 'a=1', "pairs left empty by '&&' or a trailing '&' are skipped"],
  ['a=1&a=1', 'a=1&a=1', 'a repeated pair is kept twice'],
  ['k=v=w', 'k=v%3Dw', "a pair is split on its first '='"],
  ['q=a%20b', 'q=a%20b', 'a space arrives as %20'],
  ['q=a+b', 'q=a%2Bb', "'+' is a literal plus, not a space"],
  ['q=a%2Bb', 'q=a%2Bb', 'an encoded plus'],
  ["m=!'()*", 'm=%21%27%28%29%2A', "!'()* arrive raw (Node querystring) but are signed encoded"],
  ['m=%7E%2D%2E%5F', 'm=~-._', 'unreserved characters are signed raw'],
  ['u=%E4%B8%AD', 'u=%E4%B8%AD', 'UTF-8'],
  ['u=%e4%b8%ad', 'u=%E4%B8%AD', 'hex digits are signed in upper case'],
  ['%61%3Db=1', 'a%3Db=1', 'keys are decoded and re-encoded too'],
  ['b=1&a.b=2&a=3', 'a=3&a.b=2&b=1', 'a key sorts before the keys it prefixes'],
  [
    'v=a%3Ab&v=a.b&v=z&v=%C3%A4',
    'v=a.b&v=a%3Ab&v=z&v=%C3%A4',
    'values sort decoded (":" after ".", "ä" last)',
  ],
  ['z=1&%C3%A4=2&a=3', 'a=3&z=1&%C3%A4=2', 'keys sort decoded'],
  [
    'k=%F0%9F%99%82&k=%EF%BC%A1',
    'k=%EF%BC%A1&k=%F0%9F%99%82',
    'code-point order (Go, Python): U+FF21 < U+1F642',
  ],
];

for (const [raw, canonical, why] of queryCases) {
  test(`canonical query: ${why} (${JSON.stringify(raw)})`, () => {
    assert.equal(canonicalLines(request({ rawQuery: raw }))[2], canonical);
  });
}

const pathCases: Array<[raw: string, canonical: string, why: string]> = [
  ['/v5/p1/export-task/t1', '/v5/p1/export-task/t1/', "a '/' is added at the end"],
  ['/v5/p1/', '/v5/p1/', "a trailing '/' is kept"],
  ['/', '/', 'the root'],
  ['', '/', 'an empty path'],
  ['/a//b', '/a//b/', 'empty segments are kept'],
  ['/a%20b/c', '/a%20b/c/', 'an encoded space'],
  ['/caf%c3%a9', '/caf%C3%A9/', 'UTF-8 with lower-case hex'],
  ['/x%2Fy', '/x%2Fy/', 'an encoded slash stays inside its segment'],
  ['/a+b', '/a%2Bb/', "'+' is a literal plus"],
  ['/a!b*', '/a%21b%2A/', 'sub-delimiters are encoded'],
  ['/%7Euser', '/~user/', 'an encoded unreserved character is signed raw'],
];

for (const [raw, canonical, why] of pathCases) {
  test(`canonical URI: ${why} (${JSON.stringify(raw)})`, () => {
    assert.equal(canonicalLines(request({ rawPath: raw }))[1], canonical);
  });
}

test('the payload hash covers the exact body bytes: a trailing newline changes it', () => {
  const withNewline = request({ method: 'POST', body: Buffer.from('{"a":1}\n') });
  const without = request({ method: 'POST', body: Buffer.from('{"a":1}') });
  const hashWith = canonicalLines(withNewline).at(-1);
  const hashWithout = canonicalLines(without).at(-1);
  assert.equal(hashWith, createHash('sha256').update('{"a":1}\n').digest('hex'));
  assert.notEqual(hashWith, hashWithout);
  assert.equal(canonicalLines(request()).at(-1), EMPTY_SHA256);
  const authorization = signHssRequest(withNewline, AK, SK, ['host', 'x-sdk-date']);
  assert.equal(parseHssRequest(withHeaders(without, { authorization })).verify(SK), false);
});

test('X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD is signed literally and leaves the body out', () => {
  const parts = withHeaders(request({ method: 'POST', body: Buffer.from('one') }), {
    'x-sdk-content-sha256': 'UNSIGNED-PAYLOAD',
  });
  const signedHeaders = ['host', 'x-sdk-content-sha256', 'x-sdk-date'];
  const signed = signAndParse(parts, signedHeaders);
  assert.equal(signed.canonicalRequest.split('\n').at(-1), 'UNSIGNED-PAYLOAD');
  const authorization = signHssRequest(parts, AK, SK, signedHeaders);
  const otherBody = { ...withHeaders(parts, { authorization }), body: Buffer.from('two') };
  assert.equal(parseHssRequest(otherBody).verify(SK), true);
});

test('X-Sdk-Content-Sha256 must be signed, and a hash in it must be the body hash', () => {
  const body = Buffer.from('{"a":1}');
  const bodyHash = createHash('sha256').update(body).digest('hex');
  const parts = request({ method: 'POST', body });
  const signedHeaders = ['host', 'x-sdk-content-sha256', 'x-sdk-date'];
  for (const declared of [bodyHash, bodyHash.toUpperCase()]) {
    const signed = signAndParse(withHeaders(parts, { 'x-sdk-content-sha256': declared }), signedHeaders);
    assert.equal(signed.canonicalRequest.split('\n').at(-1), declared);
  }
  assertParapetError(
    () => signAndParse(withHeaders(parts, { 'x-sdk-content-sha256': EMPTY_SHA256 }), signedHeaders),
    'SignatureDoesNotMatch',
    /X-Sdk-Content-Sha256 "e3b0c4.*" is neither UNSIGNED-PAYLOAD nor the SHA-256 of the request body/,
  );
  // Added to a captured request, an unsigned hash header would let the body be swapped.
  const captured = withHeaders(parts, {
    authorization: signHssRequest(parts, AK, SK, ['host', 'x-sdk-date']),
  });
  assertParapetError(
    () =>
      parseHssRequest({
        ...withHeaders(captured, { 'x-sdk-content-sha256': bodyHash }),
        body: Buffer.from('{}'),
      }),
    'IncompleteSignature',
    /SignedHeaders must include x-sdk-content-sha256/,
  );
});

test('signed headers: values are trimmed, host is taken as sent, the listed order is hashed', () => {
  const parts = withHeaders(request(), { host: 'example.com:8443', region: '  cn-north-4 \t', 'x-b': 'B' });
  const signed = signAndParse(parts, ['x-sdk-date', 'region', 'host', 'x-b']);
  assert.deepEqual(signed.canonicalRequest.split('\n').slice(3, 8), [
    `x-sdk-date:${DATE}`,
    'region:cn-north-4',
    'host:example.com:8443',
    'x-b:B',
    '',
  ]);
  const authorization = signHssRequest(parts, AK, SK, ['host', 'region', 'x-b', 'x-sdk-date']);
  for (const changed of [{ host: 'example.com' }, { region: 'cn-north-1' }, { 'x-b': 'b' }]) {
    assert.equal(parseHssRequest(withHeaders(parts, { ...changed, authorization })).verify(SK), false);
  }
  assert.equal(parseHssRequest(withHeaders(parts, { authorization, 'x-other': '1' })).verify(SK), true);
  const reordered = authorization.replace('host;region;x-b;x-sdk-date', 'region;host;x-b;x-sdk-date');
  assert.equal(parseHssRequest(withHeaders(parts, { authorization: reordered })).verify(SK), false);
});

test('formatSdkDate writes UTC basic format and parses back to the second', () => {
  const ms = Date.UTC(2026, 10, 22, 7, 19, 15, 999);
  assert.equal(formatSdkDate(ms), DATE);
  assert.equal(signAndParse(request()).sdkDateMs, ms - 999);
  assert.equal(formatSdkDate(Date.UTC(2024, 1, 29, 23, 59, 59)), '20240229T235959Z');
});

// --- Refusals ---

const validAuthorization = signHssRequest(request(), AK, SK, ['host', 'x-sdk-date']);
const signature = validAuthorization.slice(-64);

test('whitespace around the commas of the Authorization header is accepted', () => {
  for (const authorization of [
    `SDK-HMAC-SHA256 Access=${AK},SignedHeaders=host;x-sdk-date,Signature=${signature}`,
    `SDK-HMAC-SHA256  Access=${AK} ,  SignedHeaders=host;x-sdk-date\t,\tSignature=${signature}`,
  ]) {
    assert.equal(parseHssRequest(withHeaders(request(), { authorization })).verify(SK), true, authorization);
  }
});

const badAuthorizations: Array<[why: string, header: string | undefined, message: RegExp]> = [
  ['missing', undefined, /the request has no Authorization header/],
  ['empty', '', /the request has no Authorization header/],
  ['another scheme', 'Bearer abc', /the Authorization scheme "Bearer" is not SDK-HMAC-SHA256/],
  [
    'a lower-case scheme',
    validAuthorization.replace('SDK-HMAC-SHA256', 'sdk-hmac-sha256'),
    /scheme "sdk-hmac-sha256"/,
  ],
  ['SDK-HMAC-SHA1', validAuthorization.replace('SHA256', 'SHA1'), /scheme "SDK-HMAC-SHA1"/],
  [
    'no commas',
    validAuthorization.replaceAll(', ', ' '),
    /is not "SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…"/,
  ],
  ['a lower-case field name', validAuthorization.replace('Access=', 'access='), /is not "SDK-HMAC-SHA256/],
  [
    'fields in another order',
    `SDK-HMAC-SHA256 Signature=${signature}, Access=${AK}, SignedHeaders=host;x-sdk-date`,
    /three parts in this order/,
  ],
  ['a fourth field', `${validAuthorization}, Extra=1`, /three parts in this order/],
  ['an empty Access', validAuthorization.replace(`Access=${AK}`, 'Access='), /empty Access/],
  [
    'an upper-case hex Signature',
    validAuthorization.replace(signature, signature.toUpperCase()),
    /Signature .* is not 64 lower-case hex digits/,
  ],
  ['a 63-digit Signature', validAuthorization.slice(0, -1), /not 64 lower-case hex digits/],
  [
    'an upper-case signed header name',
    validAuthorization.replace('host;x-sdk-date', 'Host;x-sdk-date'),
    /names "Host", which is not a lower-case/,
  ],
  [
    'an empty signed header name',
    validAuthorization.replace('host;x-sdk-date', 'host;;x-sdk-date'),
    /names "", which is not a lower-case/,
  ],
  [
    'a repeated signed header name',
    validAuthorization.replace('host;x-sdk-date', 'host;x-sdk-date;host'),
    /names "host" twice/,
  ],
];

for (const [why, authorization, message] of badAuthorizations) {
  test(`Authorization header (${why}) is IncompleteSignature`, () => {
    assertParapetError(
      () => parseHssRequest(withHeaders(request(), { authorization })),
      'IncompleteSignature',
      message,
    );
  });
}

const badRequests: Array<[why: string, parts: HssRequestParts, code: string, message: RegExp]> = [
  [
    'no X-Sdk-Date header',
    withHeaders(request(), { 'x-sdk-date': undefined, authorization: validAuthorization }),
    'IncompleteSignature',
    /the X-Sdk-Date header is missing/,
  ],
  [
    'X-Sdk-Date not signed',
    withHeaders(request(), { authorization: validAuthorization.replace(';x-sdk-date', '') }),
    'IncompleteSignature',
    /SignedHeaders must include x-sdk-date/,
  ],
  [
    'a signed header absent',
    withHeaders(request(), {
      authorization: validAuthorization.replace('host;', 'host;region;x-project-id;'),
    }),
    'IncompleteSignature',
    /the signed headers region, x-project-id are not in the request/,
  ],
  [
    'a signed header named like an Object.prototype member',
    withHeaders(request(), { authorization: validAuthorization.replace('host;', 'constructor;') }),
    'IncompleteSignature',
    /the signed header constructor is not in the request/,
  ],
  [
    'a malformed escape in the path',
    withHeaders(request({ rawPath: '/v5/a%zz' }), { authorization: validAuthorization }),
    'IncompleteSignature',
    /the path is not valid percent-encoded UTF-8 near "a%zz"/,
  ],
  [
    'an escape that is not UTF-8 in the path',
    withHeaders(request({ rawPath: '/v5/%FF' }), { authorization: validAuthorization }),
    'IncompleteSignature',
    /the path is not valid percent-encoded UTF-8/,
  ],
  [
    'a truncated escape in the query',
    withHeaders(request({ rawQuery: 'a=%E4%B8' }), { authorization: validAuthorization }),
    'IncompleteSignature',
    /the query string is not valid percent-encoded UTF-8 near "%E4%B8"/,
  ],
  ...[
    '2026-11-22T07:19:15Z',
    '20261122T071915',
    '20261122071915Z',
    '20261322T071915Z',
    '20260230T071915Z',
    '20261122T071960Z',
    '20261122T240000Z',
    '',
  ].map((date): [string, HssRequestParts, string, RegExp] => [
    `X-Sdk-Date ${JSON.stringify(date)}`,
    withHeaders(request(), { 'x-sdk-date': date, authorization: validAuthorization }),
    'InvalidTimeStamp.Format',
    /X-Sdk-Date ".*" is not a UTC time written yyyyMMddTHHmmssZ/,
  ]),
];

for (const [why, parts, code, message] of badRequests) {
  test(`${why} is ${code}`, () => {
    assertParapetError(() => parseHssRequest(parts), code, message);
  });
}

// --- Requests signed by the real Node SDK (@huaweicloud/huaweicloud-sdk-core) ---

const requireCjs = createRequire(import.meta.url);
const { BasicCredentials } = requireCjs('@huaweicloud/huaweicloud-sdk-core') as typeof HuaweiCore;
const { ClientBuilder } = requireCjs(
  '@huaweicloud/huaweicloud-sdk-core/ClientBuilder.js',
) as typeof HuaweiClientBuilder;
const { Logger4jInstance } = requireCjs(
  '@huaweicloud/huaweicloud-sdk-core/logger/log4jLogger.js',
) as typeof HuaweiLogger;
Logger4jInstance.level = 'off';

const PROJECT = '0123456789abcdef0123456789abcdef';
const received: HssRequestParts[] = [];
const recorder = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const target = req.url ?? '/';
    const query = target.indexOf('?');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
    }
    received.push({
      method: req.method ?? '',
      rawPath: query === -1 ? target : target.slice(0, query),
      rawQuery: query === -1 ? '' : target.slice(query + 1),
      headers,
      body: Buffer.concat(chunks),
    });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
let hcClient: HuaweiHcClient.HcClient;

before(async () => {
  await new Promise<void>((resolve) => recorder.listen(0, '127.0.0.1', resolve));
  hcClient = new ClientBuilder((client) => client)
    .withCredential(new BasicCredentials().withAk(AK).withSk(SK).withProjectId(PROJECT))
    .withEndpoint(`http://127.0.0.1:${(recorder.address() as AddressInfo).port}`)
    .withOptions({ customUserAgent: 'parapet-test' })
    .build();
});

after(() => {
  recorder.closeAllConnections();
  recorder.close();
});

/** Sends through HcClient, as the generated HssClient does, and verifies what the server received. */
async function sendWithNodeSdk(options: HuaweiHcClient.HttpRequestOptions): Promise<HssSignedRequest> {
  received.length = 0;
  await hcClient.sendRequest(options);
  const [parts] = received;
  assert.ok(parts && received.length === 1, 'the SDK should have sent one request');
  const signed = parseHssRequest(parts);
  assert.equal(
    signed.verify(SK),
    true,
    `SDK request should verify; canonical request:\n${signed.canonicalRequest}`,
  );
  assert.equal(signed.verify(flipBit(SK, 0)), false);
  assert.equal(signed.accessKeyId, AK);
  assert.ok(Math.abs(signed.sdkDateMs - Date.now()) < 60_000, `X-Sdk-Date ${signed.sdkDate} should be now`);
  return signed;
}

test('Node SDK GET: repeated keys, reserved and non-ASCII characters, wire order unsorted', async () => {
  const signed = await sendWithNodeSdk({
    method: 'GET',
    url: '/v5/{project_id}/image/local-repositories',
    contentType: 'application/json',
    pathParams: {},
    headers: {},
    queryParams: {
      limit: 10,
      image_name: "a b+c!'()*~",
      tags: ['b', 'a', 'a.b', 'a:b', 'ä'],
      'x:y': 1,
      'x.y': 2,
      unicode: '漏洞 🙂',
      enable: true,
      empty: '',
    },
  });
  const [, uri, query] = signed.canonicalRequest.split('\n');
  assert.equal(uri, `/v5/${PROJECT}/image/local-repositories/`);
  // Pins what the SDK signed: the decoded keys and values are sorted, not their encodings.
  assert.equal(
    query,
    'empty=&enable=true&image_name=a%20b%2Bc%21%27%28%29%2A~&limit=10' +
      '&tags=a&tags=a.b&tags=a%3Ab&tags=b&tags=%C3%A4&unicode=%E6%BC%8F%E6%B4%9E%20%F0%9F%99%82&x.y=2&x%3Ay=1',
  );
  assert.deepEqual(signed.signedHeaders, ['content-type', 'host', 'x-project-id', 'x-sdk-date']);
});

test('Node SDK POST with a JSON body (the spec §4 export call)', async () => {
  const data = { image_id_list: ['sha256:abc'], operate_all: false, remark: 'Prüfung ✓ "q"\n' };
  const signed = await sendWithNodeSdk({
    method: 'POST',
    url: '/v5/{project_id}/image/local-vulnerability/export',
    contentType: 'application/json;charset=UTF-8',
    pathParams: {},
    headers: { region: 'cn-north-4' },
    queryParams: { export_size: 200, enterprise_project_id: 'all_granted_eps' },
    data,
  });
  assert.deepEqual(signed.signedHeaders, ['content-type', 'host', 'region', 'x-project-id', 'x-sdk-date']);
  assert.equal(
    signed.canonicalRequest.split('\n').at(-1),
    createHash('sha256').update(JSON.stringify(data)).digest('hex'),
  );
});

test('Node SDK POST with a text body is sent and signed as UNSIGNED-PAYLOAD', async () => {
  const signed = await sendWithNodeSdk({
    method: 'POST',
    url: '/v5/{project_id}/notes',
    contentType: 'text/plain',
    pathParams: {},
    headers: {},
    queryParams: {},
    // HcClient passes data through to axios, which sends a string as is.
    data: 'hello\n' as unknown as Record<string, unknown>,
  });
  assert.ok(signed.signedHeaders.includes('x-sdk-content-sha256'));
  assert.equal(signed.canonicalRequest.split('\n').at(-1), 'UNSIGNED-PAYLOAD');
});

test('Node SDK DELETE with path parameters and a trailing slash the client strips', async () => {
  const signed = await sendWithNodeSdk({
    method: 'DELETE',
    url: '/v5/{project_id}/export-task/{task_id}/',
    contentType: 'application/json',
    pathParams: { task_id: 'task-1_2.3~x' },
    headers: {},
    queryParams: {},
  });
  assert.equal(signed.canonicalRequest.split('\n')[1], `/v5/${PROJECT}/export-task/task-1_2.3~x/`);
});
