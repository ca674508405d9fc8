/**
 * One HSS v5 operation: its SDK name, method and path, the policy action
 * that authorises it, how its query and body decode, and a thin handler.
 */
import type { Caller } from '../../domain/identity.ts';
import type { Artifact } from '../../services/artifacts.ts';
import type { AppContext } from '../../services/context.ts';
import { decodeParams, type Decoded, type ParamSpec, type RawParams } from '../text-params.ts';
import { decodeJson, parseJsonBody, type JsonDecoded, type JsonSpec } from './json-params.ts';

/** What an operation may need of the HTTP request itself. */
export interface HssRequestInfo {
  /** Path parameters other than project_id, as Fastify decoded them. */
  path: Record<string, string>;
  headers: Record<string, string | undefined>;
}

export interface HssContext<Q, B> {
  app: AppContext;
  caller: Caller;
  query: Q;
  body: B;
  request: HssRequestInfo;
}

/** A handler's answer: a JSON body, or a stored file to stream. */
export type HssResult = { json: Record<string, unknown> } | { file: Artifact };

export interface HssOperation {
  /** The SDK's name, e.g. ListImageLocal. */
  name: string;
  method: 'GET' | 'POST';
  /** Fastify path under /v5/:project_id, e.g. `/image/:image_id/vulnerabilities`. */
  path: string;
  /** The policy action, e.g. `hss:image:list`. */
  action: string;
  run(
    app: AppContext,
    caller: Caller,
    query: RawParams,
    body: Buffer,
    request: HssRequestInfo,
  ): Promise<HssResult>;
}

export interface HssOperationDefinition<Q extends ParamSpec, B extends JsonSpec> {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  action: string;
  query: Q;
  /** The JSON body's fields; undefined = the operation takes no body. */
  body?: B;
  /** The SDKs refuse to send the request without a body; so does Parapet. */
  bodyRequired?: boolean;
  handle(ctx: HssContext<Decoded<Q>, JsonDecoded<B>>): Promise<HssResult>;
}

export function defineOperation<Q extends ParamSpec, B extends JsonSpec = Record<never, never>>(
  definition: HssOperationDefinition<Q, B>,
): HssOperation {
  return {
    name: definition.name,
    method: definition.method,
    path: definition.path,
    action: definition.action,
    run(app, caller, query, raw, request) {
      const decodedQuery = decodeParams(definition.query, query);
      const body = definition.body
        ? decodeJson(definition.body, parseJsonBody(raw, definition.bodyRequired ?? false))
        : ({} as JsonDecoded<B>);
      return definition.handle({ app, caller, query: decodedQuery, body, request });
    },
  };
}
