/**
 * `/v3/auth/tokens`, the slice of Keystone v3 that Huawei IAM clients use to
 * get a token: POST logs in with a password (201, token in X-Subject-Token),
 * GET validates a token and DELETE revokes one (X-Auth-Token is the caller,
 * X-Subject-Token the token looked at; a caller may only look at its own
 * user's tokens). Errors use Keystone's body, `{"error":{code,message,title}}`,
 * with the HSS status of the catalogue entry. Bodies arrive as raw bytes.
 */
import { STATUS_CODES } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorCatalogue, invalidParameter, missingParameter, ParapetError } from '../../domain/errors.ts';
import type { Principal, Tenant } from '../../domain/identity.ts';
import type { AppContext } from '../../services/context.ts';
import {
  issueToken,
  resolveToken,
  revokeToken,
  type LoginRequest,
  type ResolvedToken,
} from '../../services/tokens.ts';
import { newHssRequestId } from '../hss/render.ts';

export interface IamRouteOptions {
  app: AppContext;
  log: (message: string, err: unknown) => void;
}

const PATH = '/v3/auth/tokens';

/** Huawei IAM's timestamps: ISO 8601 with microseconds, `2026-11-30T17:48:08.123000Z`. */
export function iamTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

/** The Keystone error body. */
export function renderIamError(status: number, message: string): Record<string, unknown> {
  return { error: { code: status, message, title: STATUS_CODES[status] ?? 'Error' } };
}

interface TokenBodyInput {
  tenant: Tenant;
  principal: Principal;
  issuedAt: number;
  expiresAt: number;
}

function renderToken({ tenant, principal, issuedAt, expiresAt }: TokenBodyInput): Record<string, unknown> {
  const domain = { id: tenant.accountId, name: tenant.name };
  return {
    token: {
      expires_at: iamTime(expiresAt),
      issued_at: iamTime(issuedAt),
      methods: ['password'],
      user: { id: String(principal.id), name: principal.name, domain, password_expires_at: '' },
      project: { id: tenant.projectId, name: tenant.name, domain },
      roles: [],
      catalog: [],
    },
  };
}

// --- Parsing the login body: every field checked for presence and type. ---

type JsonObject = Record<string, unknown>;

function own(parent: JsonObject, key: string): unknown {
  return Object.hasOwn(parent, key) ? parent[key] : undefined;
}

function objectAt(value: unknown, path: string): JsonObject {
  if (value === undefined) throw missingParameter(path);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidParameter(path, 'it must be a JSON object');
  }
  return value as JsonObject;
}

function stringAt(value: unknown, path: string): string {
  if (value === undefined) throw missingParameter(path);
  if (typeof value !== 'string') throw invalidParameter(path, 'it must be a string');
  return value;
}

function parseJsonBody(body: unknown): unknown {
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : '';
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ParapetError('InvalidParameter', 'The request body is not valid JSON.');
  }
}

function parseScope(scope: unknown): string | undefined {
  if (scope === undefined) return undefined;
  const project = own(objectAt(scope, 'auth.scope'), 'project');
  if (project === undefined) {
    throw invalidParameter('auth.scope', 'only a project scope is supported: {"project":{"id":PROJECT_ID}}');
  }
  const fields = objectAt(project, 'auth.scope.project');
  if (own(fields, 'id') === undefined && own(fields, 'name') !== undefined) {
    throw invalidParameter(
      'auth.scope.project.name',
      'scope the token by project id (auth.scope.project.id)',
    );
  }
  return stringAt(own(fields, 'id'), 'auth.scope.project.id');
}

