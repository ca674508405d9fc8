/**
 * The agent protocol in-process (Fastify inject) on both databases:
 * enrollment, signed requests and their refusals, assignments delivered by
 * poll, progress, results in parts, deadlines with late results, cancel,
 * and an agent reaching for another agent's work.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { signAgentRequest } from '../../auth/agent-signature.ts';
import type { AssetInventory } from '../../domain/assets.ts';
import type { Assignment, HostFacts, ResultPart } from '../../domain/agent-protocol.ts';
import type { Tenant } from '../../domain/identity.ts';
import { expireTargets } from '../../engine/fan-out.ts';
import { getTask } from '../../engine/index.ts';
import type { Database } from '../../persistence/database.ts';
import { countInventory } from '../../persistence/inventory.ts';
import { createEnrollToken, revokeAgent } from '../../services/agents.ts';
import { createTenant, resolveTenant } from '../../services/identity.ts';
import { cancelOnceTask, generateOnceTask, getOnceTask } from '../../services/once-tasks.ts';
import { dialects, openTestDatabase } from '../../../test/support/databases.ts';
import { makeTestApp, type TestApp } from '../../../test/support/app-context.ts';
import { buildServer, type ParapetServer } from '../server.ts';

const facts = (hostname: string): HostFacts => ({
  hostname,
  ips: ['10.0.0.7', 'fe80::1'],
  macs: ['02:42:ac:11:00:02'],
  os: 'linux',
  osName: 'Debian GNU/Linux 12 (bookworm)',
  osVersion: '12',
  kernel: '6.1.0-test',
  arch: 'x64',
  cores: 2,
  memMb: 2048,
  cpuInfo: 'Test CPU',
  agentVersion: '0.1.0',
});

const inventory = (packages: number): AssetInventory => ({
  collectedAt: 1_700_000_000_000,
  packages: Array.from({ length: packages }, (_, i) => ({
    name: `pkg-${i}`,
    version: `1.${i}-1`,
    arch: 'amd64',
    source: '',
    manager: 'dpkg' as const,
    summary: 'a package',
  })),
  processes: [
    {
      pid: 1,
      ppid: 0,
      name: 'init',
      path: '/sbin/init',
      cmdline: '/sbin/init',
      user: 'root',
      startedAt: 1,
      state: 'S',
    },
  ],
  ports: [{ protocol: 'tcp', bindIp: '0.0.0.0', port: 22, pid: 1, processName: 'sshd' }],
  users: [
    {
      name: 'root',
      uid: 0,
      gid: 0,
      home: '/root',
      shell: '/bin/bash',
      groups: ['root'],
      isRoot: true,
      canLogin: true,
    },
  ],
});

interface EnrolledAgent {
  uuid: string;
  secret: string;
}

for (const dialect of dialects) {
  describe(`agent protocol on ${dialect}`, () => {
    let db: Database;
    let app: TestApp;
    let server: ParapetServer;
    let root: Tenant;
    let other: Tenant;

    before(async () => {
      db = await openTestDatabase(dialect, import.meta.filename);
      app = await makeTestApp(db);
      server = buildServer({ app });
      await createTenant(app, { name: 'root' });
      root = await resolveTenant(app, 'root');
      await createTenant(app, { name: 'other' });
      other = await resolveTenant(app, 'other');
    });
    after(async () => {
      await server.http.close();
      await db.close();
    });

    const send = (
      agent: EnrolledAgent,
      method: 'POST' | 'PUT',
      url: string,
      body: unknown,
      headers?: Record<string, string>,
    ) => {
      const payload = Buffer.from(JSON.stringify(body));
      const signed =
        headers ??
        signAgentRequest(agent.uuid, agent.secret, { method, target: url, body: payload }, app.clock);
      return server.http.inject({
        method,
        url,
        payload,
        headers: { 'content-type': 'application/json', ...signed },
      });
    };

    async function enroll(tenant: Tenant, name: string, group?: string): Promise<EnrolledAgent> {
      const { Token } = await createEnrollToken(app, tenant, { groupName: group, ttlMs: 3_600_000 });
      const response = await server.http.inject({
        method: 'POST',
        url: '/agent/v1/enroll',
        payload: { token: Token, host: facts(name) },
      });
      assert.equal(response.statusCode, 201, response.body);
      return response.json<EnrolledAgent>();
    }

    function assertError(response: LightMyRequestResponse, status: number, code: string) {
      assert.equal(response.statusCode, status, response.body);
      assert.equal(response.json<{ Code: string }>().Code, code);
    }

    const poll = async (agent: EnrolledAgent, wait = 0) => {
      const response = await send(agent, 'POST', '/agent/v1/poll', { wait });
      assert.equal(response.statusCode, 200, response.body);
      return response.json<{ assignments: Assignment[] }>().assignments;
    };

    test('an enrollment token is checked, and an agent becomes an online host in its group', async () => {
      const refused = await server.http.inject({
        method: 'POST',
        url: '/agent/v1/enroll',
        payload: { token: 'pet_nope', host: facts('x') },
      });
      assertError(refused, 401, 'EnrollToken.Invalid');
      const malformed = await server.http.inject({
        method: 'POST',
        url: '/agent/v1/enroll',
        payload: { token: 1 },
      });
      assertError(malformed, 400, 'InvalidParameter');
      const agent = await enroll(root, 'web-1', 'web');
      const host = await db.get<{
        instance_name: string;
        client_status: string;
        intranet_ip: string;
        group: string;
      }>(
        `SELECT h.instance_name, h.client_status, h.intranet_ip, g.name AS "group"
         FROM hosts h JOIN host_groups g ON g.id = h.group_id WHERE h.uuid = ?`,
        [agent.uuid],
      );
      assert.deepEqual(
        { ...host },
        {
          instance_name: 'web-1',
          client_status: 'online',
          intranet_ip: '10.0.0.7',
          group: 'web',
        },
      );
    });

    test('forged, replayed, unsigned and revoked requests are refused and change nothing', async () => {
      const agent = await enroll(root, 'db-1');
      const url = '/agent/v1/host';
      const body = Buffer.from(JSON.stringify(facts('renamed')));
      const headers = signAgentRequest(
        agent.uuid,
        agent.secret,
        { method: 'PUT', target: url, body },
        app.clock,
      );
      const forged = signAgentRequest(
        agent.uuid,
        'not-the-secret',
        { method: 'PUT', target: url, body },
        app.clock,
      );
      assertError(await send(agent, 'PUT', url, facts('renamed'), forged), 401, 'Agent.Unauthenticated');
      const stale = signAgentRequest(
        agent.uuid,
        agent.secret,
        { method: 'PUT', target: url, body },
        app.clock - 600_000,
      );
      assertError(await send(agent, 'PUT', url, facts('renamed'), stale), 401, 'Agent.Unauthenticated');
      assertError(
        await server.http.inject({ method: 'PUT', url, payload: body }),
        401,
        'Agent.Unauthenticated',
      );
      const name = async () =>
        (await db.get<{ n: string }>('SELECT instance_name AS n FROM hosts WHERE uuid = ?', [agent.uuid]))?.n;
      assert.equal(await name(), 'db-1');
      assert.equal((await send(agent, 'PUT', url, facts('renamed'), headers)).statusCode, 200);
      assert.equal(await name(), 'renamed');
      assertError(await send(agent, 'PUT', url, facts('again'), headers), 401, 'Agent.Unauthenticated'); // replay
      assert.equal(await name(), 'renamed');
      await revokeAgent(app, root, agent.uuid);
      assertError(await send(agent, 'PUT', url, facts('revoked')), 403, 'Agent.Revoked');
      assert.equal(await name(), 'renamed');
    });

    test('an asset collection is delivered, reported in parts and stored; others cannot touch it', async () => {
      const agent = await enroll(root, 'app-1', 'apps');
      const intruder = await enroll(root, 'app-2', 'apps');
      const foreign = await enroll(other, 'elsewhere');
      const hostId = Number(
        (await db.get<{ id: number }>('SELECT id FROM hosts WHERE uuid = ?', [agent.uuid]))?.id,
      );
      const started = await generateOnceTask(app, root.id, {
        taskType: 'ASSETS_COLLECTION',
        taskName: 'ASSETS_COLLECTION',
        param: JSON.stringify({ uuids: `${agent.uuid},${intruder.uuid}` }),
        source: 'test',
      });
      assert.ok(started.created);
      assert.equal(started.view.counts.total, 2);
      assert.equal(started.view.task.status, 'queued');

      const [assignment, ...none] = await poll(agent);
      assert.ok(assignment);
      assert.deepEqual(none, []);
      assert.deepEqual(assignment.params, { type: 'ASSETS_COLLECTION' });
      assert.equal((await getOnceTask(app, root.id, started.view.onceTaskId)).task.status, 'running');

      const progress = await send(agent, 'POST', `/agent/v1/assignments/${assignment.id}/progress`, {
        progress: 40,
      });
      assert.deepEqual(progress.json(), { cancelled: false });
      assert.deepEqual(await poll(agent), [], 'an acknowledged assignment is not handed out again');

      const data = inventory(3);
      const partOf = (part: number, packages: typeof data.packages, lists: boolean): ResultPart => ({
        part,
        parts: 2,
        status: 'succeeded',
        data: {
          type: 'ASSETS_COLLECTION',
          inventory: lists
            ? { ...data, packages }
            : { ...data, packages, processes: [], ports: [], users: [] },
        },
      });
      const resultUrl = `/agent/v1/assignments/${assignment.id}/result`;
      // Neither another agent of the tenant nor another tenant's may post for it.
      assertError(
        await send(intruder, 'POST', resultUrl, partOf(1, data.packages, true)),
        404,
        'Agent.AssignmentNotFound',
      );
      assertError(
        await send(foreign, 'POST', resultUrl, partOf(1, data.packages, true)),
        404,
        'Agent.AssignmentNotFound',
      );
      assert.equal(await countInventory(db, 'software', root.id, { conditions: [] }), 0);

      const wrongType = await send(agent, 'POST', resultUrl, {
        part: 1,
        parts: 1,
        status: 'succeeded',
        data: { type: 'VIRUS_SCAN', report: { bogus: true } },
      });
      assertError(wrongType, 400, 'InvalidParameter');

      const first = await send(agent, 'POST', resultUrl, partOf(1, data.packages.slice(0, 2), true));
      assert.deepEqual(first.json(), { complete: false, late: false });
      const second = await send(agent, 'POST', resultUrl, partOf(2, data.packages.slice(2), false));
      assert.deepEqual(second.json(), { complete: true, late: false });
      const again = await send(agent, 'POST', resultUrl, partOf(2, data.packages.slice(2), false));
      assert.deepEqual(again.json(), { complete: true, late: false }, 'a retried post is harmless');

      const rows = await db.all<{ name: string; host_id: number }>(
        'SELECT name, host_id FROM host_software WHERE tenant_id = ? ORDER BY name',
        [root.id],
      );
      assert.deepEqual(
        rows.map((r) => ({ ...r })),
        ['pkg-0', 'pkg-1', 'pkg-2'].map((name) => ({ name, host_id: hostId })),
      );
      assert.equal(await countInventory(db, 'ports', root.id, { conditions: [] }), 1);

      const view = await getOnceTask(app, root.id, started.view.onceTaskId);
      assert.equal(view.task.status, 'running', 'the second host has not answered');
      assert.equal(view.counts.answered, 1);
      assert.equal(view.counts.progress, 50);
    });

    test('a host that misses its deadline times the task out; its late result is stored', async () => {
      const slow = await enroll(root, 'slow-1', 'slow');
      const fast = await enroll(root, 'fast-1', 'slow');
      const groupId = Number(
        (
          await db.get<{ id: number }>(`SELECT id FROM host_groups WHERE tenant_id = ? AND name = 'slow'`, [
            root.id,
          ])
        )?.id,
      );
      const started = await generateOnceTask(app, root.id, {
        taskType: 'ASSETS_COLLECTION',
        taskName: 'ASSETS_COLLECTION',
        param: JSON.stringify({ groupIds: String(groupId), timeout: 60 }),
        source: 'test',
      });
      assert.ok(started.created);
      const [slowWork] = await poll(slow);
      const [fastWork] = await poll(fast);
      assert.ok(slowWork && fastWork);
      const result = (id: number) =>
        send(fast, 'POST', `/agent/v1/assignments/${id}/result`, {
          part: 1,
          parts: 1,
          status: 'succeeded',
          data: { type: 'ASSETS_COLLECTION', inventory: inventory(1) },
        });
      assert.equal((await result(fastWork.id)).statusCode, 200);

      app.clock += 61_000;
      assert.equal(await expireTargets(db, app.clock), 1);
      const ended = await getOnceTask(app, root.id, started.view.onceTaskId);
      assert.equal(ended.task.status, 'timed_out');
      assert.equal(ended.task.doneCount, 1);
      assert.equal(ended.counts.timedOut, 1);

      const late = await send(slow, 'POST', `/agent/v1/assignments/${slowWork.id}/result`, {
        part: 1,
        parts: 1,
        status: 'succeeded',
        data: { type: 'ASSETS_COLLECTION', inventory: inventory(4) },
      });
      assert.deepEqual(late.json(), { complete: true, late: true });
      const slowHost = await db.get<{ n: number }>(
        'SELECT COUNT(*) AS n FROM host_software s JOIN hosts h ON h.id = s.host_id WHERE h.uuid = ?',
        [slow.uuid],
      );
      assert.equal(Number(slowHost?.n), 4, 'the late inventory is stored');
      const after = await getTask(db, root.id, ended.task.id);
      assert.equal(after?.status, 'timed_out', 'the task is not reopened');
      assert.equal(after?.doneCount, 1);
    });

    test('a cancelled task tells its agent to stop and refuses its result', async () => {
      const agent = await enroll(root, 'cancel-1', 'cancel');
      const started = await generateOnceTask(app, root.id, {
        taskType: 'ASSETS_COLLECTION',
        taskName: 'ASSETS_COLLECTION',
        param: JSON.stringify({ uuids: agent.uuid }),
        source: 'test',
      });
      assert.ok(started.created);
      const [work] = await poll(agent);
      assert.ok(work);
      await cancelOnceTask(app, root.id, started.view.onceTaskId);
      const progress = await send(agent, 'POST', `/agent/v1/assignments/${work.id}/progress`, {
        progress: 10,
      });
      assert.deepEqual(progress.json(), { cancelled: true });
      const refused = await send(agent, 'POST', `/agent/v1/assignments/${work.id}/result`, {
        part: 1,
        parts: 1,
        status: 'succeeded',
        data: { type: 'ASSETS_COLLECTION', inventory: inventory(2) },
      });
      assertError(refused, 409, 'Agent.AssignmentClosed');
      assert.equal((await getOnceTask(app, root.id, started.view.onceTaskId)).task.status, 'cancelled');
    });

    test('a poll waits for work and wakes when a task is created', async () => {
      const agent = await enroll(root, 'wait-1', 'waiting');
      const t0 = Date.now();
      const waiting = poll(agent, 10);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const started = await generateOnceTask(app, root.id, {
        taskType: 'ASSETS_COLLECTION',
        taskName: 'ASSETS_COLLECTION',
        param: JSON.stringify({ uuids: agent.uuid }),
        source: 'wake',
      });
      assert.ok(started.created);
      const assignments = await waiting;
      assert.equal(assignments.length, 1);
      assert.ok(Date.now() - t0 < 5_000, 'woken long before the wait ended');
    });
  });
}
