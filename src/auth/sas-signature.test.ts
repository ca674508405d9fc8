import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import { Writable } from 'node:stream';
import { test, type TestContext } from 'node:test';
import openApiCore from '@alicloud/openapi-core';
import RPCClient from '@alicloud/pop-core';
import { ParapetError } from '../domain/errors.ts';
import { parseSasRequest, type SasHttpRequest } from './sas-signature.ts';

const KEY_ID = 'testid';
const SECRET = 'testsecret';
const { $OpenApiUtil, OpenApiUtil } = openApiCore;

/** Business parameters with every encoding hazard §2.2 lists; arrays are flattened by the clients. */
const TRICKY = {
  ExportId: 14356,
  Remark: 'a b+c',
  Unicode: '漏洞 ü 🙂',
  Marks: "*'()!~",
  Reserved: '/etc/x?y=1&z=%41#',
  Empty: '',
  ScanPath: ['/tmp', '/var/log x'],
};
const TRICKY_DECODED = {
  ExportId: '14356',
  Remark: 'a b+c',
  Unicode: '漏洞 ü 🙂',
  Marks: "*'()!~",
  Reserved: '/etc/x?y=1&z=%41#',
  Empty: '',
  'ScanPath.1': '/tmp',
  'ScanPath.2': '/var/log x',
};

/**
 * Runs a client call and returns the request it put on the wire, without a
 * server: both clients send through httpx, which calls node's http.request, so
 * that is swapped for a sink that records the request and then fails it.
 */
async function captureWire(t: TestContext, send: () => Promise<unknown>): Promise<SasHttpRequest> {
  let captured: SasHttpRequest | undefined;
  const fakeRequest = (options: http.RequestOptions) => {
    const chunks: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
    });
    sink.on('finish', () => {
      const path = options.path ?? '/';
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(options.headers ?? {})) {
        headers[name.toLowerCase()] = String(value);
      }
      captured = {
        method: options.method ?? 'GET',
        rawQuery: path.includes('?') ? path.slice(path.indexOf('?') + 1) : '',
        headers,
        body: Buffer.concat(chunks),
      };
      sink.emit('error', new Error('request captured'));
    });
    return sink;
  };
  const mocked = t.mock.method(http, 'request', fakeRequest as unknown as typeof http.request);
  await assert.rejects(send());
  mocked.mock.restore();
  assert.ok(captured, 'the client sent no request');
  return captured;
}

interface OpenApiCall {
  method?: 'GET' | 'POST';
  query?: Record<string, unknown>;
  body?: Record<string, unknown>;
  /** 'v2' is openapi-core's switch to signature V1 (HMAC-SHA1); the default is V3. */
  signatureAlgorithm?: 'v2';
  securityToken?: string;
}

function sendOpenApiCore(t: TestContext, call: OpenApiCall): Promise<SasHttpRequest> {
  const client = new openApiCore.default(
    new $OpenApiUtil.Config({
      accessKeyId: KEY_ID,
      accessKeySecret: SECRET,
      securityToken: call.securityToken,
      endpoint: '127.0.0.1:18080',
      protocol: 'HTTP',
      signatureAlgorithm: call.signatureAlgorithm,
    }),
  );
  const params = new $OpenApiUtil.Params({
    action: 'DescribeVulExportInfo',
    version: '2018-12-03',
    protocol: 'HTTP',
    pathname: '/',
    method: call.method ?? 'POST',
    authType: 'AK',
    style: 'RPC',
    reqBodyType: 'formData',
    bodyType: 'json',
  });
  const request = new $OpenApiUtil.OpenApiRequest({
    query: OpenApiUtil.query(call.query ?? {}),
    body: call.body,
  });
  const runtime = {} as Parameters<typeof client.callApi>[2];
  return captureWire(t, () => client.callApi(params, request, runtime));
}

