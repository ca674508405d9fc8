/** `parapet agent …`: runs the host agent in the foreground until SIGTERM/SIGINT. */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startAgent } from '../agent/agent.ts';
import { DEFAULT_SCAN_LIMITS } from '../domain/virus-scan.ts';

export const AGENT_USAGE = `parapet agent --server URL [--token T] [--data-dir ./agent-data] [--name NAME]
              [--scan-root DIR]… [--signature-dir DIR] [--clamav auto|off|require]
              [--clamd-socket PATH] [--max-file-size BYTES] [--cpu-budget 0.5] [--poll-wait SECONDS]

--token is needed once, to enroll (parapet admin enroll-token create); the identity is kept in
--data-dir (agent.json, mode 0600). --scan-root replaces the default system paths of a system scan.`;

function number(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < min || parsed > max) {
    throw new Error(`--${name} must be a number in ${min}..${max}, not "${value}"\n\n${AGENT_USAGE}`);
  }
  return parsed;
}

export async function runAgentCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      server: { type: 'string' },
      token: { type: 'string' },
      'data-dir': { type: 'string' },
      name: { type: 'string' },
      'scan-root': { type: 'string', multiple: true },
      'signature-dir': { type: 'string' },
      clamav: { type: 'string' },
      'clamd-socket': { type: 'string' },
      'max-file-size': { type: 'string' },
      'cpu-budget': { type: 'string' },
      'poll-wait': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(AGENT_USAGE);
    return;
  }
  if (!values.server || !/^https?:\/\//.test(values.server)) {
    throw new Error(`--server must be the server's http(s):// URL\n\n${AGENT_USAGE}`);
  }
  const clamav = values.clamav ?? 'auto';
  if (clamav !== 'auto' && clamav !== 'off' && clamav !== 'require') {
    throw new Error(`--clamav must be auto, off or require\n\n${AGENT_USAGE}`);
  }
  const log = (line: string) => console.error(`${new Date().toISOString()} ${line}`);
  const agent = await startAgent({
    server: values.server,
    token: values.token,
    dataDir: resolve(values['data-dir'] ?? './agent-data'),
    name: values.name,
    scanRoots: (values['scan-root'] ?? []).map((root) => resolve(root)),
    engines: {
      clamav,
      signatureDir: values['signature-dir'] && resolve(values['signature-dir']),
      clamdSocket: values['clamd-socket'],
    },
    limits: {
      maxFileBytes:
        number('max-file-size', values['max-file-size'], 1, 2 ** 40) ?? DEFAULT_SCAN_LIMITS.maxFileBytes,
      cpuBudget: number('cpu-budget', values['cpu-budget'], 0.01, 1) ?? DEFAULT_SCAN_LIMITS.cpuBudget,
    },
    pollWaitSeconds: number('poll-wait', values['poll-wait'], 1, 30),
    log,
  });
  await new Promise<void>((resolveStop) => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        log(`${signal}: stopping`);
        void agent.stop().then(resolveStop);
      });
    }
  });
}
