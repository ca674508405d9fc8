/**
 * Real agents (`parapet agent` processes) against a real `parapet serve`,
 * driven by the official Sas SDK, on SQLite and PostgreSQL: enrollment into
 * groups, an asset collection over the fleet (its packages checked against
 * dpkg-query on this machine), a virus scan of a group over trees with EICAR
 * (plain, and in a zip for ClamAV), an agent killed mid-scan (its host times
 * out, its late result is stored when it comes back), and a cancel.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { dialects } from './support/databases.ts';
import { EICAR_MD5, EICAR_SHA256, writeEicarTree } from './support/eicar.ts';
import { startParapet, type ParapetProcess } from './support/parapet-process.ts';
import { makeSasClient, type SasClient } from './support/sas-clients.ts';
import { testStateDir } from './support/state-dir.ts';
import { waitFor as waitForCondition } from './support/wait-for.ts';

const BIN = resolve(import.meta.dirname, '../bin/parapet.js');
const CLAMAV = spawnSync('clamscan', ['--version']).status === 0;

interface RunningAgent {
  child: ChildProcess;
  dataDir: string;
  output: () => string;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** The SDK calls of these tests poll at 5/s: a fleet's work takes seconds. */
const waitFor = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000) =>
  waitForCondition(what, probe, timeoutMs, 200);

function dpkgPackages(): Set<string> {
  const out = spawnSync('dpkg-query', ['-W', '-f', '${Package}\t${Version}\t${db:Status-Abbrev}\n'], {
    encoding: 'utf8',
  });
  return new Set(
    out.stdout
      .split('\n')
      .filter((line) => /\t[ih]i/.test(line))
      .map((line) => line.split('\t').slice(0, 2).join(' ')),
  );
}