function sendPopCore(
  t: TestContext,
  method: 'GET' | 'POST',
  params: Record<string, unknown>,
  securityToken?: string,
): Promise<SasHttpRequest> {
  const client = new RPCClient({
    accessKeyId: KEY_ID,
    accessKeySecret: SECRET,
    securityToken,
    endpoint: 'http://127.0.0.1:18080',
    apiVersion: '2018-12-03',
  });
  return captureWire(t, () => client.request('DescribeVulExportInfo', params, { method, timeout: 3000 }));
}

function assertVerifies(wire: SasHttpRequest) {
  const signed = parseSasRequest(wire);
  assert.equal(
    signed.verify(SECRET),
    true,
    `signature should match; server string to sign:\n${signed.stringToSign}`,
  );
  assert.equal(signed.verify('not-the-secret'), false);
  assert.equal(signed.verify(''), false);
  return signed;
}

function assertParapetError(fn: () => unknown, code: string, message?: RegExp) {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ParapetError, `expected a ParapetError, got ${String(err)}`);
    assert.equal(err.code, code);
    if (message) assert.match(err.message, message);
    return true;
  });
}

function replaceOnce(text: string, from: string, to: string): string {
  assert.ok(text.includes(from), `${JSON.stringify(from)} is not in ${JSON.stringify(text.slice(0, 200))}`);
  return text.replace(from, to);
}

// --- Known answers from Alibaba Cloud's signature documentation, written out by hand ---

test('V1: the documented DescribeRegions example gives the published string to sign and signature', () => {
  const signed = parseSasRequest({
    method: 'GET',
    rawQuery:
      'Timestamp=2016-02-23T12:46:24Z&Format=XML&AccessKeyId=testid&Action=DescribeRegions' +
      '&SignatureMethod=HMAC-SHA1&SignatureNonce=3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf&Version=2014-05-26' +
      '&SignatureVersion=1.0&Signature=OLeaidS1JvxuMvnyHOwuJ%2BuX5qY%3D',
    headers: {},
    body: Buffer.alloc(0),
  });
  assert.equal(
    signed.stringToSign,
    'GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1' +
      '%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0' +
      '%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26',
  );
  assert.equal(signed.verify('testsecret'), true);
  assert.equal(signed.verify('testsecreT'), false);
  assert.equal(signed.signatureVersion, 'v1');
  assert.equal(signed.accessKeyId, 'testid');
  assert.equal(signed.action, 'DescribeRegions');
  assert.equal(signed.apiVersion, '2014-05-26');
  assert.equal(signed.format, 'XML');
  assert.equal(signed.nonce, '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf');
  assert.equal(signed.timestamp, '2016-02-23T12:46:24Z');
  assert.equal(signed.timestampMs, Date.UTC(2016, 1, 23, 12, 46, 24));
  assert.equal(signed.securityToken, undefined);
  assert.deepEqual({ ...signed.params }, {});
});

test('V3: the documented RunInstances example gives the published string to sign and signature', () => {
  const signed = parseSasRequest({
    method: 'POST',
    rawQuery: 'ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai',
    headers: {
      host: 'ecs.cn-shanghai.aliyuncs.com',
      'x-acs-action': 'RunInstances',
      'x-acs-version': '2014-05-26',
      'x-acs-date': '2023-10-26T10:22:32Z',
      'x-acs-signature-nonce': '3156853299f313e23d1673dc12e1703d',
      'x-acs-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      authorization:
        'ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;' +
        'x-acs-date;x-acs-signature-nonce;x-acs-version,' +
        'Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0',
    },
    body: Buffer.alloc(0),
  });
  assert.equal(
    signed.stringToSign,
    'ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259',
  );
  assert.equal(signed.verify('YourAccessKeySecret'), true);
  assert.equal(signed.verify('YourAccessKeySecreT'), false);
  assert.equal(signed.signatureVersion, 'v3');
  assert.equal(signed.accessKeyId, 'YourAccessKeyId');
  assert.equal(signed.action, 'RunInstances');
  assert.equal(signed.apiVersion, '2014-05-26');
  assert.equal(signed.format, undefined);
  assert.equal(signed.nonce, '3156853299f313e23d1673dc12e1703d');
  assert.equal(signed.timestampMs, Date.UTC(2023, 9, 26, 10, 22, 32));
  assert.deepEqual(
    { ...signed.params },
    { ImageId: 'win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd', RegionId: 'cn-shanghai' },
  );
});

