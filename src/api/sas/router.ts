/**
 * The Sas RPC dialect: `GET /` and `POST /` carrying an action. Authenticate
 * (signature V1 or V3) → find the action → authorise (RAM) → decode → call
 * the service → render JSON. Every response carries a RequestId.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authorize } from '../../auth/authorize.ts';
import { authenticateSas } from '../../auth/sas-authenticate.ts';
import { parseSasRequest } from '../../auth/sas-signature.ts';
import { ParapetError } from '../../domain/errors.ts';
import type { AppContext } from '../../services/context.ts';
import { headerMap, rawBody, splitTarget } from '../request-parts.ts';
import type { SasAction } from './action.ts';
import { sasActions } from './actions.ts';
import { renderSasError } from './render.ts';

export const SAS_API_VERSION = '2018-12-03';

export interface SasRouterOptions {
  app: AppContext;
  rateLimitPerSecond: number;
  log: (message: string, err: unknown) => void;
}

export function registerSasRoutes(server: FastifyInstance, options: SasRouterOptions): void {
  const actions = new Map<string, SasAction>(sasActions.map((action) => [action.name, action]));
  const { app } = options;

  async function handle(request: FastifyRequest, reply: FastifyReply) {
    const requestId = randomUUID().toUpperCase();
    try {
      const signed = parseSasRequest({
        method: request.method,
        rawQuery: splitTarget(request.url).rawQuery,
        headers: headerMap(request),
        body: rawBody(request),
      });
      if (signed.format !== undefined && signed.format.toUpperCase() !== 'JSON') {
        throw new ParapetError(
          'InvalidParameter.Format',
          `Format "${signed.format.slice(0, 32)}" is not supported by Parapet: use JSON.`,
        );
      }
      const caller = await authenticateSas(app, signed, {
        sourceIp: request.ip,
        secureTransport: request.protocol === 'https',
        rateLimitPerSecond: options.rateLimitPerSecond,
      });
      if (signed.apiVersion !== SAS_API_VERSION) {
        throw new ParapetError(
          'InvalidVersion',
          `Specified parameter Version is not valid: Parapet speaks Sas ${SAS_API_VERSION}.`,
        );
      }
      const action = actions.get(signed.action);
      if (!action) {
        throw new ParapetError(
          'InvalidAction.NotFound',
          `Specified api "${signed.action.slice(0, 64)}" is not found, please check your url and method.`,
        );
      }
      authorize(caller, action.ramActions, new Date(app.now()));
      const result = await action.run(app, caller, signed.params, {
        baseUrl: `${request.protocol}://${request.host}`,
      });
      return reply.code(200).send({ RequestId: requestId, ...result });
    } catch (err) {
      const error =
        err instanceof ParapetError ? err : new ParapetError('ServerError', undefined, { cause: err });
      if (!(err instanceof ParapetError)) options.log(`Sas request ${requestId} failed`, err);
      return reply.code(error.httpStatus).send(renderSasError(error, requestId, request.hostname));
    }
  }

  server.get('/', handle);
  server.post('/', handle);
}
