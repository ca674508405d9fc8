/**
 * `npm run bench -- fleet [AGENTS] [PACKAGES]`: AGENTS simulated agents
 * (default 1,000; light in-process clients speaking the real, signed agent
 * protocol over HTTP) long-poll one `parapet serve` (SQLite, a child process
 * so its CPU and memory are its own). One `GenerateOnceTask ASSETS_COLLECTION`
 * over all of them; each answers with PACKAGES packages (default 300).
 *
 * Prints: time from GenerateOnceTask to the last assignment delivered and to
 * SUCCESS; requests per second the server handled during the task, against a
 * baseline of `GET /healthz` from the same number of clients in the same run;
 * the server's CPU per idle agent (long polls held open and renewed, measured over two poll periods);
 * and the server's peak RSS.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ResultPart } from '../src/domain/agent-protocol.ts';
import type { InstalledPackage } from '../src/domain/assets.ts';
import { enrollLightAgent, lightHostFacts } from '../test/support/light-agent.ts';
import { makeSasClient } from '../test/support/sas-clients.ts';
import { freePort } from '../test/support/postgres-server.ts';

const AGENTS = Number(process.argv[2] ?? 1000);
const PACKAGES = Number(process.argv[3] ?? 300);
const POLL_WAIT_SECONDS = 20;
// Two poll periods: every agent renews its long poll (its heartbeat) about twice.
const IDLE_SECONDS = 2 * POLL_WAIT_SECONDS;
const BIN = resolve(import.meta.dirname, '../bin/parapet.js');
const ROOT = { accessKeyId: 'LTAIbenchroot000000000', accessKeySecret: 'benchsecret000000000000000000' };
const CLK_TCK = 100;

const dataDir = mkdtempSync(join(tmpdir(), 'parapet-fleet-'));
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const env = {
  ...process.env,
  PARAPET_DATA_DIR: dataDir,
  PARAPET_PORT: String(port),
  PARAPET_ROOT_ACCESS_KEY_ID: ROOT.accessKeyId,
  PARAPET_ROOT_ACCESS_KEY_SECRET: ROOT.accessKeySecret,
  PARAPET_RATE_LIMIT: '100000',
  PARAPET_DATABASE_URL: '',
};
const server = spawn(process.execPath, ['--max-semi-space-size=8', BIN, 'serve'], { env, stdio: 'ignore' });
const serverPid = server.pid ?? 0;
process.on('exit', () => {
  server.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

/** The server's CPU seconds so far (user + system). */
function serverCpuSeconds(): number {
  const fields = readFileSync(`/proc/${serverPid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}
function serverPeakRssMiB(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${serverPid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) / 1024;
}

for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${base}/healthz`)).ok) break;
  } catch {
    if (i > 200) throw new Error('parapet serve did not start');
  }
  await sleep(100);
}

const tokenOut = spawnSync(process.execPath, [BIN, 'admin', 'enroll-token', 'create', '--json'], {
  env,
  encoding: 'utf8',
});
const { Token } = JSON.parse(tokenOut.stdout) as { Token: string };

const packages: InstalledPackage[] = Array.from({ length: PACKAGES }, (_, i) => ({
  name: `package-${i}`,
  version: `1.${i}.0-1+deb12u1`,
  arch: 'amd64',
  source: `source-${i >> 2}`,
  manager: 'dpkg',
  summary: 'a synthetic package of the fleet benchmark',
  size: 1024 * i,
}));

let requests = 0;
const countRequest = () => void requests++;

async function inBatches<T>(count: number, width: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let start = 0; start < count; start += width) {
    out.push(
      ...(await Promise.all(Array.from({ length: Math.min(width, count - start) }, (_, k) => fn(start + k)))),
    );
  }
  return out;
}