test('V1: URL-safe characters left raw on the wire are signed in the strict form (hand-written)', () => {
  const stringToSign =
    'GET&%2F&AccessKeyId%3Did%26Action%3DA%26Marks%3D%252A%2527%2528%2529%2521~%26Plus%3D%252B' +
    '%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3Dn%26Space%3Da%2520b%2520c' +
    '%26Timestamp%3D2024-01-01T00%253A00%253A00Z%26Version%3Dv';
  const signature = createHmac('sha1', 's&').update(stringToSign).digest('base64');
  const signed = parseSasRequest({
    method: 'GET',
    rawQuery:
      "Version=v&Marks=*'()!~&Space=a+b%20c&Plus=%2B&Action=A&AccessKeyId=id&SignatureMethod=HMAC-SHA1" +
      `&SignatureNonce=n&Timestamp=2024-01-01T00:00:00Z&Signature=${encodeURIComponent(signature)}`,
    headers: {},
    body: Buffer.alloc(0),
  });
  assert.equal(signed.stringToSign, stringToSign);
  assert.equal(signed.verify('s'), true);
  assert.deepEqual({ ...signed.params }, { Marks: "*'()!~", Space: 'a b c', Plus: '+' });
});

// --- Requests built by the real clients ---

test('openapi-core V3 POST with tricky query values verifies', async (t) => {
  const wire = await sendOpenApiCore(t, { query: TRICKY });
  assert.equal(wire.body.length, 0);
  const signed = assertVerifies(wire);
  assert.equal(signed.signatureVersion, 'v3');
  assert.equal(signed.accessKeyId, KEY_ID);
  assert.equal(signed.action, 'DescribeVulExportInfo');
  assert.equal(signed.apiVersion, '2018-12-03');
  assert.equal(signed.nonce, wire.headers['x-acs-signature-nonce']);
  assert.equal(signed.timestamp, wire.headers['x-acs-date']);
  assert.ok(Math.abs(signed.timestampMs - Date.now()) < 60_000);
  assert.equal(signed.securityToken, undefined);
  assert.deepEqual({ ...signed.params }, TRICKY_DECODED);
});

test('openapi-core V3 GET verifies, and the method is part of the signature', async (t) => {
  const wire = await sendOpenApiCore(t, { method: 'GET', query: TRICKY });
  assert.equal(wire.method, 'GET');
  assertVerifies(wire);
  assert.equal(parseSasRequest({ ...wire, method: 'POST' }).verify(SECRET), false);
});

test('openapi-core V3 with a form body signs content-type and merges the body parameters', async (t) => {
  const wire = await sendOpenApiCore(t, {
    query: { ExportId: 1 },
    body: { Remark: 'x y+z', ScanPath: ['a*', 'b~'] },
  });
  assert.match(wire.headers['content-type'] ?? '', /^application\/x-www-form-urlencoded/);
  assert.match(wire.headers.authorization ?? '', /SignedHeaders=content-type;/);
  const signed = assertVerifies(wire);
  assert.deepEqual(
    { ...signed.params },
    { ExportId: '1', Remark: 'x y+z', 'ScanPath.1': 'a*', 'ScanPath.2': 'b~' },
  );
});

test('openapi-core V3 with an STS token reports it', async (t) => {
  const wire = await sendOpenApiCore(t, { query: { ExportId: 1 }, securityToken: 'sts+token/=' });
  const signed = assertVerifies(wire);
  assert.equal(signed.securityToken, 'sts+token/=');
});

