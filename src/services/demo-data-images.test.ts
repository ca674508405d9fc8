/**
 * Demo images on both databases: determinism, counts and well-formed rows,
 * appending to a tenant that already has images and hosts, and the image
 * listings over the generated rows.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dialects, openTestDatabase } from '../../test/support/databases.ts';
import { makeTestApp } from '../../test/support/app-context.ts';
import { addTenant } from '../../test/support/images.ts';
import {
  IMAGE_SCAN_STATUSES,
  IMAGE_VUL_SEVERITIES,
  LOCAL_IMAGE_TYPES,
  SCAN_FAILED_DESCS,
} from '../domain/images.ts';
import type { Database, SqlValue } from '../persistence/database.ts';
import { generateDemoData } from './demo-data.ts';
import { listImageVulnerabilities, listLocalImages } from './images.ts';

const NOW = Date.UTC(2025, 0, 15);
const MB = 1_048_576;
type Row = Record<string, SqlValue>;

async function withDatabase(dialect: (typeof dialects)[number], fn: (db: Database) => Promise<void>) {
  const db = await openTestDatabase(dialect, import.meta.filename);
  try {
    await fn(db);
  } finally {
    await db.close();
  }
}

const count = async (db: Database, sql: string, params: SqlValue[] = []) =>
  Number((await db.get<{ n: number }>(sql, params))!.n);

/** A tenant's image rows with row ids replaced by what they point at (image id, host uuid). */
async function snapshot(db: Database, tenantId: number) {
  const images = await db.all<Row>(
    `SELECT image_id, name, version, digest, size, local_image_type, scan_status, scan_failed_desc, component_num,
       unsafe_setting_num, malicious_file_num, latest_update_time, latest_scan_time
     FROM images WHERE tenant_id = ? ORDER BY image_id`,
    [tenantId],
  );
  const hosts = await db.all<Row>(
    `SELECT i.image_id, h.uuid, ih.first_seen_at FROM image_hosts ih
     JOIN images i ON i.id = ih.image_ref JOIN hosts h ON h.id = ih.host_id
     WHERE ih.tenant_id = ? ORDER BY i.image_id, h.uuid`,
    [tenantId],
  );
  const containers = await db.all<Row>(
    `SELECT i.image_id, c.container_id, c.container_name, c.pod_id, c.pod_name, c.created_at
     FROM image_containers c JOIN images i ON i.id = c.image_ref
     WHERE c.tenant_id = ? ORDER BY c.container_id`,
    [tenantId],
  );
  const vulnerabilities = await db.all<Row>(
    `SELECT i.image_id, v.vul_id, v.vul_name, v.type, v.severity, v.handle_status, v.app_name, v.app_version,
       v.fixed_version, v.app_path, v.position, v.cve_ids, v.cvss, v.first_scan_time, v.latest_scan_time
     FROM image_vulnerabilities v JOIN images i ON i.id = v.image_ref
     WHERE v.tenant_id = ? ORDER BY i.image_id, v.vul_id, v.app_name, v.app_path`,
    [tenantId],
  );
  return { images, hosts, containers, vulnerabilities };
}

