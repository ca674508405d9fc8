/**
 * The HSS v5 dialect end to end: a real `parapet serve` on each database and
 * each storage backend. The official Huawei core SDK (AK/SK) and plain fetch
 * with an IAM token export image vulnerabilities, poll the task, download
 * the .zip, and the .xlsx inside is compared with the database.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import ExcelJS from 'exceljs';
import { openDatabase, type Database } from '../src/persistence/database.ts';
import { dialects } from './support/databases.ts';
import { makeHssSdkClient, unzipSingle, type HssSdkClient } from './support/hss-clients.ts';
import { startParapet, type ParapetProcess } from './support/parapet-process.ts';
import { startS3Server, type S3Server } from './support/s3-server.ts';

const PASSWORD = 'correct-horse-battery';

interface ImageVulRow {
  image_id: string;
  vul_id: string;
  type: string;
  handle_status: string;
  app_name: string;
  app_path: string;
  has_container: number;
}

function cellText(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  return value instanceof Date ? value.toISOString() : '';
}

async function readSheet(xlsx: Buffer): Promise<{ header: string[]; rows: string[][] }> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(xlsx as unknown as ArrayBuffer);
  const values: string[][] = [];
  for (const sheet of workbook.worksheets) {
    sheet.eachRow((row) => values.push((row.values as unknown[]).slice(1).map(cellText)));
  }
  return { header: values[0] ?? [], rows: values.slice(1) };
}

/** A row's identity in the export: image id, vulnerability id, package, path. */
function rowKey(header: string[], row: string[]): string {
  const at = (label: RegExp) => row[header.findIndex((h) => label.test(h))] ?? '';
  return [
    at(/^(Image ID|镜像ID)$/),
    at(/^(Vulnerability ID|漏洞编号)$/),
    at(/^(Package|软件)/),
    at(/^(Path|路径)$/),
  ].join('|');
}
const dbKey = (r: ImageVulRow) => [r.image_id, r.vul_id, r.app_name, r.app_path].join('|');