test('openapi-core V1 POST puts everything in the query and verifies', async (t) => {
  const wire = await sendOpenApiCore(t, { signatureAlgorithm: 'v2', query: TRICKY });
  assert.match(wire.rawQuery, /(^|&)Signature=/);
  // querystring leaves these raw on the wire; the signature covers the strict form.
  assert.match(wire.rawQuery, /Marks=\*%27\(\)!~/);
  const signed = assertVerifies(wire);
  assert.equal(signed.signatureVersion, 'v1');
  assert.equal(signed.format, 'json');
  assert.equal(signed.action, 'DescribeVulExportInfo');
  assert.equal(signed.apiVersion, '2018-12-03');
  assert.match(signed.nonce, /^[0-9a-f]{64}$/);
  assert.deepEqual({ ...signed.params }, TRICKY_DECODED);
});

test('openapi-core V1 GET verifies', async (t) => {
  const wire = await sendOpenApiCore(t, { signatureAlgorithm: 'v2', method: 'GET', query: TRICKY });
  assert.equal(wire.method, 'GET');
  assertVerifies(wire);
});

test('openapi-core V1 with a form body signs query and body together', async (t) => {
  const wire = await sendOpenApiCore(t, {
    signatureAlgorithm: 'v2',
    query: { ExportId: 1 },
    body: { Remark: 'x y+z', Marks: "*'()!~" },
    securityToken: 'tok',
  });
  assert.ok(wire.body.length > 0);
  const signed = assertVerifies(wire);
  assert.equal(signed.securityToken, 'tok');
  assert.deepEqual({ ...signed.params }, { ExportId: '1', Remark: 'x y+z', Marks: "*'()!~" });
});

test('pop-core POST sends everything in a form body with an empty query, and verifies', async (t) => {
  const wire = await sendPopCore(t, 'POST', TRICKY);
  assert.equal(wire.rawQuery, '');
  assert.match(wire.body.toString(), /(^|&)Signature=/);
  const signed = assertVerifies(wire);
  assert.equal(signed.format, 'JSON');
  assert.match(signed.nonce, /^[0-9a-f]{32}$/);
  assert.deepEqual({ ...signed.params }, TRICKY_DECODED);
});

test('pop-core GET puts everything in the query, and verifies', async (t) => {
  const wire = await sendPopCore(t, 'GET', TRICKY, 'sts-token');
  assert.equal(wire.body.length, 0);
  const signed = assertVerifies(wire);
  assert.equal(signed.securityToken, 'sts-token');
  assert.deepEqual({ ...signed.params }, TRICKY_DECODED);
});

test('a V1 request split between query and form body, with Go-style + spaces, verifies', () => {
  const params: Record<string, string> = {
    AccessKeyId: KEY_ID,
    Action: 'DescribeVulList',
    Format: 'JSON',
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: 'nonce-1',
    SignatureVersion: '1.0',
    Timestamp: '2024-05-06T07:08:09Z',
    Version: '2018-12-03',
    RegionId: 'cn-hangzhou',
    Name: "x y*'()!~é",
    'Uuids.1': 'u 1',
    'Uuids.2': 'u+2',
  };
  const signature = OpenApiUtil.getRPCSignature(params, 'POST', SECRET);
  const entries = Object.entries({ ...params, Signature: signature });
  // URLSearchParams writes spaces as + and escapes ~ as %7E, unlike both Alibaba clients.
  const wire: SasHttpRequest = {
    method: 'POST',
    rawQuery: new URLSearchParams(entries.slice(0, 6)).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' },
    body: Buffer.from(new URLSearchParams(entries.slice(6)).toString()),
  };
  assert.match(wire.body.toString(), /Name=x\+y/);
  const signed = assertVerifies(wire);
  assert.deepEqual(
    { ...signed.params },
    { RegionId: 'cn-hangzhou', Name: "x y*'()!~é", 'Uuids.1': 'u 1', 'Uuids.2': 'u+2' },
  );
});

