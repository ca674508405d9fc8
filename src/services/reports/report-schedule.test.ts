/**
 * Scheduled reports on both databases: a due period is queued exactly once
 * however many nodes schedule it, nothing before the send time, the next
 * period again; then a worker renders it and mails it through a real SMTP
 * server, and the message carries the PDF.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { makeWorker } from '../../engine/index.ts';
import type { Database } from '../../persistence/database.ts';
import { dialects, openTestDatabase } from '../../../test/support/databases.ts';
import { makeTestApp, type TestApp } from '../../../test/support/app-context.ts';
import { startSmtpServer, type TestSmtpServer } from '../../../test/support/smtp-server.ts';
import { generateDemoData } from '../demo-data.ts';
import { createTenant } from '../identity.ts';
import { makeMailer } from '../mailer.ts';
import { saveReportConfig } from '../reports.ts';
import { makeTaskKinds } from '../task-kinds.ts';
import { runReportSchedules } from './report-schedule.ts';

const silent = { info() {}, warn() {}, error() {} };
/** Monday 2026-11-23, 07:00 in the server's zone. */
const MONDAY_7 = Date.parse('2026-11-23T07:00:00');
const HOUR = 3_600_000;

for (const dialect of dialects) {
  describe(`report schedules (${dialect})`, () => {
    let db: Database;
    let app: TestApp;
    let smtp: TestSmtpServer;
    let tenantId: number;

    before(async () => {
      smtp = await startSmtpServer();
      db = await openTestDatabase(dialect, import.meta.filename);
      app = await makeTestApp(db, {
        now: MONDAY_7,
        mailer: makeMailer({ smtpUrl: smtp.url, from: 'Parapet <reports@example.com>' }),
      });
      tenantId = (await createTenant(app, { name: 'acme' })).TenantId;
      await generateDemoData(db, { tenantId, hosts: 8, vulns: 120, seed: 4 });
    });
    after(async () => {
      app?.mailer?.close();
      await db?.close();
      await smtp?.stop();
    });

    const reportTasks = async () =>
      db.all<{ id: number; params: string }>(
        `SELECT id, params FROM tasks WHERE kind = 'report' ORDER BY id`,
      );

    test('a due period is queued once by any number of nodes; not before its send time; the next one again', async () => {
      const config = await saveReportConfig(app, tenantId, undefined, {
        title: 'Weekly review',
        recipients: ['ciso@example.com', 'soc@example.com'],
        enabled: true,
        type: 1,
        lang: 'en',
        version: '2.0.0',
        startDate: undefined,
        endDate: undefined,
        reportDays: undefined,
        sendWindow: undefined,
        sendStartTime: '08:00:00',
        sendEndTime: '09:00:00',
        sendPeriodType: undefined,
        sendPeriodDays: undefined,
        groupType: undefined,
        targetGroups: [],
        pinnedAt: undefined,
      });
      await saveReportConfig(app, tenantId, undefined, { ...config, title: 'Disabled', enabled: false });

      assert.equal(await runReportSchedules(app), 0, 'before 08:00 nothing is due');
      app.clock = MONDAY_7 + HOUR;
      // Three nodes at once, then again a minute later.
      await Promise.all([runReportSchedules(app), runReportSchedules(app), runReportSchedules(app)]);
      app.clock += 60_000;
      assert.equal(await runReportSchedules(app), 1);
      const tasks = await reportTasks();
      assert.equal(tasks.length, 1, 'one report for the period');
      const params = JSON.parse(tasks[0]!.params) as {
        deliverTo: string[];
        format: string;
        reportId: number;
      };
      assert.deepEqual(params.deliverTo, ['ciso@example.com', 'soc@example.com']);
      assert.equal(params.format, 'PDF');
      assert.equal(params.reportId, config.id);

      app.clock = MONDAY_7 + 7 * 24 * HOUR + 2 * HOUR; // the next Monday, 09:00
      await runReportSchedules(app);
      assert.equal((await reportTasks()).length, 2, 'the next period is queued');
    });

    test('a worker renders the queued report and mails it, PDF attached', async () => {
      const worker = makeWorker({ db, kinds: makeTaskKinds(app), pollIntervalMs: 20, log: silent });
      worker.start();
      try {
        const messages = await smtp.waitForMessages(2, 60_000);
        for (const message of messages) {
          assert.match(message.subject ?? '', /^Weekly review · /);
          const [attachment] = message.attachments;
          assert.ok(attachment, 'the report is attached');
          assert.equal(attachment.contentType, 'application/pdf');
          assert.equal(attachment.content.subarray(0, 5).toString(), '%PDF-');
          assert.match(attachment.filename ?? '', /^Weekly review_\d{8}\.pdf$/);
        }
        const to = messages.map((m) => (Array.isArray(m.to) ? m.to : [m.to]).map((a) => a?.text).join());
        assert.ok(to.every((text) => text.includes('ciso@example.com') && text.includes('soc@example.com')));
        // The message is out before its task records success: wait for both to finish.
        let statuses: string[] = [];
        for (let i = 0; i < 200 && statuses.join() !== 'succeeded,succeeded'; i++) {
          if (i > 0) await new Promise((resolve) => setTimeout(resolve, 50));
          const mails = await db.all<{ status: string }>(
            `SELECT status FROM tasks WHERE kind = 'report-mail' ORDER BY id`,
          );
          statuses = mails.map((m) => m.status);
        }
        assert.deepEqual(statuses, ['succeeded', 'succeeded']);
      } finally {
        await worker.stop();
      }
    });
  });
}
