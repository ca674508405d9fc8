import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildServer } from '../api/server.ts';
import { sweepRequestGuards } from '../auth/request-guard.ts';
import { markSilentHostsOffline } from '../services/agents.ts';
import { sweepArtifacts } from '../services/artifacts.ts';
import { runReportSchedules } from '../services/reports/report-schedule.ts';
import { sweepTokens } from '../services/tokens.ts';
import { bootstrapRootTenant, type NewTenant } from '../services/identity.ts';
import { loadConfig, openApp, type ConfigFlags } from './config.ts';
import { SHUTDOWN_GRACE_MS, startWorker } from './worker.ts';

function announceRootTenant(dataDir: string, tenant: NewTenant, keyFromEnv: boolean): void {
  if (keyFromEnv) {
    console.log(
      `Created the root tenant (account ${tenant.AccountId}) with the root access key from the environment.`,
    );
    return;
  }
  const file = join(dataDir, 'root-credentials.json');
  writeFileSync(file, `${JSON.stringify(tenant, null, 2)}\n`, { mode: 0o600 });
  console.log(
    [
      'Created the root tenant. Its root access key is shown only this once (also saved, mode 0600, in',
      `${file}):`,
      `  AccessKeyId:     ${tenant.AccessKeyId}`,
      `  AccessKeySecret: ${tenant.AccessKeySecret}`,
      `  AccountId:       ${tenant.AccountId}`,
      `  ProjectId:       ${tenant.ProjectId}`,
    ].join('\n'),
  );
}

export async function serve(flags: ConfigFlags): Promise<void> {
  const config = loadConfig(flags);
  const app = await openApp(config);
  const rootKey =
    config.rootAccessKeyId && config.rootAccessKeySecret
      ? { AccessKeyId: config.rootAccessKeyId, AccessKeySecret: config.rootAccessKeySecret }
      : undefined;
  const created = await bootstrapRootTenant(app, rootKey);
  if (created) announceRootTenant(config.dataDir, created, rootKey !== undefined);

  const server = buildServer({ app, rateLimitPerSecond: config.rateLimitPerSecond, logger: true });
  const maintenance = setInterval(() => {
    sweepRequestGuards(app.db, app.now()).catch((err: unknown) =>
      server.http.log.error({ err }, 'sweep failed'),
    );
    sweepTokens(app.db, app.now()).catch((err: unknown) =>
      server.http.log.error({ err }, 'token sweep failed'),
    );
    // Every node schedules; a period's report is keyed, so it is queued once.
    runReportSchedules(app).catch((err: unknown) =>
      server.http.log.error({ err }, 'report scheduling failed; retried next minute'),
    );
    // Every node sweeps; the sweep tolerates others doing the same.
    sweepArtifacts(app).catch((err: unknown) =>
      server.http.log.error({ err }, 'artifact sweep failed; expired files stay until the next sweep'),
    );
  }, 60_000);
  maintenance.unref();
  // Agents' hosts go offline within a few seconds of their threshold.
  const liveness = setInterval(() => {
    markSilentHostsOffline(app).catch((err: unknown) =>
      server.http.log.error({ err }, 'marking silent hosts offline failed; retried in 5 s'),
    );
  }, 5_000);
  liveness.unref();

  // Tasks run in the server process unless PARAPET_SERVE_WORKER=false; `parapet worker` adds more workers.
  const worker = config.serveRunsTasks ? startWorker(app, config) : undefined;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: no longer accepting work; finishing what is running.`);
    server.beginShutdown();
    clearInterval(maintenance);
    clearInterval(liveness);
    await server.http.close();
    await worker?.stop({ graceMs: SHUTDOWN_GRACE_MS });
    await app.db.close();
    process.exit(0);
  };
  // Handlers first: whoever sees the port open may signal at once.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => void stop(signal));
  }
  await server.http.listen({ host: config.host, port: config.port });
  console.log(
    `Parapet is serving on http://${config.host}:${config.port} (store: ${app.db.dialect}, files: ${app.store.backend})`,
  );
}
