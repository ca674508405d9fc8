/**
 * The HSS v5 REST dialect: `/v5/{project_id}/…`. Authenticate (token or
 * SDK-HMAC-SHA256) → the path's project is the caller's → authorise the
 * operation's policy action → decode query and body → call the service →
 * JSON (or a file). Every response carries `X-Request-Id`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticateHss } from '../../auth/hss-authenticate.ts';
import { authorize } from '../../auth/authorize.ts';
import { ParapetError } from '../../domain/errors.ts';
import type { AppContext } from '../../services/context.ts';
import { clearFileHeaders, serveArtifact } from '../downloads.ts';
import { headerMap, parseRawQuery, rawBody, splitTarget } from '../request-parts.ts';
import type { HssOperation } from './operation.ts';
import { hssOperations } from './operations.ts';
import { newHssRequestId, renderHssError } from './render.ts';

export const HSS_PREFIXES = ['/v5/', '/v3/'];

export interface HssRouterOptions {
  app: AppContext;
  rateLimitPerSecond: number;
  log: (message: string, err: unknown) => void;
}

type HssRequest = FastifyRequest<{ Params: Record<string, string> }>;

/** Answers with the HSS error body; for failures before or outside a route too. */
export function sendHssError(reply: FastifyReply, err: ParapetError, requestId = newHssRequestId()) {
  const { httpStatus, body } = renderHssError(err, requestId);
  return reply.code(httpStatus).header('X-Request-Id', requestId).send(body);
}

export function registerHssRoutes(server: FastifyInstance, options: HssRouterOptions): void {
  const { app } = options;

  async function handle(operation: HssOperation, request: HssRequest, reply: FastifyReply) {
    const requestId = newHssRequestId();
    reply.header('X-Request-Id', requestId);
    try {
      const { project_id: projectId = '', ...path } = request.params;
      const { rawPath, rawQuery } = splitTarget(request.url);
      const headers = headerMap(request);
      const body = rawBody(request);
      const caller = await authenticateHss(
        app,
        { method: request.method, rawPath, rawQuery, headers, body },
        {
          projectId,
          sourceIp: request.ip,
          secureTransport: request.protocol === 'https',
          rateLimitPerSecond: options.rateLimitPerSecond,
        },
      );
      authorize(caller, [operation.action], new Date(app.now()));
      const result = await operation.run(app, caller, parseRawQuery(rawQuery), body, { path, headers });
      if ('json' in result) return await reply.code(200).send(result.json);
      // The SDK hands back a stream only for octet-stream, zip or image content types.
      return await serveArtifact(app, result.file, request, reply, 'application/octet-stream');
    } catch (err) {
      const error =
        err instanceof ParapetError ? err : new ParapetError('ServerError', undefined, { cause: err });
      if (!(err instanceof ParapetError)) options.log(`HSS request ${requestId} failed`, err);
      clearFileHeaders(reply);
      return sendHssError(reply, error, requestId);
    }
  }

  for (const operation of hssOperations) {
    server.route<{ Params: Record<string, string> }>({
      method: operation.method,
      url: `/v5/:project_id${operation.path}`,
      handler: (request, reply) => handle(operation, request, reply),
    });
  }
}
