import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDatabaseUrl, dialects, openTestDatabase } from '../../test/support/databases.ts';
import { ParapetError } from '../domain/errors.ts';
import { openDatabase, type Database, type SqlValue } from '../persistence/database.ts';
import { migrate } from '../persistence/migrate.ts';
import { allocate, generateDemoData, MAX_VULNS_PER_HOST, type DemoDataOptions } from './demo-data.ts';
import { VUL_TYPES } from '../domain/vulnerabilities.ts';
import { cveCatalogue, defineFinding, definitionCount, OS_PROFILES } from './demo-data-catalog.ts';

const NOW = Date.UTC(2025, 0, 15);
const DAY = 86_400_000;
type Row = Record<string, SqlValue>;

async function withDatabase(dialect: (typeof dialects)[number], fn: (db: Database) => Promise<void>) {
  const db = await openTestDatabase(dialect, import.meta.filename);
  try {
    await fn(db);
  } finally {
    await db.close();
  }
}

async function createTenant(db: Database, name: string): Promise<number> {
  const row = await db.get<{ id: number }>(
    'INSERT INTO tenants (name, account_id, project_id, created_at) VALUES (?, ?, ?, ?) RETURNING id',
    [name, `${name}-account`, `${name}-project`, NOW],
  );
  return row!.id;
}

const without = (row: Row, ...keys: string[]) =>
  Object.fromEntries(Object.entries(row).filter(([key]) => !keys.includes(key)));

/** A tenant's demo rows with ids replaced by what they point at (group name, host uuid). */
async function snapshot(db: Database, tenantId: number) {
  const groups = await db.all<Row>('SELECT * FROM host_groups WHERE tenant_id = ? ORDER BY name', [tenantId]);
  const hosts = await db.all<Row>(
    `SELECT h.*, g.name AS group_name FROM hosts h LEFT JOIN host_groups g ON g.id = h.group_id
     WHERE h.tenant_id = ? ORDER BY h.uuid`,
    [tenantId],
  );
  const vulnerabilities = await db.all<Row>(
    `SELECT v.*, h.uuid AS host_uuid FROM vulnerabilities v JOIN hosts h ON h.id = v.host_id
     WHERE v.tenant_id = ? ORDER BY h.uuid, v.type, v.name`,
    [tenantId],
  );
  return {
    groups: groups.map((r) => without(r, 'id', 'tenant_id')),
    hosts: hosts.map((r) => without(r, 'id', 'tenant_id', 'group_id')),
    vulnerabilities: vulnerabilities.map((r) => without(r, 'id', 'tenant_id', 'host_id')),
  };
}

const count = async (db: Database, sql: string, params: SqlValue[] = []) =>
  Number((await db.get<{ n: number }>(sql, params))!.n);