for (const dialect of dialects) {
  describe(`agents on ${dialect}`, () => {
    let parapet: ParapetProcess;
    let sas: SasClient;
    const agents: RunningAgent[] = [];
    let root: string;

    before(async () => {
      parapet = await startParapet(dialect, 'agents', {
        PARAPET_VIRUS_SCAN_TIMEOUT_SECONDS: '8',
        PARAPET_AGENT_OFFLINE_SECONDS: '5',
      });
      sas = makeSasClient('openapi-v3', parapet.endpoint, parapet.rootKey);
      root = await mkdtemp(join(testStateDir(), `agents-${dialect}-`));
    });
    after(async () => {
      await Promise.all(agents.map((agent) => agent.kill('SIGKILL')));
      await parapet.stop();
    });

    function token(group: string): string {
      return String(parapet.cli(['admin', 'enroll-token', 'create', '--group', group]).Token);
    }

    function startAgent(name: string, dataDir: string, args: string[]): RunningAgent {
      const child = spawn(
        process.execPath,
        [
          BIN,
          'agent',
          '--server',
          parapet.url,
          '--data-dir',
          dataDir,
          '--name',
          name,
          '--poll-wait',
          '2',
          ...args,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let log = '';
      child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
      const agent: RunningAgent = {
        child,
        dataDir,
        output: () => log,
        kill: (signal) =>
          new Promise((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.kill(signal);
          }),
      };
      agents.push(agent);
      return agent;
    }

    async function hostsByName(): Promise<Map<string, { uuid: string; status: string; groupId: number }>> {
      const body = await sas.call('DescribeCloudCenterInstances', { PageSize: 100 });
      const list = body.Instances as {
        InstanceName: string;
        Uuid: string;
        ClientStatus: string;
        GroupId: number;
      }[];
      return new Map(
        list.map((h) => [h.InstanceName, { uuid: h.Uuid, status: h.ClientStatus, groupId: h.GroupId }]),
      );
    }

    async function waitOnline(names: string[]) {
      return waitFor(`${names.join(', ')} online`, async () => {
        const hosts = await hostsByName();
        return names.every((name) => hosts.get(name)?.status === 'online') ? hosts : undefined;
      });
    }

    const taskParams = { TaskName: 'ASSETS_COLLECTION', TaskType: 'ASSETS_COLLECTION' };

    test('three agents in two groups collect their assets; packages match dpkg-query', async () => {
      const web = token('web');
      const db = token('db');
      startAgent('web-1', join(root, 'web-1'), ['--token', web, '--clamav', 'off']);
      startAgent('web-2', join(root, 'web-2'), ['--token', web, '--clamav', 'off']);
      startAgent('db-1', join(root, 'db-1'), ['--token', db, '--clamav', 'off']);
      const hosts = await waitOnline(['web-1', 'web-2', 'db-1']);
      assert.equal(hosts.get('web-1')?.groupId, hosts.get('web-2')?.groupId);
      assert.notEqual(hosts.get('web-1')?.groupId, hosts.get('db-1')?.groupId);

      const started = await sas.call('GenerateOnceTask', { ...taskParams, Param: '{}' });
      assert.equal(started.CanCreate, true);
      assert.match(String(started.TaskId), /^[0-9a-f]{32}$/);
      assert.equal(started.TotalCount, 3);
      const info = await waitFor('SUCCESS', async () => {
        const body = await sas.call('GetOnceTaskResultInfo', {
          ...taskParams,
          TaskId: String(started.TaskId),
        });
        return (body.TaskInfo as { Status: string }).Status === 'SUCCESS' ? body : undefined;
      });
      assert.equal(info.FinishCount, 3);
      assert.equal(info.TotalCount, 3);

      const uuid = hosts.get('web-1')?.uuid ?? '';
      const listed = new Set<string>();
      for (let page = 1; ; page++) {
        const body = await sas.call('DescribePropertySoftwareDetail', {
          Uuid: uuid,
          CurrentPage: page,
          PageSize: 500,
        });
        const rows = body.Propertys as { Name: string; Version: string; Uuid: string }[];
        for (const row of rows) {
          assert.equal(row.Uuid, uuid);
          listed.add(`${row.Name} ${row.Version}`);
        }
        if (rows.length < 500) break;
      }
      assert.deepEqual([...listed].sort(), [...dpkgPackages()].sort());
      const users = await sas.call('DescribePropertyUserDetail', { Uuid: uuid, User: 'root' });
      assert.equal((users.Propertys as { IsRoot: string }[])[0]?.IsRoot, '1');

      // The agent sees its own process and the server's listening port (one machine).
      const web1 = agents.find((agent) => agent.dataDir === join(root, 'web-1'));
      const procs = await sas.call('DescribePropertyProcDetail', {
        Uuid: uuid,
        Cmdline: `--data-dir ${join(root, 'web-1')} `,
      });
      const mine = procs.Propertys as { Pid: string; Uuid: string; Cmdline: string }[];
      assert.deepEqual(
        mine.map((row) => [row.Pid, row.Uuid]),
        [[String(web1?.child.pid), uuid]],
      );
      const port = Number(new URL(parapet.url).port);
      const listening = await sas.call('DescribePropertyPortDetail', { Uuid: uuid, Port: port });
      const rows = listening.Propertys as { Port: string; Proto: string; BindIp: string }[];
      assert.ok(
        rows.some((row) => row.Port === String(port) && row.Proto === 'tcp' && row.BindIp === '127.0.0.1'),
        JSON.stringify(rows),
      );
    });

    test('a virus scan of a group finds EICAR on both hosts; a clean tree has no events', async () => {
      const scanToken = token('scan');
      const trees: Record<string, Awaited<ReturnType<typeof writeEicarTree>>> = {};
      for (const name of ['scan-1', 'scan-2']) {
        trees[name] = await writeEicarTree(join(root, `${name}-tree`));
        startAgent(name, join(root, name), ['--token', scanToken, '--scan-root', join(root, `${name}-tree`)]);
      }
      const cleanTree = join(root, 'clean-tree');
      await mkdir(cleanTree, { recursive: true });
      await writeFile(join(cleanTree, 'notes.txt'), 'clean\n');
      startAgent('clean-1', join(root, 'clean-1'), ['--token', token('clean'), '--scan-root', cleanTree]);
      const hosts = await waitOnline(['scan-1', 'scan-2', 'clean-1']);

      const scan = async (groupId: number) => {
        const { ScanTaskId } = await sas.call('StartVirusScanTask', {
          TargetInfo: JSON.stringify([{ type: 'groupId', name: 'g', target: groupId }]),
        });
        await waitFor('scan Success', async () => {
          const body = await sas.call('DescribeScanTaskProgress', { TaskId: Number(ScanTaskId) });
          return body.ScanTaskProgress === 'Success' ? body : undefined;
        });
        return Number(ScanTaskId);
      };
      const taskId = await scan(hosts.get('scan-1')?.groupId ?? 0);
      const events = await sas.call('ListVirusScanMachineEvent', {
        CurrentPage: 1,
        PageSize: 50,
        OperateTaskId: String(taskId),
        Lang: 'en',
      });
      const found = (
        events.Data as { Uuid: string; Details: { InfoType: string; ValueDisplay: string }[] }[]
      ).map((event) => {
        const detail = (type: string) => event.Details.find((d) => d.InfoType === type)?.ValueDisplay;
        return {
          uuid: event.Uuid,
          path: detail('path'),
          md5: detail('md5'),
          sha256: detail('sha256'),
          engine: detail('engine'),
        };
      });
      for (const name of ['scan-1', 'scan-2']) {
        const uuid = hosts.get(name)?.uuid;
        const tree = trees[name]!;
        const mine = found.filter((event) => event.uuid === uuid);
        assert.ok(
          mine.some(
            (e) =>
              e.path === tree.plain &&
              e.md5 === EICAR_MD5 &&
              e.sha256 === EICAR_SHA256 &&
              e.engine === 'builtin',
          ),
          JSON.stringify(mine),
        );
        if (CLAMAV)
          assert.ok(
            mine.some((e) => e.path === tree.zipped && e.engine === 'clamav'),
            JSON.stringify(mine),
          );
        assert.ok(mine.every((e) => !tree.clean.includes(e.path ?? '')));
      }
      const latest = async () =>
        (await sas.call('GetVirusScanLatestTaskStatistic', {})).Data as Record<string, unknown>;
      assert.deepEqual(
        (({ TaskId, Status, ScanMachine, CompleteMachine, SuspiciousMachine, SuspiciousCount }) => ({
          TaskId,
          Status,
          ScanMachine,
          CompleteMachine,
          SuspiciousMachine,
          SuspiciousCount,
        }))(await latest()),
        {
          TaskId: String(taskId),
          Status: 100,
          ScanMachine: 2,
          CompleteMachine: 2,
          SuspiciousMachine: 2,
          SuspiciousCount: found.length,
        },
      );

      const cleanTask = await scan(hosts.get('clean-1')?.groupId ?? 0);
      assert.equal((await latest()).SuspiciousMachine, 0);
      const none = await sas.call('ListVirusScanMachineEvent', {
        CurrentPage: 1,
        PageSize: 10,
        OperateTaskId: String(cleanTask),
      });
      assert.equal((none.PageInfo as { TotalCount: number }).TotalCount, 0);
    });

    test('an agent killed mid-scan times out; the others succeed; restarted, it posts a late result', async () => {
      const slowToken = token('slow');
      const slowTree = join(root, 'slow-tree');
      await writeEicarTree(slowTree);
      // Enough files that a scan held to 2 % of a core runs far past the 8 s deadline.
      for (let i = 0; i < 400; i++) await writeFile(join(slowTree, `f${i}.bin`), Buffer.alloc(64 * 1024, i));
      const fastTree = join(root, 'fast-tree');
      await writeEicarTree(fastTree);
      const slowArgs = ['--scan-root', slowTree, '--clamav', 'off', '--cpu-budget', '0.02'];
      const slow = startAgent('slow-1', join(root, 'slow-1'), ['--token', slowToken, ...slowArgs]);
      startAgent('fast-1', join(root, 'fast-1'), [
        '--token',
        slowToken,
        '--scan-root',
        fastTree,
        '--clamav',
        'off',
      ]);
      const hosts = await waitOnline(['slow-1', 'fast-1']);
      const { ScanTaskId } = await sas.call('StartVirusScanTask', {
        TargetInfo: JSON.stringify([{ type: 'groupId', name: 'slow', target: hosts.get('slow-1')?.groupId }]),
      });
      await waitFor('the slow scan to start', () =>
        Promise.resolve(/assignment \d+: VIRUS_SCAN started/.test(slow.output()) || undefined),
      );
      await sleep(500);
      await slow.kill('SIGKILL');

      await waitFor('scan Failed (timed out)', async () => {
        const body = await sas.call('DescribeScanTaskProgress', { TaskId: Number(ScanTaskId) });
        return body.ScanTaskProgress === 'Failed' ? body : undefined;
      });
      const perHost = async () =>
        (await sas.call('ListVirusScanTask', { PageSize: 100 })).List as {
          TaskId: string;
          Uuid: string;
          Status: number;
        }[];
      const rows = (await perHost()).filter((row) => row.TaskId === String(ScanTaskId));
      assert.equal(rows.find((row) => row.Uuid === hosts.get('slow-1')?.uuid)?.Status, 4, 'timed out');
      assert.equal(rows.find((row) => row.Uuid === hosts.get('fast-1')?.uuid)?.Status, 2, 'done');

      // Started again, without throttling, it finishes the journaled scan and posts it late.
      startAgent('slow-1', join(root, 'slow-1'), ['--scan-root', slowTree, '--clamav', 'off']);
      const late = await waitFor(
        'the late result',
        async () => {
          const body = await sas.call('ListVirusScanMachineEvent', {
            CurrentPage: 1,
            PageSize: 10,
            Uuid: hosts.get('slow-1')?.uuid ?? '',
            OperateTaskId: String(ScanTaskId),
          });
          return (body.PageInfo as { TotalCount: number }).TotalCount > 0 ? body : undefined;
        },
        60_000,
      );
      assert.ok(late);
      const after = await sas.call('DescribeScanTaskProgress', { TaskId: Number(ScanTaskId) });
      assert.equal(after.ScanTaskProgress, 'Failed', 'the task is not reopened');
    });

    test('an agent keeps working through a server restart', async () => {
      const agent = startAgent('restart-1', join(root, 'restart-1'), [
        '--token',
        token('restart'),
        '--clamav',
        'off',
      ]);
      const uuid = (await waitOnline(['restart-1'])).get('restart-1')?.uuid ?? '';
      const { env } = parapet;
      await parapet.stop();
      await waitFor('the agent to notice', () =>
        Promise.resolve(/poll failed .*; retrying in/.test(agent.output()) || undefined),
      );
      parapet = await startParapet(dialect, 'agents', {
        PARAPET_PORT: env.PARAPET_PORT,
        PARAPET_DATA_DIR: env.PARAPET_DATA_DIR,
        PARAPET_DATABASE_URL: env.PARAPET_DATABASE_URL,
        PARAPET_VIRUS_SCAN_TIMEOUT_SECONDS: env.PARAPET_VIRUS_SCAN_TIMEOUT_SECONDS,
        PARAPET_AGENT_OFFLINE_SECONDS: env.PARAPET_AGENT_OFFLINE_SECONDS,
      });
      const started = await sas.call('GenerateOnceTask', {
        ...taskParams,
        Param: JSON.stringify({ uuids: uuid }),
      });
      await waitFor('SUCCESS after the restart', async () => {
        const body = await sas.call('GetOnceTaskResultInfo', {
          ...taskParams,
          TaskId: String(started.TaskId),
        });
        return (body.TaskInfo as { Status: string }).Status === 'SUCCESS' ? body : undefined;
      });
      assert.equal((await hostsByName()).get('restart-1')?.status, 'online');
    });

    test('a cancelled scan stops its agent within seconds', async () => {
      const tree = join(root, 'cancel-tree');
      await mkdir(tree, { recursive: true });
      for (let i = 0; i < 400; i++) await writeFile(join(tree, `f${i}.bin`), Buffer.alloc(64 * 1024, i));
      const agent = startAgent('cancel-1', join(root, 'cancel-1'), [
        '--token',
        token('cancel'),
        '--scan-root',
        tree,
        '--clamav',
        'off',
        '--cpu-budget',
        '0.02',
      ]);
      const hosts = await waitOnline(['cancel-1']);
      const { ScanTaskId } = await sas.call('StartVirusScanTask', {
        TargetInfo: JSON.stringify([{ type: 'uuid', name: 'cancel-1', target: hosts.get('cancel-1')?.uuid }]),
      });
      await waitFor('the scan to start', () =>
        Promise.resolve(/VIRUS_SCAN started/.test(agent.output()) || undefined),
      );
      await sas.call('CancelOnceTask', { TaskId: String(ScanTaskId) });
      const cancelledAt = Date.now();
      await waitFor(
        'the agent to stop',
        () => Promise.resolve(/: cancelled/.test(agent.output()) || undefined),
        10_000,
      );
      assert.ok(Date.now() - cancelledAt < 5_000, agent.output());
      const body = await sas.call('DescribeScanTaskProgress', { TaskId: Number(ScanTaskId) });
      assert.equal(body.ScanTaskProgress, 'Failed');
    });
  });
}