async function pollTask(get: () => Promise<Record<string, unknown>>): Promise<Record<string, unknown>> {
  for (let i = 0; i < 600; i++) {
    const info = await get();
    if (info.task_status !== 'running') return info;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the export did not finish within a minute');
}

const storages = ['local', 's3'] as const;

for (const dialect of dialects) {
  for (const storage of storages) {
    describe(`HSS exports (${dialect}, ${storage} storage)`, () => {
      let s3: S3Server | undefined;
      let parapet: ParapetProcess;
      let db: Database;
      let projectId: string;
      let tenantName: string;
      let rows: ImageVulRow[];
      let sdk: HssSdkClient;

      before(async () => {
        s3 = storage === 's3' ? await startS3Server() : undefined;
        parapet = await startParapet(dialect, `hss-api-${storage}`, { ...s3?.env });
        parapet.cli(['demo-data', '--hosts', '10', '--vulns', '100', '--images', '40', '--seed', '11']);
        parapet.cli(['admin', 'user', 'passwd', 'root', '--password', PASSWORD]);
        const tenants = parapet.cli(['admin', 'tenant', 'list']).Tenants as {
          ProjectId: string;
          Name: string;
        }[];
        projectId = tenants[0]?.ProjectId ?? '';
        tenantName = tenants[0]?.Name ?? '';
        db = await openDatabase({ url: parapet.databaseUrl });
        rows = await db.all<ImageVulRow>(
          `SELECT i.image_id, v.vul_id, v.type, v.handle_status, v.app_name, v.app_path,
             CASE WHEN EXISTS (SELECT 1 FROM image_containers c WHERE c.image_ref = i.id) THEN 1 ELSE 0 END AS has_container
           FROM image_vulnerabilities v JOIN images i ON i.id = v.image_ref`,
        );
        sdk = makeHssSdkClient(parapet.url, projectId, parapet.rootKey);
      });
      after(async () => {
        await db?.close();
        await parapet?.stop();
        await s3?.stop();
      });

      test('the SDK (AK/SK) exports chosen images, polls the task and downloads a zip holding the matching rows', async () => {
        const imageIds = [
          ...new Set(rows.filter((r) => r.type === 'linux_vul').map((r) => r.image_id)),
        ].slice(0, 4);
        const expected = rows.filter((r) => imageIds.includes(r.image_id) && r.type === 'linux_vul');
        assert.ok(expected.length > 0, 'the demo fleet has Linux vulnerabilities in images');

        const started = await sdk.send({
          method: 'POST',
          url: '/v5/{project_id}/image/local-vulnerability/export',
          queryParams: { export_size: 5000, enterprise_project_id: 'all_granted_eps' },
          data: { image_id_list: imageIds, operate_all: false, vul_type: 'linux_vul' },
        });
        assert.equal(started.httpStatusCode, 200);
        assert.equal(started.record_total_num, expected.length);
        assert.equal(typeof started.task_id, 'string');

        const info = await pollTask(() =>
          sdk.send({
            method: 'GET',
            url: '/v5/{project_id}/export-task/{task_id}',
            pathParams: { task_id: String(started.task_id) },
          }),
        );
        assert.equal(info.task_status, 'success');
        assert.equal(info.task_id, started.task_id);
        assert.match(String(info.file_name), /^hss-image-vul-zh-\d{14}\.zip$/);

        const file = await sdk.send({
          method: 'GET',
          url: '/v5/{project_id}/download/{file_id}',
          pathParams: { file_id: String(info.file_id) },
          binary: true,
        });
        assert.equal(file.httpStatusCode, 200);
        const entry = unzipSingle(Buffer.from(file.body as ArrayBuffer));
        assert.equal(entry.name, String(info.file_name).replace(/\.zip$/, '.xlsx'));
        const sheet = await readSheet(entry.data);
        assert.ok(
          sheet.header.includes('镜像名称'),
          `Chinese headers by default: ${sheet.header.join(', ')}`,
        );
        assert.equal(sheet.rows.length, expected.length);
        assert.deepEqual(
          sheet.rows.map((row) => rowKey(sheet.header, row)).sort(),
          expected.map(dbKey).sort(),
        );
      });

      test('export_size caps the file while record_total_num stays the true count', async () => {
        const matching = rows.filter((r) => r.handle_status === 'unhandled');
        assert.ok(matching.length > 7);
        const started = await sdk.send({
          method: 'POST',
          url: '/v5/{project_id}/image/local-vulnerability/export',
          queryParams: { export_size: 7 },
          data: { operate_all: true, handle_status: 'unhandled' },
        });
        assert.equal(started.record_total_num, matching.length);
        const info = await pollTask(() =>
          sdk.send({
            method: 'GET',
            url: '/v5/{project_id}/export-task/{task_id}',
            pathParams: { task_id: String(started.task_id) },
          }),
        );
        assert.equal(info.task_status, 'success');
        const file = await sdk.send({
          method: 'GET',
          url: '/v5/{project_id}/download/{file_id}',
          pathParams: { file_id: String(info.file_id) },
          binary: true,
        });
        const sheet = await readSheet(unzipSingle(Buffer.from(file.body as ArrayBuffer)).data);
        assert.equal(sheet.rows.length, 7);
        const allowed = new Set(matching.map(dbKey));
        for (const row of sheet.rows) assert.ok(allowed.has(rowKey(sheet.header, row)), row.join(' | '));
      });

      test('with an X-Auth-Token from POST /v3/auth/tokens, plain fetch runs the same flow in English, with Range', async () => {
        const login = await fetch(`${parapet.url}/v3/auth/tokens`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            auth: {
              identity: {
                methods: ['password'],
                password: { user: { name: 'root', password: PASSWORD, domain: { name: tenantName } } },
              },
              scope: { project: { id: projectId } },
            },
          }),
        });
        assert.equal(login.status, 201, await login.clone().text());
        const token = login.headers.get('x-subject-token') ?? '';
        assert.ok(token.length > 20);
        const headers = { 'x-auth-token': token, 'content-type': 'application/json' };
        const base = `${parapet.url}/v5/${projectId}`;

        const expected = rows.filter((r) => r.handle_status === 'unhandled' && r.has_container === 1);
        const response = await fetch(`${base}/image/local-vulnerability/export?export_size=100000&lang=en`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ operate_all: true, handle_status: 'unhandled', has_container: true }),
        });
        assert.equal(response.status, 200);
        assert.match(response.headers.get('x-request-id') ?? '', /^[0-9a-f]{32}$/);
        const started = (await response.json()) as Record<string, unknown>;
        assert.equal(started.record_total_num, expected.length);

        const info = await pollTask(
          async () =>
            (await (
              await fetch(`${base}/export-task/${String(started.task_id)}`, { headers })
            ).json()) as Record<string, unknown>,
        );
        assert.equal(info.task_status, 'success');
        assert.match(String(info.file_name), /^hss-image-vul-en-/);
        const download = await fetch(`${base}/download/${String(info.file_id)}`, { headers });
        assert.equal(download.status, 200);
        assert.equal(download.headers.get('content-type'), 'application/octet-stream');
        assert.match(
          download.headers.get('content-disposition') ?? '',
          /^attachment; filename="hss-image-vul-en-/,
        );
        const zip = Buffer.from(await download.arrayBuffer());
        const sheet = await readSheet(unzipSingle(zip).data);
        assert.ok(sheet.header.includes('Image name'), sheet.header.join(', '));
        assert.deepEqual(
          sheet.rows.map((row) => rowKey(sheet.header, row)).sort(),
          expected.map(dbKey).sort(),
        );

        const part = await fetch(`${base}/download/${String(info.file_id)}`, {
          headers: { ...headers, range: 'bytes=0-99' },
        });
        assert.equal(part.status, 206);
        assert.deepEqual(Buffer.from(await part.arrayBuffer()), zip.subarray(0, 100));
      });

      test('ListImageLocal pages the images with numbers as numbers', async () => {
        const { count } = (await db.get<{ count: number }>('SELECT COUNT(*) AS count FROM images')) ?? {
          count: 0,
        };
        const page = await sdk.send({
          method: 'GET',
          url: '/v5/{project_id}/image/local-repositories',
          queryParams: { offset: 5, limit: 10 },
        });
        assert.equal(page.total_num, Number(count));
        const list = page.data_list as Record<string, unknown>[];
        assert.equal(list.length, Math.min(10, Number(count) - 5));
        for (const image of list) {
          assert.match(String(image.image_id), /^[0-9a-f]{64}$/);
          for (const field of ['image_size', 'latest_update_time', 'vul_num', 'host_num', 'container_num']) {
            assert.equal(typeof image[field], 'number', field);
          }
        }
        const withVul = rows[0];
        assert.ok(withVul);
        const vuls = await sdk.send({
          method: 'GET',
          url: '/v5/{project_id}/image/{image_id}/vulnerabilities',
          pathParams: { image_id: withVul.image_id },
          queryParams: { image_type: 'local_image', limit: 200 },
        });
        assert.equal(vuls.total_num, rows.filter((r) => r.image_id === withVul.image_id).length);
        const affected = await sdk.send({
          method: 'GET',
          url: '/v5/{project_id}/vulnerability/images',
          queryParams: { vul_id: withVul.vul_id, limit: 200 },
        });
        assert.equal(
          affected.total_num,
          new Set(rows.filter((r) => r.vul_id === withVul.vul_id).map((r) => r.image_id)).size,
        );
      });
    });
  }
}
