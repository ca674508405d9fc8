/**
 * Sas exports end to end: a real `parapet serve` on each database and each
 * storage backend, driven by the official client libraries — export, poll,
 * download the signed Link, open the .xlsx and compare it with the database.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadServerKey } from '../src/auth/secret-box.ts';
import { HANDLED_STATUSES, type VulStatus } from '../src/domain/vulnerabilities.ts';
import { openDatabase, type Database } from '../src/persistence/database.ts';
import { signDownloadToken } from '../src/storage/signed-link.ts';
import { dialects } from './support/databases.ts';
import { startParapet, type ParapetProcess } from './support/parapet-process.ts';
import { startS3Server, type S3Server } from './support/s3-server.ts';
import { expectSasError, makeSasClient, type ClientKind, type SasClient } from './support/sas-clients.ts';
import { readWorkbook } from './support/workbooks.ts';

/** The server writes dates in its own zone; +8 h makes a wrong conversion visible. */
const SERVER_TZ = 'Asia/Shanghai';
const SERVER_OFFSET_MS = 8 * 3_600_000;

interface FindingRow {
  id: number;
  type: string;
  name: string;
  alias_name: string;
  necessity: string;
  status: number;
  package_name: string;
  package_version: string;
  fixed_version: string;
  first_ts: number;
  last_ts: number;
  uuid: string;
  instance_name: string;
  internet_ip: string;
  group_id: number | null;
}

interface ExportCase {
  label: string;
  client: ClientKind;
  params: Record<string, string | number>;
  keep: (row: FindingRow) => boolean;
}

/** A date cell (read by exceljs as wall-clock time in UTC) within a second of `wallClockMs`. */
function assertSameSecond(cell: unknown, wallClockMs: number): void {
  assert.ok(cell instanceof Date, `a date cell, not ${String(cell)}`);
  assert.ok(
    Math.abs(cell.getTime() - wallClockMs) < 1000,
    `${cell.toISOString()} vs ${new Date(wallClockMs).toISOString()}`,
  );
}

/** Polls until the export is final; returns the last answer and every Progress seen. */
async function pollExport(client: SasClient, action: string, id: number) {
  const progress: number[] = [];
  for (let i = 0; i < 600; i++) {
    const info = await client.call(action, { ExportId: id });
    progress.push(info.Progress as number);
    if (info.ExportStatus === 'success' || info.ExportStatus === 'failed') return { info, progress };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`export ${id} did not finish within a minute`);
}

async function download(link: string, headers: Record<string, string> = {}) {
  const response = await fetch(link, { headers });
  return { response, body: Buffer.from(await response.arrayBuffer()) };
}

const storages = ['local', 's3'] as const;

