import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { startSmtpServer } from '../../test/support/smtp-server.ts';
import { makeMailer, type Mailer } from './mailer.ts';

const FROM = 'Parapet <parapet@parapet.test>';
const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from([0, 1, 2, 0xff, 0xfe, 13, 10, 0x80])]);

function mailerFor(smtpUrl: string): Mailer {
  const mailer = makeMailer({ smtpUrl, from: FROM });
  assert.ok(mailer);
  return mailer;
}

interface SilentServer {
  port: number;
  connections(): number;
  stop(): Promise<void>;
}

/** A TCP server that takes connections and never says a word (a hung SMTP server). */
async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  let count = 0;
  const server = createServer((socket) => {
    count += 1;
    sockets.add(socket);
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => count,
    stop() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

test('sends text, HTML and a PDF attachment through an SMTP server that demands a login', async (t) => {
  const smtp = await startSmtpServer();
  t.after(() => smtp.stop());
  const mailer = mailerFor(smtp.url);
  t.after(() => mailer.close());

  const receipt = await mailer.send({
    to: ['alice@example.com', 'bob@example.com'],
    subject: 'Weekly security report — 周报',
    text: 'Hello,\nthe report is attached.',
    html: '<p>Hello,<br>the report is <b>attached</b>.</p>',
    attachments: [{ filename: 'report 2026-W47.pdf', contentType: 'application/pdf', content: PDF }],
  });

  assert.deepEqual(receipt.accepted, ['alice@example.com', 'bob@example.com']);
  assert.deepEqual(receipt.rejected, []);
  const [mail] = await smtp.waitForMessages(1);
  assert.ok(mail);
  assert.equal(mail.messageId, receipt.messageId);
  assert.equal(mail.from?.text, '"Parapet" <parapet@parapet.test>');
  const to = Array.isArray(mail.to) ? mail.to : [mail.to];
  assert.deepEqual(
    to.flatMap((list) => list?.value.map((address) => address.address) ?? []),
    ['alice@example.com', 'bob@example.com'],
  );
  assert.equal(mail.subject, 'Weekly security report — 周报');
  assert.equal(mail.text?.trim(), 'Hello,\nthe report is attached.');
  assert.equal(mail.html, '<p>Hello,<br>the report is <b>attached</b>.</p>');
  assert.equal(mail.attachments.length, 1);
  const [attachment] = mail.attachments;
  assert.equal(attachment?.filename, 'report 2026-W47.pdf');
  assert.equal(attachment?.contentType, 'application/pdf');
  assert.deepEqual(attachment?.content, PDF);
});

test('an attachment may be a stream', async (t) => {
  const smtp = await startSmtpServer();
  t.after(() => smtp.stop());
  const mailer = mailerFor(smtp.url);
  t.after(() => mailer.close());
  const chunks = [PDF, Buffer.alloc(100_000, 0xab), Buffer.from('%%EOF\n')];

  await mailer.send({
    to: ['alice@example.com'],
    subject: 'Streamed',
    text: 'See attachment.',
    attachments: [{ filename: 'big.pdf', contentType: 'application/pdf', content: Readable.from(chunks) }],
  });

  const [mail] = await smtp.waitForMessages(1);
  assert.equal(mail?.html, false);
  assert.equal(mail?.attachments[0]?.filename, 'big.pdf');
  assert.deepEqual(mail?.attachments[0]?.content, Buffer.concat(chunks));
});

test('a server without AUTH takes mail from a URL without credentials', async (t) => {
  const smtp = await startSmtpServer({ auth: false });
  t.after(() => smtp.stop());
  assert.doesNotMatch(smtp.url, /@/);
  const mailer = mailerFor(smtp.url);
  t.after(() => mailer.close());

  await mailer.send({ to: ['alice@example.com'], subject: 'No auth', text: 'hi' });

  const [mail] = await smtp.waitForMessages(1);
  assert.equal(mail?.subject, 'No auth');
});

test('a wrong password rejects the send with an error that names the server but not the password', async (t) => {
  const smtp = await startSmtpServer();
  t.after(() => smtp.stop());
  const url = new URL(smtp.url);
  const password = 'wr0ng p@ss:word';
  url.password = encodeURIComponent(password);
  const mailer = mailerFor(url.toString());
  t.after(() => mailer.close());

  const err = await mailer.send({ to: ['alice@example.com'], subject: 'x', text: 'x' }).then(
    () => assert.fail('the send should fail'),
    (error: unknown) => error,
  );

  assert.ok(err instanceof Error);
  assert.match(err.message, new RegExp(`smtp://127\\.0\\.0\\.1:${url.port}`));
  assert.match(err.message, /refused the user name or password/);
  assert.match(err.message, /EAUTH/);
  assert.ok(!err.message.includes(password), err.message);
  assert.ok(!err.message.includes(url.password), err.message);
  assert.ok(!err.message.includes('p@ss'), err.message);
  assert.equal(smtp.messages.length, 0);
});

test('a stopped server fails the send quickly instead of hanging', async () => {
  const smtp = await startSmtpServer();
  await smtp.stop();
  const mailer = mailerFor(smtp.url);

  const started = Date.now();
  await assert.rejects(mailer.send({ to: ['alice@example.com'], subject: 'x', text: 'x' }), (err: Error) => {
    assert.match(err.message, /^Mail through smtp:\/\/127\.0\.0\.1:\d+: could not connect/);
    assert.match(err.message, /ECONNREFUSED/);
    assert.ok(!err.message.includes(new URL(smtp.url).password));
    return true;
  });
  assert.ok(Date.now() - started < 10_000);
  mailer.close();
});

test('a server that never greets fails the send after the greeting timeout', async (t) => {
  const silent = await startSilentServer();
  t.after(() => silent.stop());
  // The URL's query overrides the 10 s defaults, so the test stays quick.
  const mailer = mailerFor(`smtp://127.0.0.1:${silent.port}?connectionTimeout=300&greetingTimeout=300`);

  const started = Date.now();
  await assert.rejects(mailer.send({ to: ['alice@example.com'], subject: 'x', text: 'x' }), (err: Error) => {
    assert.match(err.message, /did not answer in time \(ETIMEDOUT/);
    return true;
  });
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 250 && elapsed < 3000, `took ${elapsed} ms`);
  assert.equal(silent.connections(), 1);
  mailer.close();
});

test('a message without recipients is refused before connecting', async (t) => {
  const silent = await startSilentServer();
  t.after(() => silent.stop());
  const mailer = mailerFor(`smtp://127.0.0.1:${silent.port}`);

  await assert.rejects(mailer.send({ to: [], subject: 'Report', text: 'x' }), /no recipients/);
  assert.equal(silent.connections(), 0);
  mailer.close();
});

test('no SMTP URL, no mailer', () => {
  assert.equal(makeMailer({ smtpUrl: undefined, from: FROM }), undefined);
});