test('a form body is only read as parameters when its content type says so', () => {
  const params = {
    AccessKeyId: KEY_ID,
    Action: 'A',
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: 'n',
    Timestamp: '2024-05-06T07:08:09Z',
    Version: 'v',
  };
  const signature = OpenApiUtil.getRPCSignature(params, 'POST', SECRET);
  const body = Buffer.from(new URLSearchParams({ ...params, Signature: signature }).toString());
  const asForm = parseSasRequest({
    method: 'POST',
    rawQuery: '',
    headers: { 'content-type': 'Application/X-WWW-Form-Urlencoded' },
    body,
  });
  assert.equal(asForm.verify(SECRET), true);
  assertParapetError(
    () =>
      parseSasRequest({
        method: 'POST',
        rawQuery: '',
        headers: { 'content-type': 'application/json' },
        body,
      }),
    'IncompleteSignature',
  );
});

// --- Tampering ---

test('V1: a changed value, name or method no longer verifies', async (t) => {
  const wire = await sendPopCore(t, 'POST', TRICKY);
  const body = wire.body.toString();
  const tampered = (text: string) => parseSasRequest({ ...wire, body: Buffer.from(text) }).verify(SECRET);
  assert.equal(tampered(body), true);
  assert.equal(tampered(replaceOnce(body, 'ExportId=14356', 'ExportId=14357')), false);
  assert.equal(tampered(replaceOnce(body, 'Empty=&', 'Empty=x&')), false);
  assert.equal(tampered(replaceOnce(body, 'ScanPath.2=', 'ScanPath.3=')), false);
  assert.equal(tampered(`${body}&Extra=1`), false);
  assert.equal(parseSasRequest({ ...wire, method: 'GET' }).verify(SECRET), false);
});

test('V3: a changed query value or signed header no longer verifies', async (t) => {
  const wire = await sendOpenApiCore(t, { query: TRICKY });
  assert.equal(parseSasRequest({ ...wire, rawQuery: `${wire.rawQuery}&Extra=1` }).verify(SECRET), false);
  assert.equal(
    parseSasRequest({ ...wire, rawQuery: replaceOnce(wire.rawQuery, 'ExportId=14356', 'ExportId=1') }).verify(
      SECRET,
    ),
    false,
  );
  for (const name of ['x-acs-action', 'x-acs-version', 'x-acs-signature-nonce', 'host']) {
    const headers = { ...wire.headers, [name]: `${wire.headers[name]}x` };
    assert.equal(parseSasRequest({ ...wire, headers }).verify(SECRET), false, name);
  }
  const headers = { ...wire.headers, 'x-acs-date': '2031-01-01T00:00:00Z' };
  assert.equal(parseSasRequest({ ...wire, headers }).verify(SECRET), false);
});

test('V3: a body that does not match x-acs-content-sha256 is SignatureDoesNotMatch', async (t) => {
  const wire = await sendOpenApiCore(t, { query: { ExportId: 1 }, body: { Remark: 'r' } });
  const body = Buffer.from(replaceOnce(wire.body.toString(), 'Remark=r', 'Remark=s'));
  assertParapetError(
    () => parseSasRequest({ ...wire, body }),
    'SignatureDoesNotMatch',
    /x-acs-content-sha256/,
  );
  // Replacing the declared hash too still fails: the hash is part of the signed request.
  const headers = {
    ...wire.headers,
    'x-acs-content-sha256': createHash('sha256').update(body).digest('hex'),
  };
  assert.equal(parseSasRequest({ ...wire, body, headers }).verify(SECRET), false);
});

