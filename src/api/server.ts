/**
 * The HTTP server: one Fastify instance carrying every dialect. Bodies are
 * kept as raw bytes because signatures are computed over them.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { ParapetError } from '../domain/errors.ts';
import type { AppContext } from '../services/context.ts';
import { registerAgentRoutes } from './agent/router.ts';
import { registerDownloadRoutes } from './downloads.ts';
import { HSS_PREFIXES, registerHssRoutes, sendHssError } from './hss/router.ts';
import { registerIamRoutes } from './iam/tokens.ts';
import { renderSasError } from './sas/render.ts';
import { registerSasRoutes } from './sas/router.ts';

const MAX_HEADER_BYTES = 128 * 1024;

export interface ServerOptions {
  app: AppContext;
  /** Requests per second per tenant before Throttling.User. (Default: 100) */
  rateLimitPerSecond?: number;
  /** Largest request body accepted, in bytes. (Default: 1 MiB) */
  bodyLimit?: number;
  /** Log requests and errors to stdout. (Default: false) */
  logger?: boolean;
}

export interface ParapetServer {
  http: FastifyInstance;
  /** Makes /healthz answer 503 so load balancers stop sending work here. */
  beginShutdown(): void;
}

export function buildServer(options: ServerOptions): ParapetServer {
  const http = Fastify({
    // Warnings and errors only: one log line per request would drown a busy node.
    logger: options.logger ? { level: 'warn' } : false,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // SDKs put every RPC parameter in the URL; allow long ones, and answer
    // anything longer with a Sas error body rather than a bare 431.
    http: { maxHeaderSize: MAX_HEADER_BYTES },
    clientErrorHandler(err, socket) {
      const error =
        err.code === 'HPE_HEADER_OVERFLOW'
          ? new ParapetError('RequestHeaderFieldsTooLarge')
          : new ParapetError('InvalidParameter', 'The request could not be parsed as HTTP.');
      const body = JSON.stringify(renderSasError(error, randomUUID().toUpperCase(), ''));
      if (socket.writable) {
        socket.end(
          `HTTP/1.1 ${error.httpStatus} ${error.code}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
      } else {
        socket.destroy();
      }
    },
  });
  http.removeAllContentTypeParsers();
  http.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  let shuttingDown = false;
  http.get('/healthz', async (_request, reply) =>
    shuttingDown ? reply.code(503).send({ status: 'shutting down' }) : reply.send({ status: 'ok' }),
  );

  const log = (message: string, err: unknown) => http.log.error({ err }, message);
  registerSasRoutes(http, { app: options.app, rateLimitPerSecond: options.rateLimitPerSecond ?? 100, log });
  registerDownloadRoutes(http, { app: options.app, log });
  registerHssRoutes(http, { app: options.app, rateLimitPerSecond: options.rateLimitPerSecond ?? 100, log });
  registerIamRoutes(http, { app: options.app, log });
  registerAgentRoutes(http, { app: options.app, log });

  // Requests that never reached a route answer in the dialect their path belongs to.
  const isHss = (url: string) => HSS_PREFIXES.some((prefix) => url.startsWith(prefix));

  // Errors Fastify raises before a route runs (oversized or unreadable bodies).
  http.setErrorHandler((err: { statusCode?: number }, request, reply) => {
    const error =
      err.statusCode === 413
        ? new ParapetError('RequestEntityTooLarge')
        : err.statusCode !== undefined && err.statusCode < 500
          ? new ParapetError('InvalidParameter', 'The request could not be read.')
          : new ParapetError('ServerError', undefined, { cause: err });
    if (isHss(request.url)) return sendHssError(reply, error);
    return reply.code(error.httpStatus).send(renderSasError(error, request.id, request.hostname));
  });
  http.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]?.slice(0, 256) ?? '';
    if (isHss(request.url)) {
      const error = new ParapetError('InvalidAction.NotFound', `API not found: ${request.method} ${path}`);
      return sendHssError(reply, error);
    }
    const error = new ParapetError(
      'InvalidAction.NotFound',
      `No API is served at ${request.method} ${path}.`,
    );
    return reply.code(404).send(renderSasError(error, request.id, request.hostname));
  });

  return {
    http,
    beginShutdown() {
      shuttingDown = true;
    },
  };
}
