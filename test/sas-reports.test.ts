/**
 * Sas report definitions end to end: a real `parapet serve` on each database,
 * driven by the official clients — save, list, read, replace, delete; invalid
 * definitions refused with InvalidParameter/MissingParameter and nothing
 * stored; sub-users and other tenants kept out.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openDatabase, type Database } from '../src/persistence/database.ts';
import { dialects } from './support/databases.ts';
import { startParapet, type ParapetProcess } from './support/parapet-process.ts';
import { clientKinds, expectSasError, makeSasClient, type SasClient } from './support/sas-clients.ts';

const WEEKLY = {
  Title: 'Weekly security report',
  Recipients: 'ciso@example.com, soc@example.com',
  ReportStatus: 1,
  ReportType: 1,
  ReportLang: 'en',
  SendStartTime: '08:00:00',
  SendEndTime: '09:00:00',
};

for (const dialect of dialects) {
  describe(`Sas report definitions (${dialect})`, () => {
    let parapet: ParapetProcess;
    let db: Database;
    let root: SasClient;
    let groupIds: number[];
    const count = async () =>
      Number((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM report_configs'))?.n ?? 0);

    before(async () => {
      parapet = await startParapet(dialect, 'sas-reports');
      parapet.cli(['demo-data', '--hosts', '6', '--vulns', '30', '--seed', '5']);
      db = await openDatabase({ url: parapet.databaseUrl });
      root = makeSasClient('openapi-v3', parapet.endpoint, parapet.rootKey);
      const groups = (await root.call('DescribeAllGroups')).Groups as { GroupId: number }[];
      groupIds = groups.map((group) => group.GroupId);
    });
    after(async () => {
      await db?.close();
      await parapet?.stop();
    });

    for (const kind of clientKinds) {
      test(`${kind}: save, list, read, replace and delete a definition`, async () => {
        const client = makeSasClient(kind, parapet.endpoint, parapet.rootKey);
        const created = await client.call('SaveCustomizeReportConfig', {
          ...WEEKLY,
          Title: `Weekly (${kind})`,
          GroupType: 'SAS_GROUP',
          TargetGroups: groupIds.slice(0, 2).join(','),
        });
        assert.equal(typeof created.ReportId, 'number');
        const id = created.ReportId as number;

        const listed = (await client.call('DescribeCustomizeReportList', { Title: kind }))
          .ReportList as Record<string, unknown>[];
        assert.deepEqual(
          listed.map((item) => ({ ...item })),
          [
            {
              ReportId: id,
              Title: `Weekly (${kind})`,
              ReportType: 1,
              ReportStatus: '1',
              ReportVersion: '2.0.0',
              IsDefault: '0',
            },
          ],
        );

        const detail = await client.call('DescribeCustomizeReportConfigDetail', { ReportId: id });
        assert.equal(detail.Recipients, 'ciso@example.com,soc@example.com');
        assert.equal(detail.ReportType, '1');
        assert.equal(detail.ReportStatus, '1');
        assert.equal(detail.ReportLang, 'en');
        assert.equal(detail.SendStartTime, '08:00:00');
        assert.equal(detail.TargetGroups, groupIds.slice(0, 2).join(','));
        assert.equal(detail.IsDefault, 0);

        await client.call('SaveCustomizeReportConfig', {
          ReportId: id,
          Title: `Q3 (${kind})`,
          Recipients: 'ciso@example.com',
          ReportStatus: 0,
          ReportType: 3,
          ReportStartDate: '2026-07-01',
          ReportEndDate: '2026-09-30',
        });
        const replaced = await client.call('DescribeCustomizeReportConfigDetail', { ReportId: id });
        assert.equal(replaced.Title, `Q3 (${kind})`);
        assert.equal(replaced.ReportType, '3');
        assert.equal(replaced.ReportStatus, '0');
        assert.equal(replaced.ReportStartDate, '2026-07-01');
        assert.equal(replaced.TargetGroups, '', 'a save replaces the whole definition');
        const [item] = (await client.call('DescribeCustomizeReportList', { Title: `Q3 (${kind})` }))
          .ReportList as Record<string, unknown>[];
        assert.equal(item?.ReportStartDate, new Date(2026, 6, 1).getTime(), 'list dates are epoch ms');

        await client.call('DeleteCustomizeReport', { ReportId: id });
        const gone = await expectSasError(
          client.call('DescribeCustomizeReportConfigDetail', { ReportId: id }),
        );
        assert.equal(gone.code, 'Report.NotFound');
        assert.equal(gone.statusCode, 404);
      });
    }

    test('filters: status, type, pinned and title', async () => {
      const ids: number[] = [];
      const extras: Record<string, string | number>[] = [
        { Title: 'alpha daily', ReportType: 0 },
        { Title: 'beta weekly off', ReportStatus: 0 },
        { Title: 'gamma pinned', PinnedTime: 1_795_000_000_000 },
      ];
      for (const extra of extras) {
        ids.push((await root.call('SaveCustomizeReportConfig', { ...WEEKLY, ...extra })).ReportId as number);
      }
      const titles = async (params: Record<string, string | number | boolean>) =>
        ((await root.call('DescribeCustomizeReportList', params)).ReportList as { Title: string }[]).map(
          (r) => r.Title,
        );
      assert.deepEqual(await titles({ ReportType: 0 }), ['alpha daily']);
      assert.deepEqual(await titles({ ReportStatus: 0 }), ['beta weekly off']);
      assert.deepEqual(await titles({ Pinned: true }), ['gamma pinned']);
      assert.equal((await titles({}))[0], 'gamma pinned', 'pinned first');
      assert.deepEqual(await titles({ Title: 'ALPHA' }), ['alpha daily']);
      for (const id of ids) await root.call('DeleteCustomizeReport', { ReportId: id });
    });

    test('invalid definitions are refused and store nothing', async () => {
      const before = await count();
      const cases: [Record<string, string | number>, string, RegExp][] = [
        [{ ReportType: 9 }, 'InvalidParameter', /ReportType/],
        [{ Recipients: ' , ' }, 'InvalidParameter', /Recipients/],
        [{ Recipients: 'not-an-address' }, 'InvalidParameter', /e-mail/],
        [{ ReportStatus: 2 }, 'InvalidParameter', /ReportStatus/],
        [
          { ReportType: 3, ReportStartDate: '2026-02-30', ReportEndDate: '2026-03-31' },
          'InvalidParameter',
          /2026-02-30/,
        ],
        [
          { ReportType: 3, ReportStartDate: '2026/01/01', ReportEndDate: '2026-03-31' },
          'InvalidParameter',
          /ReportStartDate/,
        ],
        [
          { ReportType: 3, ReportStartDate: '2026-04-01', ReportEndDate: '2026-03-31' },
          'InvalidParameter',
          /after/,
        ],
        [{ ReportType: 3, ReportStartDate: '2026-04-01' }, 'MissingParameter', /ReportEndDate/],
        [{ ReportType: 4 }, 'MissingParameter', /ReportDays/],
        [{ ReportType: 4, ReportDays: 0 }, 'InvalidParameter', /ReportDays/],
        [{ SendStartTime: '25:00:00' }, 'InvalidParameter', /SendStartTime/],
        [{ SendStartTime: '10:00:00', SendEndTime: '09:00:00' }, 'InvalidParameter', /after/],
        [{ GroupType: 'SAS_GROUP', TargetGroups: '999999' }, 'InvalidParameter', /999999/],
        [{ TargetUids: '1234' }, 'InvalidParameter', /TargetUids/],
        [{ ReportVersion: '3.0.0' }, 'InvalidParameter', /ReportVersion/],
      ];
      for (const [change, code, message] of cases) {
        const error = await expectSasError(root.call('SaveCustomizeReportConfig', { ...WEEKLY, ...change }));
        assert.equal(error.code, code, JSON.stringify(change));
        assert.match(String(error.data.Message), message, JSON.stringify(change));
      }
      const untitled = Object.fromEntries(Object.entries(WEEKLY).filter(([name]) => name !== 'Title'));
      const missing = await expectSasError(root.call('SaveCustomizeReportConfig', untitled));
      assert.equal(missing.code, 'MissingParameter');
      const unknownId = await expectSasError(
        root.call('SaveCustomizeReportConfig', { ...WEEKLY, ReportId: 987654 }),
      );
      assert.equal(unknownId.code, 'Report.NotFound');
      assert.equal(await count(), before);
    });

    test('SendCustomizeReport without PARAPET_SMTP_URL is Mail.NotConfigured, and queues nothing', async () => {
      const { ReportId: id } = await root.call('SaveCustomizeReportConfig', WEEKLY);
      const tasks = async () =>
        Number((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM tasks'))?.n ?? 0);
      const before = await tasks();
      const error = await expectSasError(root.call('SendCustomizeReport', { ReportId: id as number }));
      assert.equal(error.code, 'Mail.NotConfigured');
      assert.equal(error.statusCode, 503);
      assert.equal(await tasks(), before);
    });

    test("sub-users need the action; another tenant's ReportId is not found", async () => {
      const { ReportId: id } = await root.call('SaveCustomizeReportConfig', WEEKLY);
      parapet.cli(['admin', 'user', 'create', 'reports-auditor']);
      const key = parapet.cli(['admin', 'key', 'create', 'reports-auditor']) as {
        AccessKeyId: string;
        AccessKeySecret: string;
      };
      const auditor = makeSasClient('openapi-v3', parapet.endpoint, {
        accessKeyId: key.AccessKeyId,
        accessKeySecret: key.AccessKeySecret,
      });
      const denied = await expectSasError(auditor.call('DescribeCustomizeReportList'));
      assert.equal(denied.code, 'NoPermission');
      assert.equal(denied.statusCode, 403);

      const other = parapet.cli(['admin', 'tenant', 'create', 'reports-other']) as {
        AccessKeyId: string;
        AccessKeySecret: string;
      };
      const stranger = makeSasClient('openapi-v3', parapet.endpoint, {
        accessKeyId: other.AccessKeyId,
        accessKeySecret: other.AccessKeySecret,
      });
      for (const action of ['DescribeCustomizeReportConfigDetail', 'DeleteCustomizeReport']) {
        const error = await expectSasError(stranger.call(action, { ReportId: id as number }));
        assert.equal(error.code, 'Report.NotFound', action);
      }
      const overwrite = await expectSasError(
        stranger.call('SaveCustomizeReportConfig', { ...WEEKLY, ReportId: id as number, Title: 'mine now' }),
      );
      assert.equal(overwrite.code, 'Report.NotFound');
      assert.deepEqual((await stranger.call('DescribeCustomizeReportList')).ReportList, []);
      assert.equal(
        (await root.call('DescribeCustomizeReportConfigDetail', { ReportId: id as number })).Title,
        WEEKLY.Title,
      );
    });
  });
}