test('V3: a request whose signature omits the headers that give it meaning is refused', async (t) => {
  const wire = await sendOpenApiCore(t, { query: { ExportId: 1 }, body: { Remark: 'r' } });
  const authorization = wire.headers.authorization ?? '';
  for (const name of ['x-acs-signature-nonce', 'x-acs-date', 'x-acs-action', 'content-type']) {
    const headers = {
      ...wire.headers,
      authorization: authorization.replace(new RegExp(`${name};|;${name}(?=,)`), ''),
    };
    assert.notEqual(headers.authorization, authorization, name);
    assertParapetError(() => parseSasRequest({ ...wire, headers }), 'IncompleteSignature', new RegExp(name));
  }
});

// --- Structural problems ---

/** A V1 query with every common parameter; pass undefined to leave one out. */
function v1Query(overrides: Record<string, string | undefined> = {}): string {
  const params: Record<string, string | undefined> = {
    AccessKeyId: KEY_ID,
    Action: 'DescribeVulList',
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: 'n1',
    Timestamp: '2024-05-06T07:08:09Z',
    Version: '2018-12-03',
    Signature: 'c2lnbmF0dXJl',
    ...overrides,
  };
  return Object.entries(params)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
    .join('&');
}

function parseQuery(rawQuery: string, headers: Record<string, string> = {}) {
  return parseSasRequest({ method: 'GET', rawQuery, headers, body: Buffer.alloc(0) });
}

test('a request with no signature at all is IncompleteSignature, saying what is missing', () => {
  assertParapetError(() => parseQuery(''), 'IncompleteSignature', /Signature parameter.*Authorization/);
  assertParapetError(() => parseQuery(v1Query({ Signature: undefined })), 'IncompleteSignature');
  assertParapetError(() => parseQuery(v1Query({ Signature: '' })), 'IncompleteSignature');
  assertParapetError(
    () => parseQuery(v1Query({ Signature: undefined }), { authorization: 'Bearer abc' }),
    'IncompleteSignature',
  );
});

test('V1: a missing common parameter is MissingParameter naming it', () => {
  assert.equal(parseQuery(v1Query()).action, 'DescribeVulList');
  for (const name of ['Action', 'Version', 'AccessKeyId', 'SignatureNonce', 'Timestamp', 'SignatureMethod']) {
    assertParapetError(
      () => parseQuery(v1Query({ [name]: undefined })),
      'MissingParameter',
      new RegExp(`"${name}"`),
    );
    assertParapetError(
      () => parseQuery(v1Query({ [name]: '' })),
      'MissingParameter',
      new RegExp(`"${name}"`),
    );
  }
});

test('V1: a signature method other than HMAC-SHA1 is InvalidSignatureMethod', () => {
  for (const method of ['HMAC-SHA256', 'hmac-sha1', 'ACS3-HMAC-SHA256']) {
    assertParapetError(() => parseQuery(v1Query({ SignatureMethod: method })), 'InvalidSignatureMethod');
  }
});

test('a malformed timestamp is InvalidTimeStamp.Format', () => {
  const malformed = [
    '2024-05-06 07:08:09',
    '2024-05-06T07:08:09',
    '2024-05-06T07:08:09.000Z',
    '2024-05-06T07:08:09+08:00',
    '2024-02-30T00:00:00Z',
    '2024-01-01T24:00:00Z',
    '1714979289',
    'x'.repeat(100_000),
  ];
  for (const timestamp of malformed) {
    assertParapetError(() => parseQuery(v1Query({ Timestamp: timestamp })), 'InvalidTimeStamp.Format');
  }
  assert.equal(
    parseQuery(v1Query({ Timestamp: '2024-02-29T23:59:59Z' })).timestampMs,
    Date.UTC(2024, 1, 29, 23, 59, 59),
  );
});

