/**
 * Outgoing mail (scheduled security reports) through one SMTP server named by
 * a URL: smtp://user:password@host:587 (STARTTLS when the server offers it) or
 * smtps://user:password@host:465 (TLS from the start). Query parameters of the
 * URL are nodemailer options, e.g. ?requireTLS=true or ?tls.servername=….
 */
import { Readable } from 'node:stream';
import { createTransport } from 'nodemailer';

export interface MailAttachment {
  filename: string;
  contentType: string;
  content: Buffer | NodeJS.ReadableStream;
}

export interface MailMessage {
  to: string[];
  subject: string;
  text: string;
  html?: string;
  attachments?: MailAttachment[];
}

export interface MailReceipt {
  messageId: string;
  /** Recipients the server took. */
  accepted: string[];
  /** Recipients the server refused while taking the others (all refused → send() rejects). */
  rejected: string[];
}

export interface Mailer {
  /** Rejects with a plain Error naming the server and what failed; the password never appears in it. */
  send(message: MailMessage): Promise<MailReceipt>;
  close(): void;
}

export interface MailerOptions {
  /** smtp:// or smtps:// URL with optional user:password; undefined → no mailer. */
  smtpUrl: string | undefined;
  /** The From header and envelope sender, e.g. `Parapet <parapet@example.com>`. */
  from: string;
}

/**
 * Timeouts, so that a dead or silent server fails a send instead of hanging
 * the task that sends. The URL's query may override them (e.g. ?socketTimeout=60000).
 */
const CONNECTION_TIMEOUT_MS = 10_000;
const GREETING_TIMEOUT_MS = 10_000;
const SOCKET_TIMEOUT_MS = 30_000;

/** What a failure code from nodemailer means, in the words an operator needs. */
const FAILURES: Record<string, string> = {
  EAUTH: 'the server refused the user name or password',
  ENOAUTH: 'the server requires a user name and password (put them in the URL)',
  ECONNECTION: 'could not connect or the connection broke',
  ESOCKET: 'could not connect or the connection broke',
  ETIMEDOUT: 'the server did not answer in time',
  EDNS: 'the host name did not resolve',
  ETLS: 'the TLS handshake failed',
  EENVELOPE: 'the server refused the sender or every recipient',
  EMESSAGE: 'the server refused the message',
  ESTREAM: 'reading an attachment failed',
  EPROTOCOL: 'the server answered something unexpected',
};

interface NodemailerError {
  message: string;
  code?: string;
  command?: string;
  response?: string;
}

/** `smtps://mail.example.com:465`, without user or password. */
function serverName(url: URL): string {
  const port = url.port || (url.protocol === 'smtps:' ? '465' : '587');
  return `${url.protocol}//${url.hostname}:${port}`;
}

/** The password as it appears in the URL and decoded, to scrub from messages. */
function secretsOf(url: URL): string[] {
  if (url.password === '') return [];
  try {
    return [url.password, decodeURIComponent(url.password)];
  } catch {
    return [url.password];
  }
}

function mailError(server: string, secrets: string[], err: unknown): Error {
  const {
    message = String(err),
    code,
    command,
    response,
  } = (typeof err === 'object' && err !== null ? err : {}) as Partial<NodemailerError>;
  const what = (code !== undefined && FAILURES[code]) || 'sending failed';
  const details = [
    code,
    command === undefined || command === 'API' || command === 'CONN' ? undefined : `at ${command}`,
  ]
    .filter(Boolean)
    .join(' ');
  const reply = response && !message.includes(response) ? `; server said: ${response}` : '';
  let text = `Mail through ${server}: ${what}${details ? ` (${details})` : ''}: ${message}${reply}`;
  for (const secret of secrets) text = text.replaceAll(secret, '***');
  return new Error(text);
}

function toReadable(content: Buffer | NodeJS.ReadableStream): Buffer | Readable {
  if (Buffer.isBuffer(content) || content instanceof Readable) return content;
  return new Readable().wrap(content);
}

/** undefined when no SMTP URL is configured. */
export function makeMailer(options: MailerOptions): Mailer | undefined {
  if (options.smtpUrl === undefined || options.smtpUrl === '') return undefined;
  // Not new URL() bare: its error carries the input, password included.
  const url = URL.parse(options.smtpUrl);
  if (url === null) throw new Error('the SMTP URL is not a URL');
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new Error(`the SMTP URL must start with smtp:// or smtps://, not ${url.protocol}//`);
  }
  const server = serverName(url);
  const secrets = secretsOf(url);
  const transport = createTransport({
    url: options.smtpUrl,
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    greetingTimeout: GREETING_TIMEOUT_MS,
    socketTimeout: SOCKET_TIMEOUT_MS,
  });

  return {
    async send(message: MailMessage): Promise<MailReceipt> {
      if (message.to.length === 0) {
        throw new Error(`Mail "${message.subject}" has no recipients: name at least one.`);
      }
      try {
        const info = await transport.sendMail({
          from: options.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
          attachments: (message.attachments ?? []).map((attachment) => ({
            filename: attachment.filename,
            contentType: attachment.contentType,
            content: toReadable(attachment.content),
          })),
        });
        return { messageId: info.messageId, accepted: info.accepted, rejected: info.rejected };
      } catch (err) {
        throw mailError(server, secrets, err);
      }
    },
    close() {
      transport.close();
    },
  };
}
