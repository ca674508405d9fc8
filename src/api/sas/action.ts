import type { Caller } from '../../domain/identity.ts';
import type { AppContext } from '../../services/context.ts';
import { decodeParams, type Decoded, type ParamSpec, type RawParams } from '../text-params.ts';

/** What an operation may need of the HTTP request itself. */
export interface SasRequestInfo {
  /** `http://host:port` as the client reached this server: the base of links it is given. */
  baseUrl: string;
}

export interface SasActionContext<P> {
  app: AppContext;
  caller: Caller;
  params: P;
  request: SasRequestInfo;
}

/** One Sas operation: its name, the RAM actions that authorise it, and a thin handler. */
export interface SasAction {
  name: string;
  /** RAM action names, the primary one first; a policy may grant any of them. */
  ramActions: string[];
  run(
    app: AppContext,
    caller: Caller,
    raw: RawParams,
    request: SasRequestInfo,
  ): Promise<Record<string, unknown>>;
}

export interface SasActionDefinition<S extends ParamSpec> {
  name: string;
  /** The RAM service the cloud documents the operation under; both are accepted in policies. */
  ramService?: 'yundun-sas' | 'yundun-aegis';
  params: S;
  handle(ctx: SasActionContext<Decoded<S>>): Promise<Record<string, unknown>>;
}

export function defineAction<S extends ParamSpec>(definition: SasActionDefinition<S>): SasAction {
  const primary = definition.ramService ?? 'yundun-sas';
  const other = primary === 'yundun-sas' ? 'yundun-aegis' : 'yundun-sas';
  return {
    name: definition.name,
    ramActions: [`${primary}:${definition.name}`, `${other}:${definition.name}`],
    run: (app, caller, raw, request) =>
      definition.handle({ app, caller, params: decodeParams(definition.params, raw), request }),
  };
}
