/**
 * The listings of collectReportData on both databases: top vulnerabilities,
 * top hosts, urgent findings and the appendix, their order, limits and totals.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ReportScope } from '../../domain/report-data.ts';
import type { Necessity } from '../../domain/vulnerabilities.ts';
import { dialects, openTestDatabase } from '../../../test/support/databases.ts';
import { makeTestApp } from '../../../test/support/app-context.ts';
import { addTenant } from '../../../test/support/images.ts';
import type { AppContext } from '../context.ts';
import {
  addFinding,
  addGroupedHost,
  DAY,
  PERIOD,
  seedScenario,
  T0,
  UTC8,
  type Scenario,
} from './report-data-fixture.ts';
import { collectReportData, type ReportDataOptions } from './report-data.ts';

const ALL: ReportScope = { groupIds: [] };

/** A tenant of 12 hosts: host k has k findings (k asap), all different names, found on day k. */
async function seedCrowd(app: AppContext): Promise<number> {
  const tenantId = await addTenant(app.db, 'crowd');
  for (let k = 1; k <= 12; k++) {
    const hostId = await addGroupedHost(app.db, tenantId, {
      name: `host-${String(k).padStart(2, '0')}`,
      groupId: null,
    });
    for (let j = 1; j <= k; j++) {
      const necessity: Necessity = j === 1 ? 'asap' : 'nntf';
      const name = `vul-${String(j).padStart(2, '0')}`;
      await addFinding(app.db, tenantId, {
        hostId,
        type: 'sys',
        name,
        necessity,
        status: 1,
        firstTs: T0 - k * DAY,
      });
    }
  }
  return tenantId;
}