for (const dialect of dialects) {
  test(`${dialect}: the same seed gives the same fleet, another seed another one`, async () => {
    const options = { hosts: 12, vulns: 3_000, seed: 7, now: NOW };
    const fleets: (Awaited<ReturnType<typeof snapshot>> & { cves: Row[] })[] = [];
    for (const seed of [7, 7, 8]) {
      await withDatabase(dialect, async (db) => {
        const tenantId = await createTenant(db, 'acme');
        await generateDemoData(db, { ...options, tenantId, seed });
        const cves = await db.all<Row>('SELECT * FROM cves ORDER BY cve_id');
        fleets.push({ ...(await snapshot(db, tenantId)), cves });
      });
    }
    const [first, again, other] = fleets;
    assert.deepEqual(again, first);
    assert.notDeepEqual(other!.hosts, first!.hosts);
    assert.notDeepEqual(other!.vulnerabilities, first!.vulnerabilities);
  });

  test(`${dialect}: counts match, every type is there and rows are well formed`, async () => {
    await withDatabase(dialect, async (db) => {
      const tenantId = await createTenant(db, 'acme');
      const progress: [number, number][] = [];
      // More rows than two batches, so PostgreSQL has transactions in flight while generating.
      const options: DemoDataOptions = { tenantId, hosts: 40, vulns: 45_000, now: NOW };
      const summary = await generateDemoData(db, { ...options, onProgress: (...p) => progress.push(p) });

      assert.deepEqual(summary, {
        groups: await count(db, 'SELECT COUNT(*) AS n FROM host_groups'),
        hosts: 40,
        vulnerabilities: 45_000,
        cves: await count(db, 'SELECT COUNT(*) AS n FROM cves'),
        images: 0,
        imageVulnerabilities: 0,
      });
      assert.equal(summary.groups, 6);
      assert.equal(await count(db, 'SELECT COUNT(*) AS n FROM hosts'), 40);
      assert.equal(await count(db, 'SELECT COUNT(*) AS n FROM vulnerabilities'), 45_000);
      assert.deepEqual(progress.at(-1), [45_040, 45_040]);
      assert.ok(progress.every(([done], i) => i === 0 || done > progress[i - 1]![0]));

      const types = await db.all<{ type: string; n: number }>(
        'SELECT type, COUNT(*) AS n FROM vulnerabilities GROUP BY type ORDER BY type',
      );
      assert.deepEqual(
        types.map((t) => t.type),
        [...VUL_TYPES].sort(),
      );
      const names: Record<string, RegExp> = {
        cve: /^(oval:com\.redhat\.rhsa:def:20\d{6}|USN-\d{4}-\d+|debian:DSA-\d{4}-\d+)$/,
        sys: /^KB\d{7}$/,
        cms: /^[a-z]+:[a-z]+:20\d\d-\d{3}$/,
        app: /^SCA:ACSV-20\d\d-\d{6}$/,
        emg: /^emg:SCA:AVD-20\d\d-\d{4,5}$/,
        sca: /^sca:[a-z0-9-]+:CVE-20\d\d-\d{4,5}$/,
      };
      const vulns = await db.all<Row>('SELECT * FROM vulnerabilities');
      const statuses = new Map<number, number>();
      for (const v of vulns) {
        assert.match(String(v.name), names[String(v.type)]!);
        assert.ok(Number(v.first_ts) >= NOW - 90 * DAY && Number(v.modify_ts) <= NOW, 'in the last 90 days');
        assert.ok(Number(v.first_ts) <= Number(v.last_ts) && Number(v.last_ts) <= Number(v.modify_ts));
        assert.equal(v.repair_ts !== null, [7, 8].includes(Number(v.status)), 'repaired iff fixed');
        assert.match(String(v.necessity), /^(asap|later|nntf)$/);
        statuses.set(Number(v.status), (statuses.get(Number(v.status)) ?? 0) + 1);
      }
      assert.ok(statuses.get(1)! > vulns.length / 2, 'mostly unfixed');
      assert.ok(
        [7, 10].every((s) => statuses.get(s)! > 0),
        'some fixed and some ignored',
      );
      assert.ok(
        vulns.some((v) => v.container_id !== ''),
        'some in containers',
      );
      assert.ok(vulns.some((v) => String(v.search_tags).includes('Restart required')));

      const related = new Set(vulns.flatMap((v) => String(v.related).split(',').filter(Boolean)));
      const stored = new Set(
        (await db.all<{ cve_id: string }>('SELECT cve_id FROM cves')).map((r) => r.cve_id),
      );
      assert.deepEqual(
        [...related].filter((id) => !stored.has(id)),
        [],
        'every related CVE is in cves',
      );
      const windows = await count(db, "SELECT COUNT(*) AS n FROM hosts WHERE os = 'windows'");
      assert.equal(windows, 8, 'two Windows hosts in every ten');
    });
  });

  test(`${dialect}: running twice appends without breaking unique keys`, async () => {
    await withDatabase(dialect, async (db) => {
      const tenantId = await createTenant(db, 'acme');
      const options = { tenantId, hosts: 10, vulns: 2_000, now: NOW };
      await generateDemoData(db, options);
      const second = await generateDemoData(db, options);
      assert.deepEqual(second, {
        groups: 0,
        hosts: 10,
        vulnerabilities: 2_000,
        cves: second.cves,
        images: 0,
        imageVulnerabilities: 0,
      });
      assert.equal(await count(db, 'SELECT COUNT(DISTINCT uuid) AS n FROM hosts'), 20);
      assert.equal(await count(db, 'SELECT COUNT(*) AS n FROM vulnerabilities'), 4_000);
      assert.equal(await count(db, 'SELECT COUNT(*) AS n FROM host_groups'), 6);
      // After a host is deleted the count of hosts falls back; the uuid it would reuse is skipped.
      await db.run('DELETE FROM vulnerabilities WHERE host_id = (SELECT MIN(id) FROM hosts)');
      await db.run('DELETE FROM hosts WHERE id = (SELECT MIN(id) FROM hosts)');
      await generateDemoData(db, { ...options, hosts: 3, vulns: 300 });
      assert.equal(await count(db, 'SELECT COUNT(DISTINCT uuid) AS n FROM hosts'), 22);
    });
  });

  test(`${dialect}: only the given tenant's rows are added`, async () => {
    await withDatabase(dialect, async (db) => {
      const other = await createTenant(db, 'other');
      const acme = await createTenant(db, 'acme');
      await generateDemoData(db, { tenantId: other, hosts: 5, vulns: 500, now: NOW });
      const before = await snapshot(db, other);
      await generateDemoData(db, { tenantId: acme, hosts: 8, vulns: 800, now: NOW });
      assert.deepEqual(await snapshot(db, other), before);
      assert.equal(await count(db, 'SELECT COUNT(*) AS n FROM hosts WHERE tenant_id = ?', [acme]), 8);
      const crossed = await count(
        db,
        `SELECT COUNT(*) AS n FROM vulnerabilities v JOIN hosts h ON h.id = v.host_id
         WHERE v.tenant_id = ? AND h.tenant_id <> v.tenant_id`,
        [acme],
      );
      assert.equal(crossed, 0);
      assert.equal(
        await count(db, 'SELECT COUNT(*) AS n FROM vulnerabilities WHERE tenant_id = ?', [acme]),
        800,
      );
    });
  });

  test(`${dialect}: refuses an unknown tenant and more findings than the hosts can hold`, async () => {
    await withDatabase(dialect, async (db) => {
      const tenantId = await createTenant(db, 'acme');
      const refused = { name: 'ParapetError', code: 'InvalidParameter' };
      await assert.rejects(generateDemoData(db, { tenantId: tenantId + 1, hosts: 1, vulns: 1 }), refused);
      await assert.rejects(generateDemoData(db, { tenantId, hosts: 0, vulns: 1 }), refused);
      await assert.rejects(
        generateDemoData(db, { tenantId, hosts: 2, vulns: 2 * MAX_VULNS_PER_HOST + 1 }),
        (err) => err instanceof ParapetError && /per new host/.test(err.message),
      );
      await assert.rejects(generateDemoData(db, { tenantId, hosts: -1, vulns: 0 }), refused);
      assert.equal(await count(db, 'SELECT COUNT(*) AS n FROM hosts'), 0);
    });
  });
}