/** Headers of a well-formed V3 request; the signature itself is not checked by these tests. */
function v3Headers(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    host: 'sas.example',
    'x-acs-action': 'DescribeVulList',
    'x-acs-version': '2018-12-03',
    'x-acs-date': '2024-05-06T07:08:09Z',
    'x-acs-signature-nonce': 'n1',
    authorization:
      'ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=host;x-acs-action;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=00',
    ...overrides,
  };
}

function parseV3Headers(headers: Record<string, string | undefined>) {
  return parseSasRequest({ method: 'POST', rawQuery: '', headers, body: Buffer.alloc(0) });
}

test('V3: missing pieces are IncompleteSignature or MissingParameter', () => {
  assert.equal(parseV3Headers(v3Headers()).accessKeyId, 'testid');
  assertParapetError(
    () => parseV3Headers(v3Headers({ 'x-acs-date': undefined })),
    'IncompleteSignature',
    /x-acs-date/,
  );
  assertParapetError(
    () => parseV3Headers(v3Headers({ 'x-acs-signature-nonce': '' })),
    'IncompleteSignature',
    /x-acs-signature-nonce/,
  );
  assertParapetError(
    () => parseV3Headers(v3Headers({ 'x-acs-action': undefined })),
    'MissingParameter',
    /x-acs-action/,
  );
  assertParapetError(
    () => parseV3Headers(v3Headers({ 'x-acs-version': undefined })),
    'MissingParameter',
    /x-acs-version/,
  );
  const authorizations = [
    'ACS3-HMAC-SHA256',
    'ACS3-HMAC-SHA256 SignedHeaders=x-acs-action;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=00',
    'ACS3-HMAC-SHA256 Credential=testid,Signature=00',
    'ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=x-acs-action;x-acs-date;x-acs-signature-nonce;x-acs-version',
    'ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=x-acs-action;;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=00',
    'ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=x-acs-action;x-acs-date;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=00',
  ];
  for (const authorization of authorizations) {
    assertParapetError(() => parseV3Headers(v3Headers({ authorization })), 'IncompleteSignature');
  }
});

test('V3: an algorithm other than ACS3-HMAC-SHA256 is InvalidSignatureMethod', () => {
  for (const algorithm of ['ACS3-HMAC-SM3', 'ACS3-RSA-SHA256', 'ACS3-HMAC-SHA256,']) {
    const authorization = `${algorithm} Credential=testid,SignedHeaders=x-acs-action,Signature=00`;
    assertParapetError(() => parseV3Headers(v3Headers({ authorization })), 'InvalidSignatureMethod');
  }
});

test('V3: a malformed x-acs-date is InvalidTimeStamp.Format', () => {
  assertParapetError(
    () => parseV3Headers(v3Headers({ 'x-acs-date': 'Mon, 06 May 2024 07:08:09 GMT' })),
    'InvalidTimeStamp.Format',
  );
});

test('malformed percent-encoding is InvalidParameter, in the query or the form body', () => {
  for (const bad of ['%zz', '%E4%B8', '%ED%A0%80', '%', 'a%2', '%C0%AF']) {
    assertParapetError(() => parseQuery(`${v1Query()}&Name=${bad}`), 'InvalidParameter', /query string/);
    assertParapetError(() => parseQuery(`${v1Query()}&${bad}=1`), 'InvalidParameter');
    assertParapetError(
      () =>
        parseSasRequest({
          method: 'POST',
          rawQuery: '',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: Buffer.from(`${v1Query()}&Name=${bad}`),
        }),
      'InvalidParameter',
      /form body/,
    );
  }
  assertParapetError(
    () =>
      parseSasRequest({
        method: 'POST',
        rawQuery: '',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: Buffer.concat([Buffer.from(`${v1Query()}&Name=`), Buffer.from([0xff, 0xfe])]),
      }),
    'InvalidParameter',
  );
  assertParapetError(() => parseQuery(`${v1Query()}&Name=\uD800`), 'InvalidParameter');
});