for (const dialect of dialects) {
  describe(`report data listings on ${dialect}`, () => {
    let app: AppContext;
    let fx: Scenario;
    let crowd: number;
    before(async () => {
      app = await makeTestApp(await openTestDatabase(dialect, import.meta.filename));
      fx = await seedScenario(app.db);
      crowd = await seedCrowd(app);
    });
    after(() => app.db.close());

    const collect = (tenantId: number, options: Partial<ReportDataOptions> = {}) =>
      collectReportData(app, tenantId, { period: PERIOD, scope: ALL, utcOffsetMinutes: UTC8, ...options });

    test('top vulnerabilities: most urgent necessity, then most hosts, then name', async () => {
      const data = await collect(fx.tenantA);
      const cves = ['CVE-2024-0001', 'CVE-2024-0002'];
      assert.deepEqual(data.topVulnerabilities, [
        // Later on db-1 but asap on the web hosts: the name is as urgent as its most urgent finding.
        { name: 'cve-a', aliasName: 'Alias of cve-a', type: 'cve', necessity: 'asap', hosts: 3, cves },
        { name: 'emg-g', aliasName: 'Alias of emg-g', type: 'emg', necessity: 'asap', hosts: 1, cves: [] },
        { name: 'cve-b', aliasName: 'Alias of cve-b', type: 'cve', necessity: 'later', hosts: 1, cves: [] },
        { name: 'cve-f', aliasName: 'Alias of cve-f', type: 'cve', necessity: 'later', hosts: 1, cves: [] },
        { name: 'app-c', aliasName: 'Alias of app-c', type: 'app', necessity: 'nntf', hosts: 1, cves: [] },
      ]);
      assert.deepEqual(data.appendix, { total: 5, items: data.topVulnerabilities });
    });

    test('top hosts: weighted count desc, then name; the internet IP, else the intranet one', async () => {
      const data = await collect(fx.tenantA);
      assert.deepEqual(data.topHosts, [
        {
          uuid: `uuid-${fx.tenantA}-web-1`,
          name: 'web-1',
          ip: '203.0.113.1',
          group: 'web',
          counts: { asap: 1, later: 1, nntf: 1 },
          score: 14,
        },
        {
          uuid: `uuid-${fx.tenantA}-db-1`,
          name: 'db-1',
          ip: '10.0.1.1',
          group: 'db',
          counts: { asap: 1, later: 1, nntf: 0 },
          score: 13,
        },
        {
          uuid: `uuid-${fx.tenantA}-web-2`,
          name: 'web-2',
          ip: '10.0.0.2',
          group: 'web',
          counts: { asap: 1, later: 1, nntf: 0 },
          score: 13,
        },
      ]);
    });

    test('urgent: unhandled asap findings, oldest first, the total beyond the limit', async () => {
      const data = await collect(fx.tenantA);
      assert.deepEqual(data.urgent, {
        total: 3,
        items: [
          {
            hostName: 'db-1',
            ip: '10.0.1.1',
            aliasName: 'Alias of emg-g',
            name: 'emg-g',
            type: 'emg',
            firstSeen: T0 - 10 * DAY,
          },
          {
            hostName: 'web-1',
            ip: '203.0.113.1',
            aliasName: 'Alias of cve-a',
            name: 'cve-a',
            type: 'cve',
            firstSeen: T0,
          },
          {
            hostName: 'web-2',
            ip: '10.0.0.2',
            aliasName: 'Alias of cve-a',
            name: 'cve-a',
            type: 'cve',
            firstSeen: T0 + DAY - 1,
          },
        ],
      });
      const limited = await collect(fx.tenantA, { urgentLimit: 2 });
      assert.deepEqual(limited.urgent, { total: 3, items: data.urgent.items.slice(0, 2) });
      const none = await collect(fx.tenantA, { urgentLimit: 0 });
      assert.deepEqual(none.urgent, { total: 3, items: [] });
    });

    test('a group scope narrows every listing', async () => {
      const data = await collect(fx.tenantA, { scope: { groupIds: [fx.groups.db] } });
      assert.deepEqual(
        data.topVulnerabilities.map((v) => [v.name, v.necessity, v.hosts]),
        [
          ['emg-g', 'asap', 1],
          ['cve-a', 'later', 1],
        ],
      );
      assert.deepEqual(
        data.topHosts.map((h) => h.name),
        ['db-1'],
      );
      assert.deepEqual(
        data.urgent.items.map((u) => [u.hostName, u.name]),
        [['db-1', 'emg-g']],
      );
      assert.equal(data.appendix.total, 2);
    });

    test('the top lists stop at 10, with the true totals', async () => {
      const data = await collect(crowd);
      assert.deepEqual(data.hosts, { total: 12, online: 12, affected: 12 });
      // host-k scores 10 + (k − 1): the most findings first.
      assert.deepEqual(
        data.topHosts.map((h) => [h.name, h.score]),
        Array.from({ length: 10 }, (_, i) => [`host-${String(12 - i).padStart(2, '0')}`, 10 + 11 - i]),
      );
      // vul-01 is asap on 12 hosts; vul-j (j ≥ 2) nntf on 13 − j hosts.
      assert.deepEqual(
        data.topVulnerabilities.map((v) => [v.name, v.necessity, v.hosts]),
        [
          ['vul-01', 'asap', 12],
          ...Array.from({ length: 9 }, (_, i) => [`vul-${String(i + 2).padStart(2, '0')}`, 'nntf', 11 - i]),
        ],
      );
      assert.equal(data.appendix.total, 12);
      assert.equal(data.appendix.items.length, 12);
      assert.equal(data.urgent.total, 12);
      assert.equal(data.urgent.items.length, 12);
      assert.equal(data.urgent.items[0]?.hostName, 'host-12', 'found 12 days before T0, the oldest');
    });

    test('the appendix stops at its limit with the true number of vulnerabilities', async () => {
      const small = await collect(crowd, { appendixLimit: 3, urgentLimit: 5 });
      assert.deepEqual(
        small.appendix.items.map((v) => v.name),
        ['vul-01', 'vul-02', 'vul-03'],
      );
      assert.equal(small.appendix.total, 12);
      assert.equal(small.topVulnerabilities.length, 10, 'the top list does not shrink with the appendix');
      assert.deepEqual(
        small.urgent.items.map((u) => u.hostName),
        ['host-12', 'host-11', 'host-10', 'host-09', 'host-08'],
      );
      assert.equal(small.urgent.total, 12);
    });
  });
}
