/**
 * Reports end to end: a real `parapet serve` on each database, driven by
 * `@alicloud/openapi-core` — save a definition, ExportCustomizeReport as HTML
 * and PDF in Chinese and English, poll DescribeReportExport, download the
 * DownloadUrl, and read the file back: the HTML as text, the PDF with
 * pdftotext (localized headings, the right counts from the database) and
 * page 1 rendered to a PNG with pdftoppm (kept in the run's state dir).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadServerKey } from '../src/auth/secret-box.ts';
import { UNHANDLED_STATUSES } from '../src/domain/vulnerabilities.ts';
import { openDatabase, type Database } from '../src/persistence/database.ts';
import { signDownloadToken } from '../src/storage/signed-link.ts';
import { dialects } from './support/databases.ts';
import { startParapet, type ParapetProcess } from './support/parapet-process.ts';
import { expectSasError, makeSasClient, type SasClient } from './support/sas-clients.ts';
import { startSmtpServer, type TestSmtpServer } from './support/smtp-server.ts';
import { testStateDir } from './support/state-dir.ts';

const DEFINITION = {
  Recipients: 'ciso@example.com',
  ReportStatus: 1,
  ReportType: 4,
  ReportDays: 30,
  SendStartTime: '08:00:00',
  SendEndTime: '09:00:00',
};

interface Case {
  lang: 'zh' | 'en';
  format: 'HTML' | 'PDF';
  title: string;
  headings: string[];
}

const CASES: Case[] = [
  {
    lang: 'zh',
    format: 'PDF',
    title: '月度安全报告',
    headings: ['概览', '漏洞分析', '风险最高的主机 Top 10', '附录：全部未处理漏洞'],
  },
  {
    lang: 'en',
    format: 'PDF',
    title: 'Monthly security review',
    headings: ['Executive summary', 'Top 10 hosts by risk', 'Appendix: every open vulnerability'],
  },
  { lang: 'zh', format: 'HTML', title: '月度安全报告', headings: ['概览', '影响最广的漏洞 Top 10'] },
  {
    lang: 'en',
    format: 'HTML',
    title: 'Monthly security review',
    headings: ['Executive summary', 'Open high-priority vulnerabilities'],
  },
];

async function pollReport(client: SasClient, id: number): Promise<Record<string, unknown>> {
  const seen: string[] = [];
  for (let i = 0; i < 600; i++) {
    const info = await client.call('DescribeReportExport', { ExportId: id });
    seen.push(String(info.ExportStatus));
    if (info.ExportStatus === '2' || info.ExportStatus === '-1') return info;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`report ${id} did not finish within a minute: ${seen.join(',')}`);
}

function pdfText(file: string): string {
  const result = spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout;
}

for (const dialect of dialects) {
  describe(`Sas report exports (${dialect})`, () => {
    let parapet: ParapetProcess;
    let db: Database;
    let root: SasClient;
    let openTotal: number;
    let smtp: TestSmtpServer;

    before(async () => {
      smtp = await startSmtpServer();
      parapet = await startParapet(dialect, 'sas-report-export', { PARAPET_SMTP_URL: smtp.url });
      parapet.cli(['demo-data', '--hosts', '40', '--vulns', '1500', '--images', '10', '--seed', '9']);
      db = await openDatabase({ url: parapet.databaseUrl });
      root = makeSasClient('openapi-v3', parapet.endpoint, parapet.rootKey);
      const row = await db.get<{ n: number }>(
        `SELECT COUNT(*) AS n FROM vulnerabilities WHERE status IN (${UNHANDLED_STATUSES.join(', ')})`,
      );
      openTotal = Number(row?.n ?? 0);
      assert.ok(openTotal > 1000, 'the fleet has open vulnerabilities worth a thousands separator');
    });
    after(async () => {
      await db?.close();
      await parapet?.stop();
      await smtp?.stop();
    });

    test('SendCustomizeReport mails the rendered PDF to the recipients', async () => {
      const { ReportId: reportId } = await root.call('SaveCustomizeReportConfig', {
        ...DEFINITION,
        Title: '发送测试',
        ReportLang: 'zh',
        Recipients: 'ciso@example.com,soc@example.com',
      });
      const sent = await root.call('SendCustomizeReport', { ReportId: reportId as number });
      assert.equal(typeof sent.RequestId, 'string');
      const [message] = await smtp.waitForMessages(1, 60_000);
      assert.ok(message);
      assert.match(message.subject ?? '', /^发送测试 · /);
      const to = (Array.isArray(message.to) ? message.to : [message.to]).map((a) => a?.text).join();
      assert.ok(to.includes('ciso@example.com') && to.includes('soc@example.com'), to);
      const [attachment] = message.attachments;
      assert.ok(attachment);
      assert.equal(attachment.contentType, 'application/pdf');
      const file = join(testStateDir(), `mailed-${dialect}.pdf`);
      writeFileSync(file, attachment.content);
      assert.ok(pdfText(file).includes('发送测试'), 'the attachment is the report');
      smtp.messages.length = 0;
    });

    for (const c of CASES) {
      test(`${c.format} in ${c.lang}: export, poll, download, read back`, async () => {
        const { ReportId: reportId } = await root.call('SaveCustomizeReportConfig', {
          ...DEFINITION,
          Title: c.title,
          ReportLang: c.lang,
        });
        const started = await root.call('ExportCustomizeReport', {
          ReportId: reportId as number,
          ExportType: c.format,
        });
        assert.equal(started.ReportId, reportId);
        assert.equal(typeof started.ExportId, 'number');
        assert.match(String(started.ExportDate), /^\d{4}-\d{2}-\d{2}$/);

        const info = await pollReport(root, started.ExportId as number);
        assert.equal(info.ExportStatus, '2', String(info.Message));
        assert.equal(info.ReportId, reportId);
        const expires = info.UrlExpiredTime as number;
        assert.ok(expires > Date.now() && expires <= Date.now() + 3_600_000 + 5_000, 'the URL lasts an hour');

        const response = await fetch(String(info.DownloadUrl));
        assert.equal(response.status, 200);
        const body = Buffer.from(await response.arrayBuffer());
        const file = join(testStateDir(), `report-${dialect}-${c.lang}.${c.format.toLowerCase()}`);
        writeFileSync(file, body);
        const total = new Intl.NumberFormat(c.lang === 'zh' ? 'zh-CN' : 'en-US').format(openTotal);
        if (c.format === 'HTML') {
          assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
          const html = body.toString('utf8');
          assert.match(html, new RegExp(`<html[^>]*lang="${c.lang}`));
          for (const text of [c.title, ...c.headings, total])
            assert.ok(html.includes(text), `${text} in the HTML`);
          assert.ok(!/(src|href)="https?:/.test(html), 'self-contained: no external resources');
          return;
        }
        assert.equal(response.headers.get('content-type'), 'application/pdf');
        assert.equal(body.subarray(0, 5).toString(), '%PDF-');
        const text = pdfText(file).replace(/[ \t]+/g, ' ');
        for (const expected of [c.title, ...c.headings, total]) {
          assert.ok(text.includes(expected), `"${expected}" in the PDF text`);
        }
        const png = join(testStateDir(), `report-${dialect}-${c.lang}-page1`);
        const render = spawnSync('pdftoppm', [
          '-png',
          '-r',
          '60',
          '-f',
          '1',
          '-l',
          '1',
          '-singlefile',
          file,
          png,
        ]);
        assert.equal(render.status, 0, String(render.stderr));
        assert.ok(existsSync(`${png}.png`) && statSync(`${png}.png`).size > 10_000, 'page 1 renders');
        assert.deepEqual([...readFileSync(`${png}.png`).subarray(1, 4)], [0x50, 0x4e, 0x47]);
      });
    }

    test('an expired DownloadUrl is 403; PDF of a 1.0.0 report, unknown ids and other tenants are refused', async () => {
      const { ReportId: reportId } = await root.call('SaveCustomizeReportConfig', {
        ...DEFINITION,
        Title: 'expiring',
      });
      const started = await root.call('ExportCustomizeReport', { ReportId: reportId as number });
      const info = await pollReport(root, started.ExportId as number);
      const artifact = await db.get<{ id: number; tenant_id: number }>(
        'SELECT a.id, a.tenant_id FROM artifacts a WHERE a.task_id = ?',
        [started.ExportId as number],
      );
      assert.ok(artifact && info.DownloadUrl);
      const key = loadServerKey({ envValue: undefined, dataDir: String(parapet.env.PARAPET_DATA_DIR) });
      const expired = signDownloadToken(key, {
        tenantId: artifact.tenant_id,
        artifactId: artifact.id,
        expiresAt: Date.now() - 1000,
      });
      const refused = await fetch(`${parapet.url}/downloads/${expired}`);
      assert.equal(refused.status, 403);
      assert.equal(((await refused.json()) as { Code: string }).Code, 'DownloadLink.Expired');

      const v1 = await root.call('SaveCustomizeReportConfig', {
        ...DEFINITION,
        Title: 'old style',
        ReportVersion: '1.0.0',
      });
      const pdf = await expectSasError(
        root.call('ExportCustomizeReport', { ReportId: v1.ReportId as number, ExportType: 'PDF' }),
      );
      assert.equal(pdf.code, 'InvalidParameter');
      const badType = await expectSasError(
        root.call('ExportCustomizeReport', { ReportId: reportId as number, ExportType: 'DOCX' }),
      );
      assert.equal(badType.code, 'InvalidParameter');
      const missing = await expectSasError(root.call('ExportCustomizeReport', { ReportId: 999_999 }));
      assert.equal(missing.code, 'Report.NotFound');

      const other = parapet.cli(['admin', 'tenant', 'create', 'report-stranger']) as {
        AccessKeyId: string;
        AccessKeySecret: string;
      };
      const stranger = makeSasClient('openapi-v3', parapet.endpoint, {
        accessKeyId: other.AccessKeyId,
        accessKeySecret: other.AccessKeySecret,
      });
      const foreign = await expectSasError(
        stranger.call('DescribeReportExport', { ExportId: started.ExportId as number }),
      );
      assert.equal(foreign.code, 'ExportTask.NotFound');
      assert.equal(foreign.statusCode, 404);
      const foreignExport = await expectSasError(
        stranger.call('ExportCustomizeReport', { ReportId: reportId as number }),
      );
      assert.equal(foreignExport.code, 'Report.NotFound');

      parapet.cli(['admin', 'user', 'create', 'report-reader']);
      const key2 = parapet.cli(['admin', 'key', 'create', 'report-reader']) as {
        AccessKeyId: string;
        AccessKeySecret: string;
      };
      const policy = join(testStateDir(), 'report-reader-policy.json');
      writeFileSync(
        policy,
        JSON.stringify({
          Version: '1',
          Statement: [{ Effect: 'Allow', Action: 'yundun-sas:DescribeCustomize*', Resource: '*' }],
        }),
      );
      parapet.cli(['admin', 'policy', 'put', 'report-reader', policy]);
      const reader = makeSasClient('openapi-v3', parapet.endpoint, {
        accessKeyId: key2.AccessKeyId,
        accessKeySecret: key2.AccessKeySecret,
      });
      await reader.call('DescribeCustomizeReportList');
      const denied = await expectSasError(
        reader.call('ExportCustomizeReport', { ReportId: reportId as number }),
      );
      assert.equal(denied.code, 'NoPermission');
      assert.equal(denied.statusCode, 403);
    });
  });
}
