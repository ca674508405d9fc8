/**
 * The Sas dialect end to end: a real `parapet serve` process on each database,
 * driven by the official Alibaba Cloud client libraries.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type * as OpenApiCore from '@alicloud/openapi-core';
import { createRequire } from 'node:module';
import { dialects } from './support/databases.ts';
import { startParapet, type ParapetProcess } from './support/parapet-process.ts';
import { clientKinds, expectSasError, makeSasClient } from './support/sas-clients.ts';

const { OpenApiUtil } = createRequire(import.meta.url)('@alicloud/openapi-core') as typeof OpenApiCore;

/** A V1 request signed by the SDK's own signer, sent with fetch (to replay or tamper with it). */
function signedV1Query(
  parapet: ParapetProcess,
  params: Record<string, string>,
  overrides: Record<string, string> = {},
) {
  const all: Record<string, string> = {
    Action: 'DescribeAllGroups',
    Version: '2018-12-03',
    Format: 'JSON',
    AccessKeyId: parapet.rootKey.accessKeyId,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: OpenApiUtil.getNonce(),
    Timestamp: OpenApiUtil.getTimestamp(),
    ...params,
    ...overrides,
  };
  all.Signature = OpenApiUtil.getRPCSignature(all, 'GET', parapet.rootKey.accessKeySecret);
  return new URLSearchParams(all).toString();
}

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

