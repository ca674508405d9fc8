/**
 * The agent protocol (docs/agent-protocol.md): enrollment with a token, then
 * requests signed with the agent's own secret. Authenticate → check the JSON
 * → call the service → JSON. Errors use the Sas error body.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseAgentHeaders } from '../../auth/agent-signature.ts';
import { AGENT_API_PREFIX } from '../../domain/agent-protocol.ts';
import { invalidParameter, ParapetError } from '../../domain/errors.ts';
import {
  authenticateAgent,
  enrollAgent,
  pollWaitMs,
  refreshHost,
  type AgentIdentity,
} from '../../services/agents.ts';
import { makeAssignmentWaker } from '../../services/assignment-waker.ts';
import { pollAssignments, postResultPart, reportProgress } from '../../services/assignments.ts';
import type { AppContext } from '../../services/context.ts';
import { headerMap, rawBody } from '../request-parts.ts';
import { renderSasError } from '../sas/render.ts';
import {
  checkEnrollRequest,
  checkHostFacts,
  checkPollWait,
  checkProgress,
  checkResultPart,
} from './messages.ts';

export interface AgentRouterOptions {
  app: AppContext;
  log: (message: string, err: unknown) => void;
}

type AgentRequest = FastifyRequest<{ Params: Record<string, string> }>;

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    throw new ParapetError('InvalidBody');
  }
}

function assignmentId(request: AgentRequest): number {
  const text = request.params.id ?? '';
  if (!/^\d{1,15}$/.test(text)) throw invalidParameter('id', 'it is not an assignment id');
  return Number(text);
}

export function registerAgentRoutes(server: FastifyInstance, options: AgentRouterOptions): void {
  const { app } = options;
  const waker = makeAssignmentWaker(app.db);
  // Long polls end at once when the server shuts down.
  server.addHook('preClose', (done) => {
    waker.close();
    done();
  });

  async function respond(
    request: AgentRequest,
    reply: FastifyReply,
    status: number,
    run: (body: () => unknown) => Promise<unknown>,
  ) {
    const requestId = randomUUID().toUpperCase();
    try {
      const result = await run(() => parseJson(rawBody(request)));
      return await reply.code(status).send(result);
    } catch (err) {
      const error =
        err instanceof ParapetError ? err : new ParapetError('ServerError', undefined, { cause: err });
      if (!(err instanceof ParapetError)) options.log(`agent request ${requestId} failed`, err);
      return reply.code(error.httpStatus).send(renderSasError(error, requestId, request.hostname));
    }
  }

  const authenticated = (request: AgentRequest): Promise<AgentIdentity> =>
    authenticateAgent(app, parseAgentHeaders(headerMap(request)), {
      method: request.method,
      target: request.url,
      body: rawBody(request),
    });

  /** A signed route: the agent is checked before its body is read. */
  function signed(
    method: 'POST' | 'PUT',
    path: string,
    run: (agent: AgentIdentity, body: unknown, request: AgentRequest) => Promise<unknown>,
  ): void {
    server.route<{ Params: Record<string, string> }>({
      method,
      url: `${AGENT_API_PREFIX}${path}`,
      handler: (request, reply) =>
        respond(request, reply, 200, async (body) => {
          const agent = await authenticated(request);
          return run(agent, body(), request);
        }),
    });
  }

  server.post<{ Params: Record<string, string> }>(`${AGENT_API_PREFIX}/enroll`, (request, reply) =>
    respond(request, reply, 201, (body) => {
      const { token, host } = checkEnrollRequest(body());
      return enrollAgent(app, token, host);
    }),
  );
  signed('PUT', '/host', async (agent, body) => {
    await refreshHost(app, agent, checkHostFacts(body, 'body'));
    return {};
  });
  signed('POST', '/poll', async (agent, body) => {
    const waitSeconds = checkPollWait(body);
    const waitMs = pollWaitMs(app, waitSeconds === undefined ? undefined : waitSeconds * 1000);
    return { assignments: await pollAssignments(app, waker, agent, waitMs) };
  });
  signed('POST', '/assignments/:id/progress', (agent, body, request) =>
    reportProgress(app, agent, assignmentId(request), checkProgress(body).progress),
  );
  signed('POST', '/assignments/:id/result', (agent, body, request) =>
    postResultPart(app, agent, assignmentId(request), checkResultPart(body)),
  );
}
