/**
 * Local images on both databases, against a small explicit fixture: every
 * image filter, paging, the derived counts and severity, tenant isolation, the
 * vulnerability listings of one image and of one vulnerability, and the image
 * vulnerability export source.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ImageFilter, ImageVulFilter, LocalImage } from '../domain/images.ts';
import type { Database } from '../persistence/database.ts';
import { dialects, openTestDatabase } from '../../test/support/databases.ts';
import {
  addImageVul,
  API_NAME,
  DAY,
  HOUR,
  ID,
  makeImageFixture,
  NOW,
  U,
  type ImageFixture,
} from '../../test/support/images.ts';
import { imageVulExportSource } from './exports/image-vul-export.ts';
import { listImageVulnerabilities, listLocalImages, listVulAffectImages } from './images.ts';

const ALL = { offset: 0, limit: 100 };

for (const dialect of dialects) {
  describe(`local images on ${dialect}`, () => {
    let db: Database;
    let f: ImageFixture;
    const list = (filter: ImageFilter, page = ALL, tenantId = f.tenantA) =>
      listLocalImages(f.app, tenantId, filter, page);
    const names = async (filter: ImageFilter) => (await list(filter)).images.map((i) => i.name);

    before(async () => {
      db = await openTestDatabase(dialect, `images-${dialect}`);
      f = await makeImageFixture(db);
    });
    after(() => db.close());

    test('newest first, with counts, severity level and the first host derived', async () => {
      const { total, images } = await list({});
      assert.equal(total, 4);
      const byName = new Map(images.map((i) => [i.name, i]));
      assert.deepEqual(
        images.map((i) => i.imageId),
        [ID.nginx, ID.api, ID.redis, ID.busybox],
      );
      assert.deepEqual(byName.get('nginx'), {
        imageId: ID.nginx,
        name: 'nginx',
        version: '1.21.6',
        digest: `sha256:${[...ID.nginx].reverse().join('')}`,
        size: 142_000_000,
        localImageType: 'other_image',
        scanStatus: 'success',
        scanFailedDesc: '',
        latestUpdateTime: NOW - DAY,
        latestScanTime: NOW - DAY + HOUR,
        vulNum: 4,
        unsafeSettingNum: 2,
        maliciousFileNum: 0,
        hostNum: 2,
        containerNum: 2,
        componentNum: 120,
        severityLevel: 'High',
        hostName: 'web-01',
        hostId: U.web,
        agentId: U.web,
      } satisfies LocalImage);
      const pick = (name: string) => {
        const { vulNum, hostNum, containerNum, severityLevel, hostId, latestScanTime, scanFailedDesc } =
          byName.get(name)!;
        return { vulNum, hostNum, containerNum, severityLevel, hostId, latestScanTime, scanFailedDesc };
      };
      assert.deepEqual(pick(API_NAME), {
        ...{ vulNum: 3, hostNum: 1, containerNum: 0, severityLevel: 'Medium', hostId: U.k8s },
        ...{ latestScanTime: NOW - 2 * DAY + HOUR, scanFailedDesc: '' },
      });
      assert.deepEqual(pick('redis'), {
        ...{ vulNum: 0, hostNum: 1, containerNum: 0, severityLevel: 'Security', hostId: U.db },
        ...{ latestScanTime: undefined, scanFailedDesc: '' },
      });
      assert.equal(pick('busybox').severityLevel, 'Low');
      assert.equal(pick('busybox').scanFailedDesc, 'docker_offline');
    });

    test('every filter narrows', async () => {
      const cases: [ImageFilter, string[]][] = [
        [{ imageIds: [ID.api, ID.redis] }, [API_NAME, 'redis']],
        [{ imageIds: [] }, []],
        [{ imageName: 'NGINX' }, ['nginx']],
        [{ imageName: 'n_inx' }, []],
        [{ imageName: 'team/api' }, [API_NAME]],
        [{ imageVersion: '1.21.6' }, ['nginx']],
        [{ imageVersion: '1.21' }, []],
        [{ hostName: 'DB-0' }, ['nginx', 'redis']],
        [{ hostId: U.k8s }, [API_NAME]],
        [{ hostId: U.other }, []],
        [{ hostIp: '203.0.113.10' }, ['nginx', 'busybox']],
        [{ hostIp: '172.16.0.9' }, ['nginx', 'busybox']],
        [{ hostIp: '10.0.0.2' }, ['nginx', 'redis']],
        [{ hostIp: '10.0.0' }, []],
        [{ containerId: 'e'.repeat(64) }, ['nginx']],
        [{ containerName: 'NGINX-W' }, ['nginx']],
        [{ podId: 'pod-1' }, ['nginx']],
        [{ podName: 'shop' }, ['nginx']],
        [{ podName: 'zzz' }, []],
        [{ appName: 'LOG4J' }, ['nginx']],
        [{ appName: 'glibc' }, ['nginx', API_NAME, 'busybox']],
        [{ imageSize: 142_000_000 }, ['nginx']],
        [{ updateTimeFrom: NOW - 2 * DAY }, ['nginx', API_NAME]],
        [{ updateTimeFrom: NOW - 3 * DAY, updateTimeTo: NOW - 2 * DAY }, [API_NAME, 'redis']],
        [{ scanTimeTo: NOW - 2 * DAY + HOUR }, [API_NAME, 'busybox']],
        [{ scanTimeFrom: 0 }, ['nginx', API_NAME, 'busybox']],
        [{ hasVul: true }, ['nginx', API_NAME, 'busybox']],
        [{ hasVul: false }, ['redis']],
        [{ hasContainer: true }, ['nginx']],
        [{ hasContainer: false }, [API_NAME, 'redis', 'busybox']],
        [{ scanStatus: 'failed' }, ['busybox']],
        [{ scanStatus: 'waiting_for_scan' }, []],
        [{ localImageType: 'swr_image' }, [API_NAME]],
        [{ hostName: 'web', hasVul: true, imageName: 'box' }, ['busybox']],
      ];
      for (const [filter, expected] of cases) {
        assert.deepEqual(await names(filter), expected, JSON.stringify(filter));
        assert.equal((await list(filter)).total, expected.length, `total of ${JSON.stringify(filter)}`);
      }
    });

    test('a host filter shows the first matching host', async () => {
      const [nginx] = (await list({ hostName: 'db-02', imageName: 'nginx' })).images;
      assert.deepEqual([nginx?.hostName, nginx?.hostId, nginx?.agentId], ['db-02', U.db, U.db]);
      assert.equal(nginx?.hostNum, 2, 'counts are not narrowed');
    });

    test('pages slice the same order and keep the total', async () => {
      const first = await list({}, { offset: 0, limit: 2 });
      const second = await list({}, { offset: 2, limit: 2 });
      const beyond = await list({}, { offset: 4, limit: 2 });
      assert.deepEqual([first.total, second.total, beyond.total], [4, 4, 4]);
      assert.deepEqual(
        [...first.images, ...second.images].map((i) => i.name),
        ['nginx', API_NAME, 'redis', 'busybox'],
      );
      assert.deepEqual(beyond.images, []);
    });

    test("another tenant's images never appear, even by image id", async () => {
      const b = await list({}, ALL, f.tenantB);
      assert.deepEqual(
        b.images.map((i) => [i.imageId, i.vulNum, i.hostId, i.severityLevel]),
        [[ID.nginx, 2, U.other, 'High']],
      );
      const a = await list({ imageIds: [ID.nginx] });
      assert.deepEqual(
        a.images.map((i) => [i.vulNum, i.hostNum, i.hostId]),
        [[4, 2, U.web]],
      );
      assert.equal((await list({ hostId: U.web }, ALL, f.tenantB)).total, 0);
      const none = await listImageVulnerabilities(f.app, f.tenantB, ID.api, {}, ALL);
      assert.deepEqual(none, { total: 0, vulnerabilities: [] });
      const theirs = await listImageVulnerabilities(f.app, f.tenantB, ID.nginx, {}, ALL);
      assert.deepEqual(
        theirs.vulnerabilities.map((v) => v.vulId),
        ['CVE-2023-4911', 'CVE-2024-9999'],
      );
    });

    test('vulnerabilities of one image: most severe first, filters, paging', async () => {
      const vuls = (filter: ImageVulFilter, page = ALL) =>
        listImageVulnerabilities(f.app, f.tenantA, ID.nginx, filter, page);
      const all = await vuls({});
      assert.equal(all.total, 4);
      assert.deepEqual(
        all.vulnerabilities.map((v) => [v.vulId, v.severity, v.appName]),
        [
          ['CVE-2021-44228', 'Critical', 'log4j-core'],
          ['CVE-2023-4911', 'High', 'glibc'],
          ['CVE-2023-4911', 'Medium', 'glibc-common'],
          ['USN-6000-1', 'Low', 'glibc'],
        ],
      );
      const [log4j] = all.vulnerabilities;
      assert.deepEqual(
        [log4j?.type, log4j?.repairNecessity, log4j?.appPath, log4j?.cvss, log4j?.cveIds, log4j?.version],
        ['app_vul', 'immediate_repair', '/app/lib/log4j-core-2.14.1.jar', 10, ['CVE-2021-44228'], '1.0.0'],
      );
      assert.deepEqual(all.vulnerabilities[3]?.cveIds, ['CVE-2023-1', 'CVE-2023-2']);
      const ids = async (filter: ImageVulFilter) => (await vuls(filter)).vulnerabilities.map((v) => v.vulId);
      assert.deepEqual(await ids({ type: 'app_vul' }), ['CVE-2021-44228']);
      assert.deepEqual(await ids({ handleStatus: 'handled' }), ['CVE-2023-4911']);
      assert.deepEqual(await ids({ vulIds: ['USN-6000-1', 'CVE-2021-44228'] }), [
        'CVE-2021-44228',
        'USN-6000-1',
      ]);
      assert.deepEqual(await ids({ vulIdLike: 'cve-2023' }), ['CVE-2023-4911', 'CVE-2023-4911']);
      assert.deepEqual(await ids({ vulIdLike: 'CVE-2023_' }), []);
      assert.deepEqual(await ids({ appName: 'log4j' }), []);
      assert.deepEqual(await ids({ appName: 'glibc-common' }), ['CVE-2023-4911']);
      assert.deepEqual(await ids({ repairNecessity: 'immediate_repair' }), [
        'CVE-2021-44228',
        'CVE-2023-4911',
      ]);
      assert.deepEqual(await ids({ repairNecessity: 'not_needed_repair' }), ['USN-6000-1']);
      const page = await vuls({}, { offset: 1, limit: 2 });
      assert.equal(page.total, 4);
      assert.deepEqual(
        page.vulnerabilities.map((v) => v.severity),
        ['High', 'Medium'],
      );
    });

    test('images affected by a vulnerability: one row per image, filters', async () => {
      const affected = (filter: Parameters<typeof listVulAffectImages>[2]) =>
        listVulAffectImages(f.app, f.tenantA, { vulId: 'CVE-2023-4911', ...filter }, ALL);
      const all = await affected({});
      assert.equal(all.total, 2);
      assert.deepEqual(all.images[0], {
        imageId: ID.nginx,
        imageName: 'nginx',
        imageVersion: '1.21.6',
        imageDigest: `sha256:${[...ID.nginx].reverse().join('')}`,
        vulId: 'CVE-2023-4911',
        severity: 'High',
        status: 'vul_status_unfix',
        firstScanTime: NOW - 9 * DAY,
        latestScanTime: NOW - HOUR,
        containerNum: 2,
        hostNum: 2,
        agentId: U.web,
      });
      assert.deepEqual(
        [all.images[1]?.imageId, all.images[1]?.status, all.images[1]?.severity, all.images[1]?.agentId],
        [ID.api, 'vul_status_ignored', 'Medium', U.k8s],
      );
      const images = async (filter: Parameters<typeof affected>[0]) =>
        (await affected(filter)).images.map((i) => [i.imageName, i.status, i.severity]);
      assert.deepEqual(await images({ isHandled: true }), [
        ['nginx', 'vul_status_ignored', 'Medium'],
        [API_NAME, 'vul_status_ignored', 'Medium'],
      ]);
      assert.deepEqual(await images({ isHandled: false }), [['nginx', 'vul_status_unfix', 'High']]);
      assert.deepEqual(await images({ status: 'vul_status_unfix' }), [['nginx', 'vul_status_unfix', 'High']]);
      assert.deepEqual(await images({ type: 'app_vul' }), []);
      assert.deepEqual(await images({ severity: 'Medium', imageName: 'API' }), [
        [API_NAME, 'vul_status_ignored', 'Medium'],
      ]);
      assert.deepEqual(await images({ imageId: ID.api }), [[API_NAME, 'vul_status_ignored', 'Medium']]);
      assert.equal((await affected({ vulId: 'CVE-2024-9999' })).total, 0, "another tenant's vulnerability");
      const page = await listVulAffectImages(
        f.app,
        f.tenantA,
        { vulId: 'CVE-2023-4911' },
        { offset: 1, limit: 1 },
      );
      assert.deepEqual([page.total, page.images.map((i) => i.imageId)], [2, [ID.api]]);
      await assert.rejects(listVulAffectImages(f.app, f.tenantA, {}, ALL), { code: 'MissingParameter' });
    });

    test('the export source: snapshot, rows up to it, localized cells', async () => {
      const rows = async (
        source: ReturnType<typeof imageVulExportSource>,
        maxId: number,
        lang: 'zh' | 'en',
      ) => {
        const out = [];
        for await (const page of source.pages(db, f.tenantA, maxId, lang)) out.push(...page);
        return out;
      };
      const everything = imageVulExportSource({ images: {}, vulnerabilities: {} });
      const snapshot = await everything.snapshot(db, f.tenantA);
      assert.equal(snapshot.count, 8);
      const added = await addImageVul(db, f.tenantA, f.refs.redis, {
        vulId: 'CVE-2025-0001',
        severity: 'Low',
      });
      assert.ok(added > snapshot.maxId);
      const zh = await rows(everything, snapshot.maxId, 'zh');
      assert.equal(zh.length, snapshot.count, 'the row added after the snapshot is left out');
      assert.equal((await rows(everything, added, 'zh')).length, snapshot.count + 1);
      assert.equal(everything.columns.length, zh[0]?.length);

      const log4j = imageVulExportSource({
        images: { imageIds: [ID.nginx] },
        vulnerabilities: { type: 'app_vul' },
      });
      const { count, maxId } = await log4j.snapshot(db, f.tenantA);
      assert.equal(count, 1);
      const [en] = await rows(log4j, maxId, 'en');
      assert.deepEqual(en, [
        ...['nginx', '1.21.6', ID.nginx, 'CVE-2021-44228', 'CVE-2021-44228 in log4j-core', 'CVE-2021-44228'],
        ...['Application', 'Critical', 'Fix now', 'Unhandled', 'log4j-core', '1.0.0', '1.0.1'],
        ...['/app/lib/log4j-core-2.14.1.jar', `sha256:${'1'.repeat(64)}`, 2, 2, NOW - 2 * DAY, NOW - HOUR],
        'Upgrade log4j-core to 1.0.1.',
      ]);
      const [zhRow] = await rows(log4j, maxId, 'zh');
      assert.deepEqual(zhRow?.slice(6, 10), ['应用漏洞', '严重', '立即修复', '未处理']);
      const handled = imageVulExportSource({
        images: { hasContainer: false },
        vulnerabilities: { handleStatus: 'handled' },
      });
      const handledSnapshot = await handled.snapshot(db, f.tenantA);
      assert.equal(handledSnapshot.count, 2);
      const handledRows = await rows(handled, handledSnapshot.maxId, 'en');
      assert.deepEqual(handledRows.map((r) => r[3]).sort(), ['CVE-2022-0001', 'CVE-2023-4911']);
      assert.equal((await handled.snapshot(db, f.tenantB)).count, 0, 'per tenant');
    });
  });
}