for (const dialect of dialects) {
  test(`${dialect}: the same seed gives the same images, another seed other ones`, async () => {
    const runs: Awaited<ReturnType<typeof snapshot>>[] = [];
    for (const seed of [5, 5, 6]) {
      await withDatabase(dialect, async (db) => {
        const tenantId = await addTenant(db, 'acme');
        await generateDemoData(db, { tenantId, hosts: 10, vulns: 0, images: 40, seed, now: NOW });
        runs.push(await snapshot(db, tenantId));
      });
    }
    const [first, again, other] = runs;
    assert.equal(first!.images.length, 40);
    assert.deepEqual(again, first);
    assert.notDeepEqual(other!.images, first!.images);
  });

  test(`${dialect}: counts match and rows look like a scanner wrote them`, async () => {
    await withDatabase(dialect, async (db) => {
      const tenantId = await addTenant(db, 'acme');
      // More images than one batch.
      const summary = await generateDemoData(db, { tenantId, hosts: 20, vulns: 200, images: 260, now: NOW });
      assert.equal(summary.images, 260);
      assert.equal(await count(db, 'SELECT COUNT(*) AS n FROM images'), 260);
      assert.equal(
        await count(db, 'SELECT COUNT(*) AS n FROM image_vulnerabilities'),
        summary.imageVulnerabilities,
      );
      assert.ok(summary.imageVulnerabilities > 260 * 5, `${summary.imageVulnerabilities} vulnerabilities`);

      const { images, hosts, containers, vulnerabilities } = await snapshot(db, tenantId);
      const statuses = new Map<unknown, number>();
      for (const image of images) {
        statuses.set(image.scan_status, (statuses.get(image.scan_status) ?? 0) + 1);
        assert.match(String(image.image_id), /^[0-9a-f]{64}$/);
        assert.match(String(image.digest), /^sha256:[0-9a-f]{64}$/);
        assert.ok(Number(image.size) >= 10 * MB && Number(image.size) <= 1500 * MB);
        assert.ok((IMAGE_SCAN_STATUSES as readonly unknown[]).includes(image.scan_status));
        assert.ok((LOCAL_IMAGE_TYPES as readonly unknown[]).includes(image.local_image_type));
        assert.equal(image.local_image_type === 'swr_image', String(image.name).startsWith('swr.'));
        assert.ok(Number(image.latest_update_time) <= NOW);
        const failed = image.scan_status === 'failed';
        assert.ok(
          failed
            ? (SCAN_FAILED_DESCS as readonly unknown[]).includes(image.scan_failed_desc)
            : image.scan_failed_desc === '',
        );
        const scanned = ['success', 'failed'].includes(String(image.scan_status));
        assert.equal(image.latest_scan_time !== null, scanned);
        if (scanned) assert.ok(Number(image.latest_scan_time) >= Number(image.latest_update_time));
      }
      assert.ok(statuses.get('success')! > 260 * 0.7, 'mostly scanned');
      assert.ok(statuses.get('unscan')! > 0 && statuses.get('failed')! > 0, 'some not scanned, some failed');
      assert.ok(
        images.some((i) => i.local_image_type === 'swr_image') && images.some((i) => i.name === 'nginx'),
      );

      const hostsPerImage = Map.groupBy(hosts, (h) => h.image_id);
      assert.equal(hostsPerImage.size, 260, 'every image is on a host');
      assert.ok([...hostsPerImage.values()].every((list) => list.length >= 1 && list.length <= 3));
      const linux = await count(
        db,
        "SELECT COUNT(*) AS n FROM image_hosts ih JOIN hosts h ON h.id = ih.host_id WHERE h.os = 'linux'",
      );
      assert.equal(linux, hosts.length, 'only on Linux hosts');
      assert.ok(containers.some((c) => c.pod_name !== '') && containers.some((c) => c.pod_name === ''));
      assert.equal(
        await count(db, 'SELECT COUNT(*) AS n FROM image_containers WHERE tenant_id <> ?', [tenantId]),
        0,
      );

      const unscanned = new Set(images.filter((i) => i.scan_status !== 'success').map((i) => i.image_id));
      const perImage = Map.groupBy(vulnerabilities, (v) => v.image_id);
      assert.ok(
        [...perImage.keys()].every((id) => !unscanned.has(id)),
        'only scanned images have vulnerabilities',
      );
      assert.ok([...perImage.values()].every((list) => list.length <= 80));
      for (const v of vulnerabilities) {
        assert.ok((IMAGE_VUL_SEVERITIES as readonly unknown[]).includes(v.severity));
        assert.match(String(v.position), /^sha256:[0-9a-f]{64}$/);
        if (v.type === 'linux_vul') assert.equal(v.app_path, '');
        else assert.match(String(v.app_path), /\.jar$|\/site-packages\/|\/node_modules\//);
      }
      const types = new Set(vulnerabilities.map((v) => v.type));
      assert.deepEqual([...types].sort(), ['app_vul', 'linux_vul']);
      assert.ok(vulnerabilities.some((v) => v.handle_status === 'handled'));
      assert.ok(vulnerabilities.some((v) => /^(USN|DSA|RHSA)-/.test(String(v.vul_id))));
      assert.ok(vulnerabilities.some((v) => /^CVE-/.test(String(v.vul_id)) && v.type === 'app_vul'));

      // The listings read the generated rows.
      const app = await makeTestApp(db);
      const listed = await listLocalImages(app, tenantId, { hasVul: true }, { offset: 0, limit: 5 });
      assert.equal(listed.total, perImage.size);
      const [newest] = listed.images;
      const vuls = await listImageVulnerabilities(
        app,
        tenantId,
        newest!.imageId,
        {},
        { offset: 0, limit: 200 },
      );
      assert.equal(vuls.total, newest!.vulNum);
      assert.equal(vuls.total, perImage.get(newest!.imageId)!.length);
    });
  });

  test(`${dialect}: appends to the tenant's images and refuses a tenant without Linux hosts`, async () => {
    await withDatabase(dialect, async (db) => {
      const tenantId = await addTenant(db, 'acme');
      const other = await addTenant(db, 'other');
      await assert.rejects(generateDemoData(db, { tenantId, hosts: 0, vulns: 0, images: 1 }), {
        code: 'InvalidParameter',
      });
      await generateDemoData(db, { tenantId: other, hosts: 5, vulns: 0, images: 20, now: NOW });
      const before = await snapshot(db, other);
      await generateDemoData(db, { tenantId, hosts: 5, vulns: 0, images: 30, now: NOW });
      const again = await generateDemoData(db, { tenantId, hosts: 0, vulns: 0, images: 30, now: NOW });
      assert.deepEqual([again.hosts, again.images], [0, 30]);
      assert.equal(
        await count(db, 'SELECT COUNT(DISTINCT image_id) AS n FROM images WHERE tenant_id = ?', [tenantId]),
        60,
      );
      assert.deepEqual(await snapshot(db, other), before, "another tenant's rows are untouched");
    });
  });
}
