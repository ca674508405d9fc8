/**
 * `npm run bench -- demo-data [VULNS]`: how long `parapet demo-data` takes to
 * load a fleet of VULNS vulnerabilities (default 1,000,000 over 10,000 hosts)
 * on SQLite and on a throw-away PostgreSQL, in one run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../src/persistence/database.ts';
import { migrate } from '../src/persistence/migrate.ts';
import { generateDemoData } from '../src/services/demo-data.ts';
import { startPostgres } from '../test/support/postgres-server.ts';

const vulns = Number(process.argv[2] ?? 1_000_000);
const hosts = Math.max(1, Math.round(vulns / 100));

async function measure(label: string, db: Database): Promise<void> {
  await migrate(db);
  const tenant = await db.get<{ id: number }>(
    "INSERT INTO tenants (name, account_id, project_id, created_at) VALUES ('bench', '1000000000000001', 'bench', 0) RETURNING id",
  );
  const started = performance.now();
  const summary = await generateDemoData(db, { tenantId: tenant!.id, hosts, vulns, seed: 1 });
  const seconds = (performance.now() - started) / 1000;
  const rss = Math.round(process.memoryUsage().rss / 2 ** 20);
  console.log(
    `${label.padEnd(10)} ${summary.vulnerabilities} vulns, ${summary.hosts} hosts in ${seconds.toFixed(1)} s ` +
      `(${Math.round(summary.vulnerabilities / seconds)} rows/s, RSS ${rss} MiB)`,
  );
  await db.close();
}

const dir = mkdtempSync(join(tmpdir(), 'parapet-bench-'));
try {
  await measure('sqlite', await openDatabase({ url: join(dir, 'bench.db') }));
  const postgres = await startPostgres();
  try {
    await measure('postgres', await openDatabase({ url: postgres.url }));
  } finally {
    postgres.stop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