for (const dialect of dialects) {
  describe(`Sas API on ${dialect}`, () => {
    let parapet: ParapetProcess;
    let otherTenant: { AccessKeyId: string; AccessKeySecret: string };

    before(async () => {
      parapet = await startParapet(dialect, import.meta.filename);
      parapet.cli(['demo-data', '--hosts', '20', '--vulns', '400', '--seed', '7']);
      otherTenant = parapet.cli(['admin', 'tenant', 'create', 'other']) as typeof otherTenant;
      parapet.cli(['demo-data', '--hosts', '5', '--vulns', '50', '--seed', '8', '--tenant', 'other']);
    });
    after(async () => {
      assert.equal(await parapet.stop(), 0, 'SIGTERM → exit 0');
    });

    for (const kind of clientKinds) {
      test(`${kind} lists vulnerabilities with a signed request`, async () => {
        const client = makeSasClient(kind, parapet.endpoint, parapet.rootKey);
        const body = await client.call('DescribeVulList', { Type: 'cve', PageSize: 5, CurrentPage: 1 });
        assert.equal(typeof body.RequestId, 'string');
        assert.equal(body.PageSize, 5);
        assert.equal(typeof body.TotalCount, 'number');
        assert.ok((body.TotalCount as number) > 0);
        const records = body.VulRecords as Record<string, unknown>[];
        assert.equal(records.length, 5);
        for (const record of records) {
          assert.equal(record.Type, 'cve');
          assert.equal(typeof record.PrimaryId, 'number');
          assert.equal(typeof record.Status, 'number');
        }
      });
    }

    test('a sub-user without a policy is denied with NoPermission; an Allow policy lets it in; Deny wins', async () => {
      parapet.cli(['admin', 'user', 'create', 'auditor']);
      const key = parapet.cli(['admin', 'key', 'create', 'auditor']) as {
        AccessKeyId: string;
        AccessKeySecret: string;
      };
      const credentials = { accessKeyId: key.AccessKeyId, accessKeySecret: key.AccessKeySecret };
      for (const kind of clientKinds) {
        const client = makeSasClient(kind, parapet.endpoint, credentials);
        const error = await expectSasError(client.call('DescribeVulList', { Type: 'cve' }));
        assert.match(error.code, /NoPermission/, kind);
        const detail = error.data.AccessDeniedDetail as Record<string, unknown>;
        assert.equal(detail.NoPermissionType, 'ImplicitDeny');
        assert.equal(detail.AuthAction, 'yundun-sas:DescribeVulList');
      }
      const policyFile = join(parapet.env.PARAPET_DATA_DIR!, 'auditor-policy.json');
      writeFileSync(
        policyFile,
        JSON.stringify({
          Version: '1',
          Statement: [
            { Effect: 'Allow', Action: 'yundun-sas:Describe*', Resource: '*' },
            { Effect: 'Deny', Action: 'yundun-sas:DescribeAllGroups', Resource: '*' },
          ],
        }),
      );
      parapet.cli(['admin', 'policy', 'put', 'auditor', policyFile]);
      const client = makeSasClient('openapi-v3', parapet.endpoint, credentials);
      const body = await client.call('DescribeVulList', { Type: 'cve' });
      assert.ok((body.TotalCount as number) > 0);
      const denied = await expectSasError(client.call('DescribeAllGroups'));
      assert.equal(denied.code, 'NoPermission');
      assert.equal(denied.statusCode, 403);
      assert.equal(
        (denied.data.AccessDeniedDetail as Record<string, unknown>).NoPermissionType,
        'ExplicitDeny',
      );
    });

    test("another tenant's hosts and vulnerabilities are never visible", async () => {
      const mine = makeSasClient('openapi-v3', parapet.endpoint, parapet.rootKey);
      const theirs = makeSasClient('openapi-v3', parapet.endpoint, {
        accessKeyId: otherTenant.AccessKeyId,
        accessKeySecret: otherTenant.AccessKeySecret,
      });
      const uuids = async (client: typeof mine) => {
        const body = await client.call('DescribeCloudCenterInstances', { PageSize: 100 });
        return new Set((body.Instances as { Uuid: string }[]).map((i) => i.Uuid));
      };
      const myHosts = await uuids(mine);
      const theirHosts = await uuids(theirs);
      assert.equal(myHosts.size, 20);
      assert.equal(theirHosts.size, 5);
      for (const uuid of theirHosts) assert.ok(!myHosts.has(uuid));
      const theirUuid = [...theirHosts][0]!;
      const body = await mine.call('DescribeVulList', { Type: 'cve', Uuids: theirUuid });
      assert.equal(body.TotalCount, 0);
      assert.deepEqual(body.VulRecords, []);
    });

    test('bad input gets the documented error and no 500', async () => {
      const client = makeSasClient('openapi-v3', parapet.endpoint, parapet.rootKey);
      const cases: [string, Record<string, string | number>, string, number][] = [
        ['DescribeVulList', {}, 'MissingParameter', 400],
        ['DescribeVulList', { Type: 'nope' }, 'InvalidParameter', 400],
        ['DescribeVulList', { Type: 'cve', PageSize: 'ten' }, 'InvalidParameter', 400],
        ['DescribeVulList', { Type: 'cve', CurrentPage: -1 }, 'InvalidParameter', 400],
        ['DescribeVulList', { Type: 'cve', PageSize: '99999999999999999999' }, 'InvalidParameter', 400],
        ['DescribeVulList', { Type: 'cve', Uuids: 'x'.repeat(70_000) }, 'InvalidParameter', 400],
        [
          'DescribeVulList',
          { Type: 'cve', UseNextToken: 'true', NextToken: '%%%not-a-token' },
          'InvalidParameter',
          400,
        ],
        ['NoSuchAction', {}, 'InvalidAction.NotFound', 404],
        [
          'ModifyOperateVul',
          { Type: 'cve', OperateType: 'vul_ignore', Info: '{not json' },
          'InvalidParameter',
          400,
        ],
      ];
      const tooLong = await getJson(`${parapet.url}/?Action=DescribeVulList&Uuids=${'x'.repeat(200_000)}`);
      assert.equal(tooLong.status, 431);
      assert.equal(tooLong.body.Code, 'RequestHeaderFieldsTooLarge');
      const before = await client.call('DescribeVulList', { Type: 'cve', StatusList: '10', PageSize: 1 });
      for (const [action, params, code, status] of cases) {
        const error = await expectSasError(client.call(action, params));
        assert.equal(error.code, code, `${action} ${JSON.stringify(params).slice(0, 80)}`);
        assert.equal(error.statusCode, status);
        assert.equal(typeof error.data.RequestId, 'string');
        assert.equal(typeof error.data.Message, 'string');
      }
      const afterwards = await client.call('DescribeVulList', { Type: 'cve', StatusList: '10', PageSize: 1 });
      assert.equal(afterwards.TotalCount, before.TotalCount, 'nothing was ignored by the rejected request');
    });

    test('tampered, expired, replayed and unknown-key requests are refused', async () => {
      const good = signedV1Query(parapet, {});
      assert.equal((await getJson(`${parapet.url}/?${good}`)).status, 200);
      const replay = await getJson(`${parapet.url}/?${good}`);
      assert.equal(replay.body.Code, 'SignatureNonceUsed');
      assert.equal(replay.status, 400);

      const tampered = signedV1Query(parapet, { Lang: 'en' }).replace('Lang=en', 'Lang=zh');
      const mismatch = await getJson(`${parapet.url}/?${tampered}`);
      assert.equal(mismatch.body.Code, 'SignatureDoesNotMatch');
      assert.match(String(mismatch.body.Message), /server string to sign is:GET&%2F&/);

      const expired = signedV1Query(parapet, {}, { Timestamp: '2020-01-01T00:00:00Z' });
      assert.equal((await getJson(`${parapet.url}/?${expired}`)).body.Code, 'InvalidTimeStamp.Expired');

      const unknownKey = signedV1Query(parapet, {}, { AccessKeyId: 'LTAInobodyhasthiskey00' });
      const notFound = await getJson(`${parapet.url}/?${unknownKey}`);
      assert.equal(notFound.body.Code, 'InvalidAccessKeyId.NotFound');
      assert.equal(notFound.status, 404);

      const unsigned = await getJson(`${parapet.url}/?Action=DescribeAllGroups`);
      assert.equal(unsigned.body.Code, 'IncompleteSignature');
    });

    test('a revoked key is refused', async () => {
      parapet.cli(['admin', 'user', 'create', 'leaver']);
      const key = parapet.cli(['admin', 'key', 'create', 'leaver']) as {
        AccessKeyId: string;
        AccessKeySecret: string;
      };
      parapet.cli(['admin', 'key', 'revoke', key.AccessKeyId]);
      const client = makeSasClient('pop-core', parapet.endpoint, {
        accessKeyId: key.AccessKeyId,
        accessKeySecret: key.AccessKeySecret,
      });
      const error = await expectSasError(client.call('DescribeAllGroups'));
      assert.equal(error.code, 'InvalidAccessKeyId.Inactive');
    });
  });
}

test('per-tenant rate limit answers Throttling.User', async () => {
  const parapet = await startParapet('sqlite', import.meta.filename, { PARAPET_RATE_LIMIT: '3' });
  try {
    const client = makeSasClient('openapi-v3', parapet.endpoint, parapet.rootKey);
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, () => client.call('DescribeAllGroups')),
    );
    const throttled = results.filter(
      (r) => r.status === 'rejected' && (r.reason as { code?: string }).code === 'Throttling.User',
    );
    assert.ok(throttled.length > 0, 'some requests were throttled');
    assert.ok(
      results.some((r) => r.status === 'fulfilled'),
      'some requests went through',
    );
  } finally {
    await parapet.stop();
  }
});
