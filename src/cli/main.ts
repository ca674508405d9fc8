/** `parapet <command>`: serve, worker, admin, demo-data, report. */
import { parseArgs } from 'node:util';
import { ParapetError } from '../domain/errors.ts';
import { ADMIN_USAGE, runAdmin } from './admin.ts';
import { runAgentCommand } from './agent.ts';
import { loadConfig, openApp } from './config.ts';
import { runDemoData } from './demo-data.ts';
import { runReport } from './report.ts';
import { serve } from './serve.ts';
import { runWorker } from './worker.ts';

const USAGE = `parapet — a self-hosted security center

  parapet serve [--host 127.0.0.1] [--port 8080] [--data-dir ./data]
  parapet worker [--data-dir ./data]          a task worker process sharing the store
  parapet admin …                             tenants, users, passwords, keys, policies, tokens
                                              (parapet admin --help)
  parapet demo-data --hosts N --vulns M [--images K] [--seed S] [--tenant ID]
                                              K container images on the tenant's Linux hosts
  parapet agent --server URL [--token T] [--data-dir DIR] [--name NAME] [--scan-root DIR]…
                                              the host agent (parapet agent --help)
  parapet report [--lang zh,en] [--format pdf|html] [--days 30] [--out DIR] [--tenant ID]
                                              a report of the last N days, one file per language

Environment: PARAPET_HOST, PARAPET_PORT, PARAPET_DATA_DIR, PARAPET_DATABASE_URL
(postgres://… selects PostgreSQL), PARAPET_ROOT_ACCESS_KEY_ID/_SECRET,
PARAPET_SERVER_KEY, PARAPET_RATE_LIMIT. See README.md.`;

function printResult(result: Record<string, unknown>, json: boolean): void {
  if (json) {
    console.log(JSON.stringify(result));
    return;
  }
  for (const [key, value] of Object.entries(result)) {
    console.log(`${key}: ${typeof value === 'string' ? value : JSON.stringify(value, null, 2)}`);
  }
}

async function main(argv: string[]): Promise<void> {
  // The agent is a program of its own, with its own flags.
  if (argv[0] === 'agent') return runAgentCommand(argv.slice(1));
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      tenant: { type: 'string' },
      json: { type: 'boolean' },
      password: { type: 'string' },
      group: { type: 'string' },
      ttl: { type: 'string' },
      hosts: { type: 'string' },
      vulns: { type: 'string' },
      images: { type: 'string' },
      seed: { type: 'string' },
      lang: { type: 'string' },
      format: { type: 'string' },
      days: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...words] = positionals;
  if (values.help || command === undefined || command === 'help') {
    console.log(command === 'admin' ? ADMIN_USAGE : USAGE);
    return;
  }
  switch (command) {
    case 'serve':
      return serve(values);
    case 'worker':
      return runWorker(values);
    case 'admin': {
      const app = await openApp(loadConfig(values));
      try {
        printResult(await runAdmin(app, words, values), values.json === true);
      } finally {
        await app.db.close();
      }
      return;
    }
    case 'demo-data':
    case 'report': {
      const app = await openApp(loadConfig(values));
      try {
        const run = command === 'report' ? runReport : runDemoData;
        printResult(await run(app, values), values.json === true);
      } finally {
        await app.db.close();
      }
      return;
    }
    default:
      throw new Error(`unknown command "${command}"\n\n${USAGE}`);
  }
}

try {
  await main(process.argv.slice(2));
} catch (err) {
  const message = err instanceof Error ? err.message : String(err);
  console.error(err instanceof ParapetError ? `${err.code}: ${message}` : message);
  process.exitCode = 2;
}