/** The Keystone v3 password login body (Huawei IAM's "obtaining a user token"). */
export function parseLoginBody(body: unknown): LoginRequest {
  const auth = objectAt(own(objectAt(parseJsonBody(body), 'body'), 'auth'), 'auth');
  const identity = objectAt(own(auth, 'identity'), 'auth.identity');
  const methods = own(identity, 'methods');
  if (methods === undefined) throw missingParameter('auth.identity.methods');
  if (!Array.isArray(methods) || !methods.every((m) => typeof m === 'string')) {
    throw invalidParameter('auth.identity.methods', 'it must be an array of strings');
  }
  if (!methods.includes('password')) {
    throw invalidParameter('auth.identity.methods', 'only the "password" method is supported');
  }
  const password = objectAt(own(identity, 'password'), 'auth.identity.password');
  const user = objectAt(own(password, 'user'), 'auth.identity.password.user');
  const domain = objectAt(own(user, 'domain'), 'auth.identity.password.user.domain');
  return {
    userName: stringAt(own(user, 'name'), 'auth.identity.password.user.name'),
    password: stringAt(own(user, 'password'), 'auth.identity.password.user.password'),
    domainName: stringAt(own(domain, 'name'), 'auth.identity.password.user.domain.name'),
    projectId: parseScope(own(auth, 'scope')),
  };
}

// --- Routes ---

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

export function registerIamRoutes(server: FastifyInstance, options: IamRouteOptions): void {
  const { app } = options;

  function sendError(reply: FastifyReply, err: unknown, override?: { status: number; message: string }) {
    const error =
      err instanceof ParapetError ? err : new ParapetError('ServerError', undefined, { cause: err });
    if (!(err instanceof ParapetError)) {
      options.log(`iam ${String(reply.getHeader('X-Request-Id'))} failed`, err);
    }
    const status = override?.status ?? errorCatalogue[error.code].hss.httpStatus;
    return reply.code(status).send(renderIamError(status, override?.message ?? error.message));
  }

  /**
   * GET and DELETE: the caller is X-Auth-Token; the token looked at is
   * X-Subject-Token, which must be the caller's user's (an unusable one is
   * Keystone's 404 "Could not find token").
   */
  async function handleSubject(request: FastifyRequest, reply: FastifyReply, revoke: boolean) {
    try {
      const callerToken = headerValue(request, 'x-auth-token');
      if (callerToken === undefined) {
        throw new ParapetError(
          'MissingAuthentication',
          'Incorrect IAM authentication information: x-auth-token not found',
        );
      }
      const caller = await resolveToken(app, callerToken);
      const subject = headerValue(request, 'x-subject-token');
      if (subject === undefined) throw missingParameter('X-Subject-Token');
      let resolved: ResolvedToken;
      try {
        resolved = await resolveToken(app, subject);
      } catch (err) {
        if (!(err instanceof ParapetError && err.code === 'InvalidToken')) throw err;
        return sendError(reply, err, { status: 404, message: `Could not find token: ${err.message}` });
      }
      if (resolved.principal.id !== caller.principal.id || resolved.tenant.id !== caller.tenant.id) {
        throw new ParapetError('NoPermission', "A token may only validate or revoke its own user's tokens.");
      }
      if (revoke) {
        await revokeToken(app, subject);
        return reply.code(204).send();
      }
      return reply.code(200).header('X-Subject-Token', subject).send(renderToken(resolved));
    } catch (err) {
      return sendError(reply, err);
    }
  }

  const common = {
    url: PATH,
    onRequest: (_request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      reply.header('X-Request-Id', newHssRequestId()).header('Cache-Control', 'no-store');
      done();
    },
    // Errors Fastify raises before the handler runs (oversized or unreadable bodies).
    errorHandler: (err: { statusCode?: number }, _request: FastifyRequest, reply: FastifyReply) => {
      const error =
        err.statusCode === 413
          ? new ParapetError('RequestEntityTooLarge')
          : err.statusCode !== undefined && err.statusCode < 500
            ? new ParapetError('InvalidParameter', 'The request could not be read.')
            : err;
      return sendError(reply, error);
    },
  };

  server.route({
    ...common,
    method: 'POST',
    handler: async (request, reply) => {
      try {
        const issued = await issueToken(app, parseLoginBody(request.body), app.tokenTtlMs);
        return reply.code(201).header('X-Subject-Token', issued.token).send(renderToken(issued));
      } catch (err) {
        return sendError(reply, err);
      }
    },
  });
  server.route({
    ...common,
    method: 'GET',
    handler: (request, reply) => handleSubject(request, reply, false),
  });
  server.route({
    ...common,
    method: 'DELETE',
    handler: (request, reply) => handleSubject(request, reply, true),
  });
}
