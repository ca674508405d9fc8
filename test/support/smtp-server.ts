/**
 * A real SMTP server for tests: smtp-server on 127.0.0.1 and a free port,
 * plain text (no STARTTLS), every message it takes parsed with mailparser.
 * By default it demands AUTH PLAIN or LOGIN as SMTP_TEST_USER with
 * SMTP_TEST_PASSWORD, and the URL it returns carries them.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export const SMTP_TEST_USER = 'reports@parapet.test';
export const SMTP_TEST_PASSWORD = 's3cret-pa55word';

export interface SmtpServerOptions {
  /** false: no AUTH at all, anyone may send, and the URL has no credentials. (Default: true) */
  auth?: boolean;
}

export interface TestSmtpServer {
  /** `smtp://user:password@127.0.0.1:<port>`, or without credentials when auth is off. */
  url: string;
  /** Every message taken, in order of arrival. */
  messages: ParsedMail[];
  /** Resolves with the first n messages once that many arrived; rejects after timeoutMs (Default: 5 s). */
  waitForMessages(n: number, timeoutMs?: number): Promise<ParsedMail[]>;
  stop(): Promise<void>;
}

export async function startSmtpServer(options: SmtpServerOptions = {}): Promise<TestSmtpServer> {
  const auth = options.auth ?? true;
  const messages: ParsedMail[] = [];
  const waiters = new Set<() => void>();

  const server = new SMTPServer({
    logger: false,
    disabledCommands: auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !auth,
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: true,
    // Lets stop() finish even if a client forgot to hang up.
    closeTimeout: 1000,
    onAuth(credentials, _session, callback) {
      if (credentials.username === SMTP_TEST_USER && credentials.password === SMTP_TEST_PASSWORD) {
        callback(null, { user: credentials.username });
      } else {
        callback(new Error('Invalid username or password'));
      }
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (parsed) => {
          messages.push(parsed);
          for (const wake of waiters) wake();
          callback();
        },
        (err: Error) => callback(err),
      );
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  const credentials = auth
    ? `${encodeURIComponent(SMTP_TEST_USER)}:${encodeURIComponent(SMTP_TEST_PASSWORD)}@`
    : '';

  return {
    url: `smtp://${credentials}127.0.0.1:${port}`,
    messages,
    waitForMessages(n: number, timeoutMs = 5000): Promise<ParsedMail[]> {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (messages.length < n) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(messages.slice(0, n));
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`expected ${n} messages within ${timeoutMs} ms, got ${messages.length}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    stop(): Promise<void> {
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