for (const dialect of dialects) {
  for (const storage of storages) {
    describe(`Sas exports (${dialect}, ${storage} storage)`, () => {
      let s3: S3Server | undefined;
      let parapet: ParapetProcess;
      let db: Database;
      let findings: FindingRow[];
      const root = () =>
        ({
          accessKeyId: parapet.rootKey.accessKeyId,
          accessKeySecret: parapet.rootKey.accessKeySecret,
        }) as const;

      before(async () => {
        s3 = storage === 's3' ? await startS3Server() : undefined;
        parapet = await startParapet(dialect, `sas-export-${storage}`, { TZ: SERVER_TZ, ...s3?.env });
        parapet.cli(['demo-data', '--hosts', '12', '--vulns', '360', '--seed', '7']);
        db = await openDatabase({
          url: parapet.env.PARAPET_DATABASE_URL || `${parapet.env.PARAPET_DATA_DIR}/parapet.db`,
        });
        findings = await db.all<FindingRow>(
          `SELECT v.id, v.type, v.name, v.alias_name, v.necessity, v.status, v.package_name, v.package_version,
             v.fixed_version, v.first_ts, v.last_ts, h.uuid, h.instance_name, h.internet_ip, h.group_id
           FROM vulnerabilities v JOIN hosts h ON h.id = v.host_id ORDER BY v.id`,
        );
      });
      after(async () => {
        await db?.close();
        await parapet?.stop();
        await s3?.stop();
      });

      test('every client exports, polls and downloads a file whose rows are the matching findings', async () => {
        const cve = findings.filter((f) => f.type === 'cve');
        const someGroup =
          findings.find((f) => f.type === 'app' && f.group_id !== null)?.group_id ?? undefined;
        const twoHosts = [...new Set(cve.map((f) => f.uuid))].slice(0, 2);
        const packaged = cve.filter((f) => f.package_name !== '');
        const [pkgA, pkgB] = [
          packaged[0],
          packaged.find((f) => f.package_name !== packaged[0]?.package_name),
        ];
        assert.ok(someGroup !== undefined && pkgA && pkgB && twoHosts.length === 2, 'demo data has variety');
        const firstSeen = cve.map((f) => f.first_ts).sort((a, b) => a - b);
        const [from, to] = [
          firstSeen[Math.floor(firstSeen.length / 4)],
          firstSeen[Math.floor(firstSeen.length / 2)],
        ];
        assert.ok(from !== undefined && to !== undefined);

        const cases: ExportCase[] = [
          {
            label: 'all cve, en',
            client: 'openapi-v3',
            params: { Type: 'cve', Lang: 'en' },
            keep: (f) => f.type === 'cve',
          },
          {
            label: 'urgent unhandled, zh',
            client: 'openapi-v1',
            params: { Type: 'cve', Necessity: 'asap,later', Dealed: 'n' },
            keep: (f) =>
              f.type === 'cve' &&
              ['asap', 'later'].includes(f.necessity) &&
              !HANDLED_STATUSES.includes(f.status as VulStatus),
          },
          {
            label: 'app in one group',
            client: 'pop-core',
            params: { Type: 'app', GroupId: someGroup },
            keep: (f) => f.type === 'app' && f.group_id === someGroup,
          },
          {
            label: 'two hosts',
            client: 'openapi-v3',
            params: { Type: 'cve', Uuids: twoHosts.join(',') },
            keep: (f) => f.type === 'cve' && twoHosts.includes(f.uuid),
          },
          {
            label: 'packages (VulEntityList)',
            client: 'openapi-v1',
            params: {
              Type: 'cve',
              'VulEntityList.1.EntityName': pkgA.package_name,
              'VulEntityList.2.EntityName': pkgB.package_name,
              'VulEntityList.2.EntityVersion': pkgB.package_version,
            },
            keep: (f) =>
              f.type === 'cve' &&
              (f.package_name === pkgA.package_name ||
                (f.package_name === pkgB.package_name && f.package_version === pkgB.package_version)),
          },
          {
            label: 'first seen in a range',
            client: 'pop-core',
            params: { Type: 'cve', CreateTsStart: from, CreateTsEnd: to },
            keep: (f) => f.type === 'cve' && f.first_ts >= from && f.first_ts <= to,
          },
        ];

        for (const c of cases) {
          const client = makeSasClient(c.client, parapet.endpoint, root());
          const started = await client.call('ExportVul', c.params);
          assert.equal(typeof started.Id, 'number', c.label);
          assert.match(String(started.FileName), /^(cve|app)_\d{8}$/, c.label);

          const { info, progress } = await pollExport(client, 'DescribeVulExportInfo', started.Id as number);
          const expected = findings.filter(c.keep);
          assert.equal(info.ExportStatus, 'success', `${c.label}: ${JSON.stringify(info)}`);
          assert.equal(info.Message, 'success');
          assert.equal(info.Progress, 100);
          assert.equal(info.TotalCount, expected.length, c.label);
          assert.equal(info.CurrentCount, expected.length, c.label);
          assert.deepEqual(
            progress,
            [...progress].sort((a, b) => a - b),
            `${c.label}: progress never goes back`,
          );
          assert.ok(expected.length > 0, `${c.label} selects something`);

          const { response, body } = await download(String(info.Link));
          assert.equal(response.status, 200, c.label);
          assert.match(
            String(response.headers.get('content-disposition')),
            /attachment; filename=".*\.xlsx"/,
          );
          const [sheet, ...more] = await readWorkbook(body);
          assert.ok(sheet);
          assert.equal(more.length, 0);
          assert.equal(sheet.header[0], c.params.Lang === 'en' ? 'Host name' : '主机名称', c.label);
          assert.equal(sheet.rows.length, info.TotalCount, c.label);

          // Columns: host name, public IP, private IP, uuid, group, alias, name, CVEs, type, priority,
          // status, first seen, last seen, package, installed, fixed, fix command, path.
          const byKey = new Map(expected.map((f) => [`${f.uuid}|${f.name}`, f]));
          const seen = new Set(sheet.rows.map((row) => `${String(row[3])}|${String(row[6])}`));
          assert.deepEqual(
            seen,
            new Set(byKey.keys()),
            `${c.label}: the rows are exactly the matching findings`,
          );
          for (const row of sheet.rows.filter((_, i) => i % 7 === 0)) {
            const f = byKey.get(`${String(row[3])}|${String(row[6])}`);
            assert.ok(f);
            assert.equal(row[0] ?? '', f.instance_name);
            assert.equal(row[1] ?? '', f.internet_ip);
            assert.equal(row[5] ?? '', f.alias_name);
            assertSameSecond(row[11], f.first_ts + SERVER_OFFSET_MS);
            assertSameSecond(row[12], f.last_ts + SERVER_OFFSET_MS);
            assert.equal(row[13] ?? '', f.package_name);
            assert.equal(row[14] ?? '', f.package_version);
          }
        }
      });

      test('the link supports Range and If-None-Match, and is refused when tampered with or expired', async () => {
        const client = makeSasClient('openapi-v3', parapet.endpoint, root());
        const { Id } = await client.call('ExportVul', { Type: 'cve', Necessity: 'nntf' });
        const { info } = await pollExport(client, 'DescribeVulExportInfo', Id as number);
        const link = String(info.Link);
        const whole = await download(link);
        assert.equal(whole.response.status, 200);
        assert.equal(Number(whole.response.headers.get('content-length')), whole.body.length);
        assert.equal(whole.body.subarray(0, 2).toString(), 'PK');

        const part = await download(link, { Range: 'bytes=10-99' });
        assert.equal(part.response.status, 206);
        assert.equal(part.response.headers.get('content-range'), `bytes 10-99/${whole.body.length}`);
        assert.deepEqual(part.body, whole.body.subarray(10, 100));
        const tail = await download(link, { Range: 'bytes=-16' });
        assert.deepEqual(tail.body, whole.body.subarray(-16));

        const etag = whole.response.headers.get('etag');
        assert.ok(etag);
        assert.equal((await download(link, { 'If-None-Match': etag })).response.status, 304);

        const url = new URL(link);
        const token = url.pathname.split('/').at(-1) ?? '';
        const flipped = token.slice(0, -1) + (token.at(-1) === 'A' ? 'B' : 'A');
        const tampered = await download(new URL(url.pathname.replace(token, flipped), url).toString());
        assert.equal(tampered.response.status, 403);
        const error = JSON.parse(tampered.body.toString()) as Record<string, unknown>;
        assert.equal(error.Code, 'DownloadLink.Invalid');
        assert.ok(error.RequestId);

        // The same claims, correctly signed with the server's key, but past their expiry.
        const [tenantId, artifactId] = token.split('.').map(Number);
        const serverKey = loadServerKey({
          envValue: undefined,
          dataDir: String(parapet.env.PARAPET_DATA_DIR),
        });
        const stale = signDownloadToken(serverKey, {
          tenantId: tenantId ?? 0,
          artifactId: artifactId ?? 0,
          expiresAt: Date.now() - 1000,
        });
        const expired = await download(new URL(url.pathname.replace(token, stale), url).toString());
        assert.equal(expired.response.status, 403);
        assert.equal(
          (JSON.parse(expired.body.toString()) as Record<string, unknown>).Code,
          'DownloadLink.Expired',
        );
      });

      test('ExportRecord exports hosts, and empty inventories as their columns', async () => {
        const client = makeSasClient('pop-core', parapet.endpoint, root());
        const hosts = await client.call('ExportRecord', { ExportType: 'assetInstance', Lang: 'en' });
        assert.match(String(hosts.FileName), /^assetInstance_\d{8}\.xlsx$/);
        const { info } = await pollExport(client, 'DescribeExportInfo', hosts.Id as number);
        assert.equal(info.ExportStatus, 'success');
        assert.equal(info.TotalCount, 12);
        const [sheet] = await readWorkbook((await download(String(info.Link))).body);
        assert.equal(sheet?.header[0], 'Host name');
        const hostRows = await db.all<{ uuid: string; instance_name: string }>(
          'SELECT uuid, instance_name FROM hosts ORDER BY id',
        );
        assert.deepEqual(
          sheet?.rows.map((row) => [row[3], row[0]]),
          hostRows.map((h) => [h.uuid, h.instance_name]),
        );

        const users = await client.call('ExportRecord', { ExportType: 'user' });
        const usersDone = await pollExport(client, 'DescribeExportInfo', users.Id as number);
        assert.equal(usersDone.info.TotalCount, 0);
        const [userSheet] = await readWorkbook((await download(String(usersDone.info.Link))).body);
        assert.equal(userSheet?.header[3], '用户名');
        assert.equal(userSheet?.rows.length, 0);

        const refused = await expectSasError(client.call('ExportRecord', { ExportType: 'baselineCspm' }));
        assert.equal(refused.code, 'InvalidParameter');
        const badParams = await expectSasError(
          client.call('ExportRecord', { ExportType: 'port', Params: '{"currentPage":' }),
        );
        assert.equal(badParams.code, 'InvalidParameter');
      });

      test('exports are the caller’s: NoPermission without ExportVul, another tenant’s id is not found', async () => {
        parapet.cli(['admin', 'user', 'create', 'auditor']);
        const key = parapet.cli(['admin', 'key', 'create', 'auditor']);
        const auditor = makeSasClient('openapi-v3', parapet.endpoint, {
          accessKeyId: String(key.AccessKeyId),
          accessKeySecret: String(key.AccessKeySecret),
        });
        const denied = await expectSasError(auditor.call('ExportVul', { Type: 'cve' }));
        assert.equal(denied.code, 'NoPermission');
        assert.equal(denied.statusCode, 403);

        const client = makeSasClient('openapi-v3', parapet.endpoint, root());
        const mine = await client.call('ExportVul', { Type: 'sys' });
        const other = parapet.cli(['admin', 'tenant', 'create', 'other-co']);
        const stranger = makeSasClient('openapi-v1', parapet.endpoint, {
          accessKeyId: String(other.AccessKeyId),
          accessKeySecret: String(other.AccessKeySecret),
        });
        const notFound = await expectSasError(
          stranger.call('DescribeVulExportInfo', { ExportId: mine.Id as number }),
        );
        assert.equal(notFound.code, 'ExportTask.NotFound');
        assert.equal(notFound.statusCode, 404);

        const bad = await expectSasError(client.call('DescribeVulExportInfo', { ExportId: 'abc' }));
        assert.equal(bad.code, 'InvalidParameter');
        const missing = await expectSasError(client.call('ExportVul', {}));
        assert.equal(missing.code, 'MissingParameter');
        const range = await expectSasError(
          client.call('ExportVul', { Type: 'cve', CreateTsStart: 10, CreateTsEnd: 5 }),
        );
        assert.equal(range.code, 'InvalidParameter');
      });
    });
  }
}
