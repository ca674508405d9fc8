/**
 * The Sas operations over host agents, operation by operation, with the
 * official SDK against a real `parapet serve` on SQLite and PostgreSQL. The
 * agents are light ones (test/support/light-agent.ts) speaking the real,
 * signed protocol, so each test decides exactly when and what a host answers:
 * narrowing a one-time task by uuids and groups, its listings while it runs,
 * the limit of 10 unfinished tasks, `Param.timeout`, refusals that change
 * nothing, user-path scans with their statistics and export, moving hosts
 * between groups, hosts going offline, and tenants kept apart.
 * (test/agents.test.ts runs the real agent program end to end.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ResultPart } from '../src/domain/agent-protocol.ts';
import type { AssetInventory } from '../src/domain/assets.ts';
import type { SkippedFile, VirusDetection } from '../src/domain/virus-scan.ts';
import { dialects } from './support/databases.ts';
import { enrollLightAgent, lightHostFacts, type LightAgent } from './support/light-agent.ts';
import { startParapet, type ParapetProcess } from './support/parapet-process.ts';
import { expectSasError, makeSasClient, type SasClient } from './support/sas-clients.ts';
import { waitFor } from './support/wait-for.ts';
import { readWorkbook } from './support/workbooks.ts';

const ASSETS = { TaskType: 'ASSETS_COLLECTION', TaskName: 'ASSETS_COLLECTION' };

function inventory(host: string, packages: number): AssetInventory {
  return {
    collectedAt: Date.now(),
    packages: Array.from({ length: packages }, (_, i) => ({
      name: `${host}-pkg-${i}`,
      version: `1.${i}-1`,
      arch: 'amd64',
      source: '',
      manager: 'dpkg' as const,
      summary: 'a package',
    })),
    processes: [],
    ports: [],
    users: [],
  };
}

const assets = (data: AssetInventory): ResultPart => ({
  part: 1,
  parts: 1,
  status: 'succeeded',
  data: { type: 'ASSETS_COLLECTION', inventory: data },
});

const scanReport = (detections: VirusDetection[], skipped: SkippedFile[] = []): ResultPart => ({
  part: 1,
  parts: 1,
  status: 'succeeded',
  data: {
    type: 'VIRUS_SCAN',
    report: {
      startedAt: Date.now() - 1000,
      finishedAt: Date.now(),
      roots: ['/srv/www'],
      engines: ['builtin'],
      scannedFiles: 10,
      scannedBytes: 1000,
      detections,
      skippedCount: skipped.length,
      skipped,
    },
  },
});

const detection = (path: string, signature: string, level: VirusDetection['level']): VirusDetection => ({
  path,
  size: path.length,
  md5: 'd'.repeat(32),
  sha256: `${'e'.repeat(62)}${String(path.length).padStart(2, '0')}`,
  signature,
  engine: 'builtin',
  level,
});

for (const dialect of dialects) {
  describe(`Sas host tasks on ${dialect}`, () => {
    let parapet: ParapetProcess;
    let sas: SasClient;
    let otherSas: SasClient;
    const groups: Record<string, number> = {};
    const agents = new Map<string, LightAgent>();
    let foreign: LightAgent;

    const enroll = async (name: string, token: string, ip: string) =>
      agents.set(name, await enrollLightAgent(parapet.url, token, lightHostFacts(name, ip)));
    const agent = (name: string) => agents.get(name) ?? assert.fail(`no agent ${name}`);

    /** The agent's assignment of the moment (it must have exactly one). */
    async function takeOne(agent: LightAgent) {
      const [assignment, ...more] = await agent.poll();
      assert.ok(assignment, 'an assignment is waiting');
      assert.deepEqual(more, []);
      return assignment;
    }

    const onceTaskInfo = async (taskId: string) => {
      const body = await sas.call('GetOnceTaskResultInfo', { ...ASSETS, TaskId: taskId });
      return {
        status: (body.TaskInfo as { Status: string }).Status,
        total: body.TotalCount,
        finished: body.FinishCount,
      };
    };

    async function hosts(client = sas) {
      const body = await client.call('DescribeCloudCenterInstances', { PageSize: 100 });
      return new Map(
        (
          body.Instances as { InstanceName: string; Uuid: string; ClientStatus: string; GroupId: number }[]
        ).map((h) => [h.InstanceName, h]),
      );
    }

    before(async () => {
      parapet = await startParapet(dialect, 'host-tasks', { PARAPET_AGENT_OFFLINE_SECONDS: '3' });
      sas = makeSasClient('openapi-v3', parapet.endpoint, parapet.rootKey);
      for (const group of ['alpha', 'beta', 'spare']) {
        const token = parapet.cli(['admin', 'enroll-token', 'create', '--group', group]);
        groups[group] = Number(token.GroupId);
        if (group === 'alpha') {
          await enroll('a1', String(token.Token), '10.0.1.1');
          await enroll('a2', String(token.Token), '10.0.1.2');
        }
        if (group === 'beta') await enroll('b1', String(token.Token), '10.0.2.1');
      }
      const other = parapet.cli(['admin', 'tenant', 'create', 'other']);
      otherSas = makeSasClient('pop-core', parapet.endpoint, {
        accessKeyId: String(other.AccessKeyId),
        accessKeySecret: String(other.AccessKeySecret),
      });
      const otherToken = parapet.cli(['admin', 'enroll-token', 'create', '--tenant', 'other']);
      foreign = await enrollLightAgent(
        parapet.url,
        String(otherToken.Token),
        lightHostFacts('x1', '10.9.0.1'),
      );
    });
    after(() => parapet.stop());

    test('GenerateOnceTask narrows by groupIds and uuids; the listings follow each host', async () => {
      const a1 = agent('a1');
      const a2 = agent('a2');
      const b1 = agent('b1');
      assert.deepEqual((await sas.call('GetLastOnceTaskInfo', ASSETS)).TaskInfo, {
        Result: 'TASK_NOT_EXISTS',
      });
      const beta = await sas.call('GenerateOnceTask', {
        ...ASSETS,
        Param: JSON.stringify({ groupIds: String(groups.beta) }),
      });
      assert.equal(beta.CanCreate, true);
      assert.equal(beta.TotalCount, 1);
      assert.equal(beta.FinishCount, 0);
      assert.equal(typeof beta.CollectTime, 'number');
      const pair = await sas.call('GenerateOnceTask', {
        ...ASSETS,
        Param: JSON.stringify({ uuids: `${a1.uuid}, ${a2.uuid}` }),
      });
      assert.equal(pair.TotalCount, 2);
      const betaId = String(beta.TaskId);
      const pairId = String(pair.TaskId);
      assert.notEqual(betaId, pairId);

      const unfinished = async (target?: string) =>
        (
          (
            await sas.call('ListUnfinishedOnceTask', {
              TaskType: 'ASSETS_COLLECTION',
              ...(target ? { Target: target } : {}),
            })
          ).OnceTasks as { TaskId: string; StatusText: string; TotalCount: number }[]
        ).map((t) => [t.TaskId, t.StatusText, t.TotalCount]);
      assert.deepEqual(await unfinished(), [
        [pairId, 'INIT', 2],
        [betaId, 'INIT', 1],
      ]);
      assert.deepEqual(await unfinished(b1.uuid), [[betaId, 'INIT', 1]]);

      const last = await sas.call('GetLastOnceTaskInfo', ASSETS);
      assert.equal(last.TotalCount, 2, 'the latest task is the pair');
      assert.deepEqual(last.TaskInfo, { Status: 'INIT', Progress: 0, Result: 'SUCCESS' });

      // b1 takes its work and reports half of it: the task has started, at 50 %.
      const work = await takeOne(b1);
      assert.deepEqual(work.params, { type: 'ASSETS_COLLECTION' });
      assert.deepEqual(await b1.progress(work.id, 50), { cancelled: false });
      assert.deepEqual(await onceTaskInfo(betaId), { status: 'START', total: 1, finished: 0 });
      const described = async () => {
        const body = await sas.call('DescribeOnceTask', { TaskType: 'ASSETS_COLLECTION', TaskId: betaId });
        assert.deepEqual(body.PageInfo, { Count: 1, CurrentPage: 1, PageSize: 20, TotalCount: 1 });
        return (body.TaskManageResponseList as Record<string, unknown>[])[0] ?? {};
      };
      const running = await described();
      assert.equal(running.TaskStatus, 1);
      assert.equal(running.TaskStatusText, 'START');
      assert.equal(running.Progress, '50%');
      assert.deepEqual(
        (JSON.parse(String(running.DetailData)) as { uuid: string; progress: number }[]).map((d) => [
          d.uuid,
          d.progress,
        ]),
        [[b1.uuid, 50]],
      );

      assert.deepEqual(await b1.result(work.id, assets(inventory('b1', 3))), { complete: true, late: false });
      assert.deepEqual(await onceTaskInfo(betaId), { status: 'SUCCESS', total: 1, finished: 1 });
      const done = await described();
      assert.equal(done.TaskStatus, 2);
      assert.equal(done.Progress, '100%');
      assert.equal(done.SuccessCount, 1);
      assert.deepEqual(await unfinished(b1.uuid), []);

      for (const [name, agent] of [
        ['a1', a1],
        ['a2', a2],
      ] as const) {
        const mine = await takeOne(agent);
        await agent.result(mine.id, assets(inventory(name, 2)));
      }
      assert.deepEqual(await onceTaskInfo(pairId), { status: 'SUCCESS', total: 2, finished: 2 });

      const software = await sas.call('DescribePropertySoftwareDetail', { Uuid: b1.uuid, PageSize: 2 });
      assert.deepEqual(software.PageInfo, { CurrentPage: 1, PageSize: 2, Count: 2, TotalCount: 3 });
      assert.deepEqual(
        (software.Propertys as { Name: string; Uuid: string; InstanceName: string }[]).map((p) => [
          p.Name,
          p.Uuid,
          p.InstanceName,
        ]),
        [
          ['b1-pkg-0', b1.uuid, 'b1'],
          ['b1-pkg-1', b1.uuid, 'b1'],
        ],
      );
      const byName = await sas.call('DescribePropertySoftwareDetail', { Name: 'pkg-1', Extend: '1' });
      assert.equal((byName.PageInfo as { TotalCount: number }).TotalCount, 3, 'pkg-1 on a1, a2 and b1');
      const finished = await sas.call('DescribeOnceTask', {
        TaskType: 'ASSETS_COLLECTION',
        TaskStatus: '2',
        PageSize: 1,
      });
      assert.deepEqual(finished.PageInfo, { Count: 1, CurrentPage: 1, PageSize: 1, TotalCount: 2 });
    });

    test('ten unfinished one-time tasks: the eleventh is CanCreate false and creates nothing', async () => {
      const b1 = agent('b1');
      const ids: string[] = [];
      for (let i = 0; i < 10; i++) {
        const body = await sas.call('GenerateOnceTask', {
          ...ASSETS,
          Param: JSON.stringify({ uuids: b1.uuid, n: i }),
        });
        assert.equal(body.CanCreate, true, `task ${i}`);
        ids.push(String(body.TaskId));
      }
      const refused = await sas.call('GenerateOnceTask', { ...ASSETS, Param: '{}' });
      assert.equal(refused.CanCreate, false);
      assert.equal(refused.TaskId, undefined);
      assert.equal(refused.LastTask, ids[9]);
      const unfinished = async () =>
        (
          (await sas.call('DescribeOnceTask', { TaskType: 'ASSETS_COLLECTION', TaskStatus: '1' }))
            .PageInfo as { TotalCount: number }
        ).TotalCount;
      assert.equal(await unfinished(), 10);

      // One cancelled makes room for one more.
      await sas.call('CancelOnceTask', { TaskId: ids[0] ?? '' });
      assert.equal((await onceTaskInfo(ids[0] ?? '')).status, 'FAIL');
      const room = await sas.call('GenerateOnceTask', {
        ...ASSETS,
        Param: JSON.stringify({ uuids: b1.uuid }),
      });
      assert.equal(room.CanCreate, true);
      for (const id of [...ids.slice(1), String(room.TaskId)])
        await sas.call('CancelOnceTask', { TaskId: id });
      assert.equal(await unfinished(), 0);
      // The cancelled assignments are not handed out.
      assert.deepEqual(await b1.poll(), []);
    });

    test('Param.timeout: a silent host ends the task TIMEOUT with the true FinishCount; its late result is kept', async () => {
      const a1 = agent('a1');
      const a2 = agent('a2');
      const started = await sas.call('GenerateOnceTask', {
        ...ASSETS,
        Param: JSON.stringify({ groupIds: String(groups.alpha), timeout: 2 }),
      });
      const taskId = String(started.TaskId);
      const answered = await takeOne(a1);
      await a1.result(answered.id, assets(inventory('a1', 5)));
      const silent = await takeOne(a2);
      const ended = await waitFor(
        'TIMEOUT',
        async () => {
          const info = await onceTaskInfo(taskId);
          return info.status === 'TIMEOUT' && info;
        },
        15_000,
        200,
      );
      assert.deepEqual(ended, { status: 'TIMEOUT', total: 2, finished: 1 });

      assert.deepEqual(await a2.result(silent.id, assets(inventory('a2', 7))), {
        complete: true,
        late: true,
      });
      assert.deepEqual(await onceTaskInfo(taskId), ended, 'the task is not reopened');
      const software = await sas.call('DescribePropertySoftwareDetail', { Uuid: a2.uuid });
      assert.equal(
        (software.PageInfo as { TotalCount: number }).TotalCount,
        7,
        'the late inventory is stored',
      );
      const [row] = (await sas.call('DescribeOnceTask', { TaskType: 'ASSETS_COLLECTION', TaskId: taskId }))
        .TaskManageResponseList as {
        TaskStatus: number;
        FailCount: number;
        DetailData: string;
      }[];
      assert.equal(row?.TaskStatus, 4);
      assert.equal(row?.FailCount, 1);
      const late = (
        JSON.parse(row?.DetailData ?? '[]') as { uuid: string; status: string; late: boolean }[]
      ).find((d) => d.uuid === a2.uuid);
      assert.deepEqual([late?.status, late?.late], ['TIMEOUT', true]);
    });

    test('bad requests are refused with the right code and create nothing', async () => {
      const a1 = agent('a1');
      const count = async () => {
        const once = await sas.call('DescribeOnceTask', { TaskType: 'ASSETS_COLLECTION' });
        const scans = await sas.call('ListVirusScanTask', {});
        return [
          (once.PageInfo as { TotalCount: number }).TotalCount,
          (scans.PageInfo as { TotalCount: number }).TotalCount,
        ];
      };
      const before = await count();
      const refusals: [string, Record<string, string | number>, string, number][] = [
        [
          'GenerateOnceTask',
          { ...ASSETS, TaskType: 'VUL_CHECK_TASK', Param: '{}' },
          'TaskType.NotSupported',
          400,
        ],
        [
          'GenerateOnceTask',
          { ...ASSETS, TaskType: 'IMAGE_SCAN', Param: '{}' },
          'TaskType.NotSupported',
          400,
        ],
        ['GenerateOnceTask', { ...ASSETS, TaskType: 'NOT_A_TYPE', Param: '{}' }, 'InvalidParameter', 400],
        ['GenerateOnceTask', ASSETS, 'MissingParameter', 400],
        ['GenerateOnceTask', { ...ASSETS, Param: '{"uuids":' }, 'InvalidParameter', 400],
        ['GenerateOnceTask', { ...ASSETS, Param: '[]' }, 'InvalidParameter', 400],
        ['GenerateOnceTask', { ...ASSETS, Param: '{"uuids":5}' }, 'InvalidParameter', 400],
        ['GenerateOnceTask', { ...ASSETS, Param: '{"groupIds":"x"}' }, 'InvalidParameter', 400],
        ['GenerateOnceTask', { ...ASSETS, Param: '{"timeout":0}' }, 'InvalidParameter', 400],
        ['GenerateOnceTask', { ...ASSETS, Param: '{"uuids":"no-such-host"}' }, 'IllegalParam', 400],
        [
          'GenerateOnceTask',
          { ...ASSETS, Param: JSON.stringify({ uuids: foreign.uuid }) },
          'IllegalParam',
          400,
        ],
        ['GenerateOnceTask', { ...ASSETS, Param: '{"groupIds":"999999"}' }, 'IllegalParam', 400],
        ['StartVirusScanTask', { TargetInfo: 'not json' }, 'InvalidParameter', 400],
        ['StartVirusScanTask', { TargetInfo: '[]' }, 'InvalidParameter', 400],
        ['StartVirusScanTask', { TargetInfo: '[{"type":"host","target":"x"}]' }, 'InvalidParameter', 400],
        [
          'StartVirusScanTask',
          { TargetInfo: JSON.stringify([{ type: 'uuid', target: foreign.uuid }]) },
          'IllegalParam',
          400,
        ],
        [
          'StartVirusScanTask',
          {
            TargetInfo: JSON.stringify([
              { type: 'uuid', target: a1.uuid },
              { type: 'groupId', target: 999_999 },
            ]),
          },
          'IllegalParam',
          400,
        ],
        ['CreateVirusScanOnceTask', { ScanType: 'user' }, 'InvalidParameter', 400],
        [
          'CreateVirusScanOnceTask',
          { ScanType: 'user', 'ScanPath.1': 'relative/path' },
          'InvalidParameter',
          400,
        ],
        ['CreateVirusScanOnceTask', { ScanType: 'deep' }, 'InvalidParameter', 400],
        ['GetOnceTaskResultInfo', { ...ASSETS, TaskId: 'f'.repeat(32) }, 'Task.NotFound', 404],
        ['DescribeScanTaskProgress', { TaskId: 999_999 }, 'Task.NotFound', 404],
        ['DescribeScanTaskProgress', { TaskId: 'abc' }, 'InvalidParameter', 400],
        ['CancelOnceTask', { TaskId: 'f'.repeat(32) }, 'Task.NotFound', 404],
        ['DescribeOnceTask', {}, 'InvalidParameter', 400],
        ['ListVirusScanMachineEvent', { CurrentPage: 1 }, 'MissingParameter', 400],
        ['DescribeScanTaskStatistics', { Levels: 'serious,critical' }, 'InvalidParameter', 400],
      ];
      for (const [action, params, code, status] of refusals) {
        const error = await expectSasError(sas.call(action, params));
        assert.deepEqual(
          [error.code, error.statusCode],
          [code, status],
          `${action} ${JSON.stringify(params)}`,
        );
        assert.match(String(error.data.Message), /\w{3}/, 'the error says why');
      }
      assert.deepEqual(await count(), before);
      assert.deepEqual(await a1.poll(), [], 'no agent was given work');
    });

    test('CreateVirusScanOnceTask hands user paths to every agent; events, statistics and the export agree', async () => {
      const a1 = agent('a1');
      const a2 = agent('a2');
      const b1 = agent('b1');
      const request = {
        ScanType: 'user',
        'ScanPath.1': '/srv/www',
        'ScanPath.2': '/home',
        ClientToken: 'once-1',
      };
      const created = await sas.call('CreateVirusScanOnceTask', request);
      assert.deepEqual(Object.keys(created), ['RequestId']);
      await sas.call('CreateVirusScanOnceTask', request); // a retry with the same token: still one scan
      const found: Record<string, VirusDetection[]> = {
        a1: [
          detection('/srv/www/shell.php', 'Php.Webshell.Test-1', 'serious'),
          detection('/home/u/eicar.com', 'Eicar-Test-Signature', 'remind'),
        ],
        a2: [detection('/home/v/miner', 'Heuristics.Miner', 'suspicious')],
        b1: [],
      };
      // A file b1 could not scan is shown with its host, never counted clean.
      const tooLarge: SkippedFile = {
        path: '/home/w/disk.img',
        size: 200 * 2 ** 20,
        reason: 'too-large',
        detail: 'larger than --max-file-size (100 MiB)',
      };
      for (const [name, agent] of [
        ['a1', a1],
        ['a2', a2],
        ['b1', b1],
      ] as const) {
        const work = await takeOne(agent);
        assert.deepEqual(work.params, { type: 'VIRUS_SCAN', scanType: 'user', paths: ['/srv/www', '/home'] });
        await agent.progress(work.id, 30);
        await agent.result(work.id, scanReport(found[name] ?? [], name === 'b1' ? [tooLarge] : []));
      }
      const latest = (await sas.call('GetVirusScanLatestTaskStatistic', {})).Data as Record<string, unknown>;
      const taskId = Number(latest.TaskId);
      assert.deepEqual(
        (await sas.call('DescribeScanTaskProgress', { TaskId: taskId })).ScanTaskProgress,
        'Success',
      );
      const expected = {
        Status: 100,
        Progress: '100',
        ScanMachine: 3,
        CompleteMachine: 3,
        UnCompleteMachine: 0,
        SuspiciousCount: 3,
        SuspiciousMachine: 2,
        SafeMachine: 1,
        ScanType: 'user',
        ScanPath: ['/srv/www', '/home'],
      };
      assert.deepEqual(Object.fromEntries(Object.keys(expected).map((key) => [key, latest[key]])), expected);

      const statistics = async (levels?: string) =>
        (({ TotalTaskNum, UserNum }) => ({ TotalTaskNum, UserNum }))(
          await sas.call('DescribeScanTaskStatistics', levels ? { Levels: levels } : {}),
        );
      assert.deepEqual(await statistics(), { TotalTaskNum: 1, UserNum: 2 });
      assert.deepEqual(await statistics('serious'), { TotalTaskNum: 1, UserNum: 1 });
      assert.deepEqual(await statistics('suspicious,remind'), { TotalTaskNum: 1, UserNum: 2 });

      const perHost = (
        (await sas.call('ListVirusScanTask', { 'StatusList.1': 2, 'StatusList.2': 3 })).List as {
          TaskId: string;
          Uuid: string;
          ScanType: string;
          SuspiciousCount: number;
          Result: string;
        }[]
      )
        .filter((row) => row.TaskId === String(taskId))
        .map((row) => {
          const result = JSON.parse(row.Result) as { skippedCount: number; skipped: SkippedFile[] };
          return [row.Uuid, row.ScanType, row.SuspiciousCount, result.skippedCount, result.skipped];
        })
        .sort();
      assert.deepEqual(
        perHost,
        [
          [a1.uuid, 'user', 2, 0, []],
          [a2.uuid, 'user', 1, 0, []],
          [b1.uuid, 'user', 0, 1, [tooLarge]],
        ].sort(),
      );

      const events = await sas.call('ListVirusScanMachineEvent', {
        CurrentPage: 1,
        PageSize: 10,
        Uuid: a1.uuid,
        Lang: 'en',
      });
      const listed = (
        events.Data as {
          EventName: string;
          Level: string;
          Details: { InfoType: string; ValueDisplay: string }[];
        }[]
      ).map((e) => [e.EventName, e.Level, e.Details.find((d) => d.InfoType === 'path')?.ValueDisplay]);
      assert.deepEqual(listed.sort(), (found.a1 ?? []).map((d) => [d.signature, d.level, d.path]).sort());

      // The export holds every event with its host and hashes.
      const started = await sas.call('ExportRecord', {
        ExportType: 'virusScanExport',
        ExportFileType: 'virusScanExport',
        Lang: 'en',
      });
      const info = await waitFor(
        'the export',
        async () => {
          const body = await sas.call('DescribeExportInfo', { ExportId: Number(started.Id) });
          return body.ExportStatus === 'success' && body;
        },
        30_000,
        200,
      );
      assert.equal(info.TotalCount, 3);
      const [sheet] = await readWorkbook(Buffer.from(await (await fetch(String(info.Link))).arrayBuffer()));
      const column = (name: string) => sheet?.header.indexOf(name) ?? -1;
      const rows = (sheet?.rows ?? []).map((row) =>
        ['Host UUID', 'Scan task', 'Signature', 'File path', 'MD5', 'SHA256', 'Engine'].map(
          (name) => row[column(name)],
        ),
      );
      const uuidOf: Record<string, string> = { a1: a1.uuid, a2: a2.uuid };
      assert.deepEqual(
        rows.sort(),
        Object.entries(found)
          .flatMap(([name, list]) =>
            list.map((d) => [uuidOf[name], taskId, d.signature, d.path, d.md5, d.sha256, d.engine]),
          )
          .sort(),
      );
    });

    test('ModifyAssetGroup moves hosts, all or none; a group scan then reaches them', async () => {
      const a1 = agent('a1');
      const b1 = agent('b1');
      await sas.call('ModifyAssetGroup', { GroupId: groups.spare ?? 0, Uuids: b1.uuid });
      assert.equal((await hosts()).get('b1')?.GroupId, groups.spare);

      for (const [params, code] of [
        [{ GroupId: 999_999, Uuids: a1.uuid }, 'IllegalParam'],
        [{ GroupId: groups.spare ?? 0, Uuids: `${a1.uuid},${foreign.uuid}` }, 'IllegalParam'],
        [{ GroupId: groups.spare ?? 0 }, 'MissingParameter'],
      ] as const) {
        assert.equal((await expectSasError(sas.call('ModifyAssetGroup', params))).code, code);
      }
      assert.equal((await hosts()).get('a1')?.GroupId, groups.alpha, 'a refused move moves nothing');
      assert.equal((await hosts(otherSas)).get('x1')?.GroupId !== groups.spare, true);

      const { ScanTaskId } = await sas.call('StartVirusScanTask', {
        TargetInfo: JSON.stringify([{ type: 'groupId', name: 'spare', target: groups.spare }]),
      });
      const work = await takeOne(b1);
      assert.deepEqual(work.params, { type: 'VIRUS_SCAN', scanType: 'system', paths: [] });
      assert.deepEqual(await a1.poll(), [], 'a1 stayed in alpha');
      assert.equal(
        (await sas.call('DescribeScanTaskProgress', { TaskId: Number(ScanTaskId) })).ScanTaskProgress,
        'Processing',
      );
      await sas.call('CancelOnceTask', { TaskId: String(ScanTaskId) });
      assert.deepEqual(await b1.progress(work.id, 10), { cancelled: true });
      assert.equal(
        (await sas.call('DescribeScanTaskProgress', { TaskId: Number(ScanTaskId) })).ScanTaskProgress,
        'Failed',
      );
    });

    test('another tenant sees none of it and cannot touch it', async () => {
      const b1 = agent('b1');
      const mine = await sas.call('GenerateOnceTask', {
        ...ASSETS,
        Param: JSON.stringify({ uuids: b1.uuid }),
      });
      const taskId = String(mine.TaskId);
      const scan = (await sas.call('GetVirusScanLatestTaskStatistic', {})).Data as { TaskId: string };

      for (const [action, params] of [
        ['GetOnceTaskResultInfo', { ...ASSETS, TaskId: taskId }],
        ['CancelOnceTask', { TaskId: taskId }],
        ['DescribeScanTaskProgress', { TaskId: Number(scan.TaskId) }],
        ['CancelOnceTask', { TaskId: scan.TaskId }],
      ] as const) {
        const error = await expectSasError(otherSas.call(action, params));
        assert.deepEqual([error.code, error.statusCode], ['Task.NotFound', 404], action);
      }
      const empty = async (action: string, params: Record<string, string | number>, list: string) => {
        const body = await otherSas.call(action, params);
        assert.deepEqual(body[list], [], action);
      };
      await empty(
        'DescribeOnceTask',
        { TaskType: 'ASSETS_COLLECTION', TaskId: taskId },
        'TaskManageResponseList',
      );
      await empty('DescribeOnceTask', { TaskType: 'ASSETS_COLLECTION' }, 'TaskManageResponseList');
      await empty('ListUnfinishedOnceTask', { TaskType: 'ASSETS_COLLECTION' }, 'OnceTasks');
      await empty('ListVirusScanTask', {}, 'List');
      await empty('ListVirusScanMachineEvent', { CurrentPage: 1, PageSize: 10 }, 'Data');
      await empty('DescribePropertySoftwareDetail', { Uuid: b1.uuid }, 'Propertys');
      assert.deepEqual(
        Object.keys((await otherSas.call('GetVirusScanLatestTaskStatistic', {})).Data ?? {}),
        [],
      );
      assert.deepEqual([...(await hosts(otherSas)).keys()], ['x1']);
      // Their agent is not given root's work; root's task still waits for b1.
      assert.deepEqual(await foreign.poll(), []);
      assert.equal((await onceTaskInfo(taskId)).status, 'INIT');
      await sas.call('CancelOnceTask', { TaskId: taskId });
    });

    test('a host whose agent goes quiet shows offline, and online again when it speaks', async () => {
      const a2 = agent('a2');
      const status = async () => (await hosts()).get('a2')?.ClientStatus;
      await a2.poll();
      assert.equal(await status(), 'online');
      const quietSince = Date.now();
      await waitFor('a2 offline', async () => (await status()) === 'offline', 20_000, 250);
      const delay = Date.now() - quietSince;
      // Not before the threshold, less the quarter of it that a host's writes may be skipped for.
      assert.ok(delay >= 2_000, `offline only after PARAPET_AGENT_OFFLINE_SECONDS (${delay} ms)`);
      await a2.poll();
      assert.equal(await status(), 'online');
    });
  });
}
