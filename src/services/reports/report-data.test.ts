/**
 * collectReportData on both databases against a fixture whose every figure is
 * known (report-data-fixture.ts): counts, scopes, current against previous
 * period, trend buckets, images and tenant isolation. The listings are checked
 * in report-data-lists.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ParapetError } from '../../domain/errors.ts';
import { riskScore, type NecessityCounts, type ReportScope } from '../../domain/report-data.ts';
import { dialects, openTestDatabase } from '../../../test/support/databases.ts';
import { makeTestApp } from '../../../test/support/app-context.ts';
import type { AppContext } from '../context.ts';
import { DAY, PERIOD, seedScenario, T0, UTC8, type Scenario } from './report-data-fixture.ts';
import { collectReportData, type ReportDataOptions } from './report-data.ts';

const ALL: ReportScope = { groupIds: [] };
const counts = (asap: number, later: number, nntf: number): NecessityCounts => ({ asap, later, nntf });
const zeroTypes = { cve: 0, sys: 0, cms: 0, app: 0, emg: 0, sca: 0 };

for (const dialect of dialects) {
  describe(`report data on ${dialect}`, () => {
    let app: AppContext;
    let fx: Scenario;
    before(async () => {
      const db = await openTestDatabase(dialect, import.meta.filename);
      app = await makeTestApp(db);
      fx = await seedScenario(db);
    });
    after(() => app.db.close());

    const collect = (tenantId: number, options: Partial<ReportDataOptions> = {}) =>
      collectReportData(app, tenantId, { period: PERIOD, scope: ALL, utcOffsetMinutes: UTC8, ...options });

    test('all hosts: hosts, open findings by necessity and type, found, fixed and risk', async () => {
      const data = await collect(fx.tenantA);
      assert.deepEqual(data.period, PERIOD);
      assert.deepEqual(data.previous, { from: T0 - 4 * DAY, to: T0 });
      assert.deepEqual(data.hosts, { total: 4, online: 3, affected: 3 });
      assert.deepEqual(data.open, {
        total: 7,
        byNecessity: counts(3, 3, 1),
        byType: { ...zeroTypes, cve: 5, app: 1, emg: 1 },
      });
      // Found on the period's first millisecond and last of its first day count; one ms before T0 is previous.
      assert.deepEqual(data.found, { current: counts(2, 1, 1), previous: counts(1, 3, 0) });
      // Repaired at period.to is outside; repaired but waiting for a restart is not handled.
      assert.deepEqual(data.fixed, { current: 1, previous: 1 });
      // Open at T0: first seen before, not repaired before, not ignored (cve-b, cve-d, cve-f, emg-g, cve-h, sca-j).
      assert.deepEqual(data.risk, {
        current: riskScore(counts(3, 3, 1), 4),
        previous: riskScore(counts(2, 4, 0), 4),
      });
      assert.deepEqual(data.risk, { current: 42, previous: 38 });
      assert.deepEqual(data.images, {
        total: 3,
        openBySeverity: { Critical: 2, High: 1, Medium: 1, Low: 1 },
      });
    });

    test('a group scope counts only the hosts of that group and their findings and images', async () => {
      const data = await collect(fx.tenantA, { scope: { groupIds: [fx.groups.web] } });
      assert.deepEqual(data.hosts, { total: 2, online: 1, affected: 2 });
      assert.deepEqual(data.open, {
        total: 5,
        byNecessity: counts(2, 2, 1),
        byType: { ...zeroTypes, cve: 4, app: 1 },
      });
      assert.deepEqual(data.found, { current: counts(2, 0, 1), previous: counts(1, 2, 0) });
      assert.deepEqual(data.fixed, { current: 1, previous: 0 });
      assert.deepEqual(data.risk, {
        current: riskScore(counts(2, 2, 1), 2),
        previous: riskScore(counts(1, 2, 0), 2),
      });
      assert.deepEqual(data.images, {
        total: 1,
        openBySeverity: { Critical: 1, High: 1, Medium: 0, Low: 0 },
      });
      assert.deepEqual(
        data.topHosts.map((h) => h.name),
        ['web-1', 'web-2'],
      );
    });

    test('several groups add up, and leave out the hosts in no group', async () => {
      const data = await collect(fx.tenantA, { scope: { groupIds: [fx.groups.web, fx.groups.db] } });
      assert.deepEqual(data.hosts, { total: 3, online: 2, affected: 3 });
      const all = await collect(fx.tenantA);
      assert.deepEqual(data.open, all.open);
      assert.deepEqual(data.found, all.found);
      assert.deepEqual(data.fixed, all.fixed);
      assert.equal(data.images.total, 2, 'the image on no host is in no group');
    });

    test("another tenant's data is never counted, not even through its group id", async () => {
      const data = await collect(fx.tenantA, { scope: { groupIds: [fx.groups.otherTenant] } });
      assert.deepEqual(data.hosts, { total: 0, online: 0, affected: 0 });
      assert.equal(data.open.total, 0);
      assert.deepEqual(data.found, { current: counts(0, 0, 0), previous: counts(0, 0, 0) });
      assert.deepEqual(data.fixed, { current: 0, previous: 0 });
      assert.deepEqual(data.risk, { current: 0, previous: 0 });
      assert.equal(data.images.total, 0);
      assert.deepEqual(data.topVulnerabilities, []);
      assert.deepEqual(data.urgent, { total: 0, items: [] });

      const b = await collect(fx.tenantB);
      assert.deepEqual(b.hosts, { total: 1, online: 1, affected: 1 });
      assert.deepEqual(b.open.byNecessity, counts(2, 0, 0));
      assert.deepEqual(b.found.current, counts(1, 1, 0));
      assert.deepEqual(b.fixed, { current: 1, previous: 0 });
      assert.deepEqual(b.images, { total: 1, openBySeverity: { Critical: 1, High: 0, Medium: 0, Low: 0 } });
      assert.deepEqual(
        b.topHosts.map((h) => [h.name, h.ip, h.group]),
        [['web-1', '198.51.100.1', 'web']],
      );
    });

    test('with nothing open the risk is 0 and every list is empty', async () => {
      const data = await collect(fx.tenantEmpty);
      assert.deepEqual(data.hosts, { total: 1, online: 1, affected: 0 });
      assert.deepEqual(data.open, { total: 0, byNecessity: counts(0, 0, 0), byType: zeroTypes });
      assert.deepEqual(data.risk, { current: 0, previous: 0 });
      assert.deepEqual(data.topVulnerabilities, []);
      assert.deepEqual(data.topHosts, []);
      assert.deepEqual(data.appendix, { total: 0, items: [] });
      assert.deepEqual(data.images, {
        total: 0,
        openBySeverity: { Critical: 0, High: 0, Medium: 0, Low: 0 },
      });
      assert.equal(data.trend.length, 4);
      assert.ok(
        data.trend.every((bucket) => bucket.counts.asap + bucket.counts.later + bucket.counts.nntf === 0),
      );
    });

    test('the trend has one bucket per local day at UTC+8, zero-filled, split at local midnight', async () => {
      const data = await collect(fx.tenantA);
      assert.deepEqual(data.trend, [
        // T0 and T0 + 1 day − 1 ms: the first and last millisecond of 7 January at UTC+8.
        { label: '2025-01-07', counts: counts(2, 0, 0) },
        { label: '2025-01-08', counts: counts(0, 0, 1) },
        { label: '2025-01-09', counts: counts(0, 1, 0) },
        { label: '2025-01-10', counts: counts(0, 0, 0) },
      ]);
    });

    test('in UTC the same period spans five days and the findings fall on other days', async () => {
      const data = await collect(fx.tenantA, { utcOffsetMinutes: 0 });
      assert.deepEqual(data.trend, [
        { label: '2025-01-06', counts: counts(1, 0, 0) },
        { label: '2025-01-07', counts: counts(1, 0, 1) },
        { label: '2025-01-08', counts: counts(0, 1, 0) },
        { label: '2025-01-09', counts: counts(0, 0, 0) },
        { label: '2025-01-10', counts: counts(0, 0, 0) },
      ]);
    });

    test('a 120-day period is trended by week, from Monday, zero-filled', async () => {
      const from = Date.UTC(2024, 11, 31, 16); // 2025-01-01 00:00 at UTC+8, a Wednesday
      const data = await collect(fx.tenantA, { period: { from, to: from + 120 * DAY } });
      assert.equal(data.trend.length, 18);
      assert.deepEqual(data.trend[0], { label: '2024-12-30', counts: counts(1, 2, 0) });
      // Sunday 5 January is in the first week, Monday 6 January 23:59 (T0 − 1 ms) in the second.
      assert.deepEqual(data.trend[1], { label: '2025-01-06', counts: counts(2, 2, 1) });
      assert.equal(data.trend[17]?.label, '2025-04-28');
      const found = data.trend.reduce((sum, b) => sum + b.counts.asap + b.counts.later + b.counts.nntf, 0);
      assert.equal(found, 8, 'the findings of December 28 and earlier are before the period');
    });

    test('options a caller got wrong are refused', async () => {
      const refused = (options: Partial<ReportDataOptions>) =>
        assert.rejects(collect(fx.tenantA, options), (err: unknown) => err instanceof ParapetError);
      await refused({ period: { from: T0, to: T0 } });
      await refused({ utcOffsetMinutes: 15 * 60 });
      await refused({ urgentLimit: -1 });
      await refused({ period: { from: 0, to: DAY }, utcOffsetMinutes: -60 });
    });
  });
}