const t0 = performance.now();
const ip = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
const agents = await inBatches(AGENTS, 25, (i) =>
  enrollLightAgent(base, Token, lightHostFacts(`bench-${i}`, ip(i)), { onRequest: countRequest }),
);
console.log(`enrolled ${AGENTS} agents in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

let running = true;
let lastDeliveredAt = 0;
let delivered = 0;
const loops = agents.map(async (agent) => {
  while (running) {
    for (const assignment of await agent.poll(POLL_WAIT_SECONDS)) {
      delivered++;
      lastDeliveredAt = performance.now();
      const part: ResultPart = {
        part: 1,
        parts: 1,
        status: 'succeeded',
        data: {
          type: 'ASSETS_COLLECTION',
          inventory: { collectedAt: Date.now(), packages, processes: [], ports: [], users: [] },
        },
      };
      await agent.result(assignment.id, part);
    }
  }
});

// Idle: every agent holds a poll open.
await sleep(3_000);
const idleCpu0 = serverCpuSeconds();
const idleRequests0 = requests;
await sleep(IDLE_SECONDS * 1000);
const idleCpu = serverCpuSeconds() - idleCpu0;
const idleRequests = requests - idleRequests0;

const sas = makeSasClient('openapi-v3', `127.0.0.1:${port}`, ROOT);
const requests0 = requests;
const cpu0 = serverCpuSeconds();
const started = performance.now();
const generated = await sas.call('GenerateOnceTask', {
  TaskType: 'ASSETS_COLLECTION',
  TaskName: 'ASSETS_COLLECTION',
  Param: '{}',
});
const taskId = String(generated.TaskId);
let status = '';
for (;;) {
  const info = await sas.call('GetOnceTaskResultInfo', {
    TaskId: taskId,
    TaskName: 'ASSETS_COLLECTION',
    TaskType: 'ASSETS_COLLECTION',
  });
  status = String((info.TaskInfo as { Status: string }).Status);
  if (status !== 'INIT' && status !== 'START') break;
  await sleep(50);
}
const finished = performance.now();
const taskRequests = requests - requests0;
const taskCpu = serverCpuSeconds() - cpu0;
running = false;

// Baseline: the same number of clients asking GET /healthz, as many requests as the task took.
const baselineStart = performance.now();
let baselineDone = 0;
await Promise.all(
  Array.from({ length: AGENTS }, async () => {
    while (baselineDone < taskRequests) {
      baselineDone++;
      await (await fetch(`${base}/healthz`)).text();
    }
  }),
);
const baselineSeconds = (performance.now() - baselineStart) / 1000;

const taskSeconds = (finished - started) / 1000;
const fleetRate = taskRequests / taskSeconds;
const baselineRate = baselineDone / baselineSeconds;
console.log(`task ended ${status}; assignments delivered: ${delivered}/${AGENTS}`);
console.log(
  `GenerateOnceTask → last assignment delivered: ${((lastDeliveredAt - started) / 1000).toFixed(2)} s`,
);
console.log(`GenerateOnceTask → SUCCESS: ${taskSeconds.toFixed(2)} s (${PACKAGES} packages per host)`);
console.log(
  `requests/s during the task: ${fleetRate.toFixed(0)} (server CPU ${(taskCpu / taskSeconds).toFixed(2)} cores); ` +
    `baseline GET /healthz: ${baselineRate.toFixed(0)}/s — ratio ${(fleetRate / baselineRate).toFixed(2)}`,
);
console.log(
  `idle: ${idleRequests} polls in ${IDLE_SECONDS} s; server CPU per idle agent: ` +
    `${((idleCpu / IDLE_SECONDS / AGENTS) * 1e6).toFixed(1)} µs/s (${((idleCpu / IDLE_SECONDS) * 100).toFixed(1)} % of a core for all)`,
);
console.log(`server peak RSS: ${serverPeakRssMiB().toFixed(0)} MiB`);
server.kill('SIGTERM');
await Promise.race([Promise.allSettled(loops), sleep(2_000)]);
process.exit(0);