test('a parameter given twice, in one place or across query and body, is InvalidParameter', () => {
  assertParapetError(
    () => parseQuery(`${v1Query()}&ExportId=1&ExportId=2`),
    'InvalidParameter',
    /"ExportId"/,
  );
  assertParapetError(() => parseQuery(`${v1Query()}&Signature=x`), 'InvalidParameter', /"Signature"/);
  assertParapetError(
    () =>
      parseSasRequest({
        method: 'POST',
        rawQuery: 'ExportId=1',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: Buffer.from(`${v1Query()}&ExportId=1`),
      }),
    'InvalidParameter',
  );
});

test('empty values, bare names and names like __proto__ stay plain parameters', () => {
  const signed = parseQuery(`${v1Query()}&Empty=&Bare&__proto__=p&constructor=c&&`);
  assert.equal(Object.getPrototypeOf(signed.params), null);
  assert.deepEqual(Object.entries(signed.params), [
    ['Empty', ''],
    ['Bare', ''],
    ['__proto__', 'p'],
    ['constructor', 'c'],
  ]);
});

test('thousands of flattened parameters verify', () => {
  const params: Record<string, string> = {
    AccessKeyId: KEY_ID,
    Action: 'ModifyPushAllTask',
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: 'n',
    Timestamp: '2024-05-06T07:08:09Z',
    Version: '2018-12-03',
  };
  for (let i = 1; i <= 5000; i++) params[`Uuids.${i}`] = `uuid ${i}*`;
  const signature = OpenApiUtil.getRPCSignature(params, 'GET', SECRET);
  const signed = parseQuery(new URLSearchParams({ ...params, Signature: signature }).toString());
  assert.equal(signed.verify(SECRET), true);
  assert.equal(signed.params['Uuids.5000'], 'uuid 5000*');
  assert.equal(Object.keys(signed.params).length, 5000);
});

test('arbitrary input never escapes as anything but a ParapetError', () => {
  // A fixed-seed generator over the characters that matter to the parsers.
  const pieces = [
    '%',
    '%4',
    '%41',
    '%E4%B8%AD',
    '%ED%A0%80',
    '+',
    '=',
    '&',
    ';',
    ',',
    ' ',
    'é',
    '\uD800',
    'A',
  ];
  const words = ['Signature', 'SignatureMethod', 'HMAC-SHA1', 'Timestamp', 'ACS3-HMAC-SHA256 ', 'Credential'];
  let seed = 42;
  const next = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 16) % n;
  };
  const noise = () => {
    let text = '';
    for (let i = next(24); i > 0; i--) {
      text += next(3) === 0 ? (words[next(words.length)] ?? '') : (pieces[next(pieces.length)] ?? '');
    }
    return text;
  };
  const maybe = (good: string | undefined) => (next(2) === 0 ? noise() : good);
  const outcomes = { parsed: 0, refused: 0 };
  for (let round = 0; round < 3000; round++) {
    const request: SasHttpRequest = {
      method: next(2) === 0 ? 'GET' : 'POST',
      rawQuery: next(2) === 0 ? `${v1Query()}&${noise()}` : noise(),
      headers:
        next(2) === 0
          ? v3Headers({
              authorization: maybe(v3Headers().authorization),
              'x-acs-date': maybe(v3Headers()['x-acs-date']),
            })
          : { 'content-type': 'application/x-www-form-urlencoded' },
      body: Buffer.from(noise()),
    };
    try {
      const signed = parseSasRequest(request);
      assert.equal(signed.verify(SECRET), false);
      outcomes.parsed++;
    } catch (err) {
      assert.ok(err instanceof ParapetError, `round ${round}: ${String(err)} for ${JSON.stringify(request)}`);
      outcomes.refused++;
    }
  }
  // Both paths were exercised, not only the early refusals.
  assert.ok(outcomes.parsed > 100 && outcomes.refused > 100, JSON.stringify(outcomes));
});