test('sqlite: another connection can write between batches', async () => {
  const url = await createDatabaseUrl('sqlite', import.meta.filename);
  const db = await openDatabase({ url });
  const server = await openDatabase({ url });
  try {
    await migrate(db);
    const tenantId = await createTenant(db, 'acme');
    const writes: Promise<unknown>[] = [];
    let n = 0;
    // A write that had to wait for one long transaction would fail after busy_timeout.
    const onProgress = () => {
      n += 1;
      writes.push(
        server.run('INSERT INTO host_groups (tenant_id, name, created_at) VALUES (?, ?, ?)', [
          tenantId,
          `server-${n}`,
          NOW,
        ]),
      );
    };
    await generateDemoData(db, { tenantId, hosts: 30, vulns: 25_000, now: NOW, onProgress });
    await Promise.all(writes);
    assert.ok(n >= 4, `progress after every batch, got ${n}`);
    assert.equal(await count(db, "SELECT COUNT(*) AS n FROM host_groups WHERE name LIKE 'server-%'"), n);
  } finally {
    await server.close();
    await db.close();
  }
});

test('allocate splits in proportion, exactly, and never above the cap', () => {
  assert.deepEqual(allocate(10, [1, 1, 2], 100), [3, 2, 5]);
  const capped = allocate(25, [100, 1, 1], 10);
  assert.deepEqual(capped, [10, 10, 5]);
  const many = allocate(1_000, [3, 0.2, 7, 1, 1, 0.5], 400);
  assert.equal(
    many.reduce((a, b) => a + b, 0),
    1_000,
  );
  assert.ok(many.every((c) => c <= 400));
});

test('finding names never repeat within a type and OS family', () => {
  const families = [OS_PROFILES.centos79, OS_PROFILES.ubuntu2204, OS_PROFILES.debian12, OS_PROFILES.win2019];
  for (const profile of families) {
    for (const type of VUL_TYPES) {
      const size = Math.min(definitionCount(type, profile), 100_000);
      const names = new Set<string>();
      for (let d = 0; d < size; d++) names.add(defineFinding(type, d, profile, 'shop-api').name);
      assert.equal(names.size, size, `${type} on ${profile.osName}`);
    }
  }
});

test('the CVE catalogue has unique, well-formed ids and valid scores', () => {
  const catalogue = cveCatalogue();
  assert.equal(new Set(catalogue.map((c) => c.id)).size, catalogue.length);
  for (const c of catalogue) {
    assert.match(c.id, /^CVE-20\d\d-\d{4,5}$/);
    assert.match(
      c.vector,
      /^CVSS:3\.1\/AV:[NALP]\/AC:[LH]\/PR:[NLH]\/UI:[NR]\/S:[UC]\/C:[NLH]\/I:[NLH]\/A:[NLH]$/,
    );
    assert.ok(c.score >= 0 && c.score <= 10);
  }
  assert.ok(catalogue.some((c) => c.id === 'CVE-2021-44228'));
});
