/**
 * The one error catalogue. Every error Parapet returns to a client has a stable
 * code here with its HTTP status and a default message; dialect renderers turn
 * a ParapetError into their own body (Sas: {RequestId, Code, Message, …}).
 * Codes follow the Alibaba Cloud gateway and Sas names, which clients key on
 * (e.g. anything containing "Throttling" is retried by the SDKs).
 */
export const errorCatalogue = {
  MissingParameter: { httpStatus: 400, message: 'A mandatory parameter is missing.' },
  InvalidParameter: { httpStatus: 400, message: 'A parameter is not valid.' },
  'InvalidParameter.Format': { httpStatus: 400, message: 'The Format parameter is not valid.' },
  IllegalParam: { httpStatus: 400, message: 'Illegal param' },
  InvalidVersion: { httpStatus: 400, message: 'Specified parameter Version is not valid.' },
  IncompleteSignature: {
    httpStatus: 400,
    message: 'The request signature does not conform to the standards.',
  },
  SignatureDoesNotMatch: {
    httpStatus: 400,
    message: 'Specified signature is not matched with our calculation.',
  },
  InvalidSignatureMethod: { httpStatus: 400, message: 'Specified signature method is not supported.' },
  SignatureNonceUsed: { httpStatus: 400, message: 'Specified signature nonce was used already.' },
  'InvalidTimeStamp.Expired': {
    httpStatus: 400,
    message: 'Specified time stamp or date value is expired (more than 15 minutes away).',
  },
  'InvalidTimeStamp.Format': {
    httpStatus: 400,
    message: 'Specified time stamp or date value is not well formatted.',
  },
  'InvalidAccessKeyId.NotFound': { httpStatus: 404, message: 'Specified access key is not found.' },
  'InvalidAccessKeyId.Inactive': { httpStatus: 400, message: 'Specified access key is disabled.' },
  'Throttling.User': { httpStatus: 400, message: 'Request was denied due to user flow control.' },
  'Throttling.ExportLimit': {
    httpStatus: 400,
    message: 'Too many exports are queued or running for this account; wait for one to finish.',
  },
  'ExportTask.NotFound': { httpStatus: 404, message: 'The specified export task does not exist.' },
  NoPermission: { httpStatus: 403, message: 'caller has no permission' },
  'InvalidAction.NotFound': {
    httpStatus: 404,
    message: 'Specified api is not found, please check your url and method.',
  },
  'DownloadLink.Invalid': {
    httpStatus: 403,
    message: 'The download link is not valid: it is incomplete or was altered. Copy the whole link again.',
  },
  'DownloadLink.Expired': {
    httpStatus: 403,
    message: 'The download link has expired. Query the export again for a new link.',
  },
  'DownloadLink.FileGone': {
    httpStatus: 404,
    message: 'The file behind this link no longer exists: produced files are kept for a limited time.',
  },
  RequestEntityTooLarge: { httpStatus: 413, message: 'The request body is too large.' },
  RequestHeaderFieldsTooLarge: { httpStatus: 431, message: 'The request line or headers are too large.' },
  ServerError: { httpStatus: 500, message: 'ServerError' },
  ServiceUnavailable: { httpStatus: 503, message: 'The service is shutting down; retry on another node.' },
} as const satisfies Record<string, { httpStatus: number; message: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(errorCatalogue, code);
}

/** Why a caller was refused, carried by NoPermission (rendered as Sas AccessDeniedDetail). */
export interface AccessDenied {
  action: string;
  principalType: 'SubUser' | 'RootUser';
  accountId: string;
  principalName: string;
  denyType: 'ImplicitDeny' | 'ExplicitDeny';
}

export interface ParapetErrorOptions {
  cause?: unknown;
  accessDenied?: AccessDenied;
}

export class ParapetError extends Error {
  readonly code: ErrorCode;
  readonly httpStatus: number;
  readonly accessDenied: AccessDenied | undefined;

  constructor(code: ErrorCode, message?: string, options: ParapetErrorOptions = {}) {
    super(message ?? errorCatalogue[code].message, { cause: options.cause });
    this.name = 'ParapetError';
    this.code = code;
    this.httpStatus = errorCatalogue[code].httpStatus;
    this.accessDenied = options.accessDenied;
  }
}

export function missingParameter(name: string): ParapetError {
  return new ParapetError(
    'MissingParameter',
    `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
  );
}

export function invalidParameter(name: string, why: string): ParapetError {
  return new ParapetError('InvalidParameter', `The specified parameter "${name}" is not valid: ${why}`);
}

/** Parses a parameter that carries JSON text (Sas `Criteria`, `Info`, …); bad JSON is InvalidParameter. */
export function parseJsonParameter(text: string, name: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalidParameter(name, 'it is not JSON text');
  }
}

/** Anything thrown that is not an Error becomes one, so loggers and workers never choke on it. */
export function coerceError(err: unknown): Error {
  if (err instanceof Error) return err;
  const message =
    typeof err === 'object' && err !== null && 'message' in err ? String(err.message) : String(err);
  return new Error(message, { cause: err });
}
