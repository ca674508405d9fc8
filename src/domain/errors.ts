/**
 * The one error catalogue. Every error Parapet returns to a client has a stable
 * code here with its HTTP status and a default message; dialect renderers turn
 * a ParapetError into their own body (Sas: {RequestId, Code, Message, …};
 * HSS: {error_code, error_msg}). Codes follow the Alibaba Cloud gateway and
 * Sas names, which clients key on (e.g. anything containing "Throttling" is
 * retried by the SDKs); `hss` is the code and status the HSS dialect answers
 * with (Huawei's HSS.xxxx and APIGW.xxxx tables, spec hss-v5.md §2).
 */
interface CatalogueEntry {
  /** The status in the Sas dialect (and downloads). */
  httpStatus: number;
  message: string;
  hss: { code: string; httpStatus: number };
}

export const errorCatalogue = {
  MissingParameter: {
    httpStatus: 400,
    message: 'A mandatory parameter is missing.',
    hss: { code: 'HSS.0001', httpStatus: 400 },
  },
  InvalidParameter: {
    httpStatus: 400,
    message: 'A parameter is not valid.',
    hss: { code: 'HSS.0001', httpStatus: 400 },
  },
  'InvalidParameter.Format': {
    httpStatus: 400,
    message: 'The Format parameter is not valid.',
    hss: { code: 'HSS.0001', httpStatus: 400 },
  },
  IllegalParam: { httpStatus: 400, message: 'Illegal param', hss: { code: 'HSS.0001', httpStatus: 400 } },
  InvalidVersion: {
    httpStatus: 400,
    message: 'Specified parameter Version is not valid.',
    hss: { code: 'HSS.0001', httpStatus: 400 },
  },
  IncompleteSignature: {
    httpStatus: 400,
    message: 'The request signature does not conform to the standards.',
    hss: { code: 'APIGW.0301', httpStatus: 401 },
  },
  SignatureDoesNotMatch: {
    httpStatus: 400,
    message: 'Specified signature is not matched with our calculation.',
    hss: { code: 'APIGW.0301', httpStatus: 401 },
  },
  InvalidSignatureMethod: {
    httpStatus: 400,
    message: 'Specified signature method is not supported.',
    hss: { code: 'APIGW.0301', httpStatus: 401 },
  },
  SignatureNonceUsed: {
    httpStatus: 400,
    message: 'Specified signature nonce was used already.',
    hss: { code: 'APIGW.0301', httpStatus: 401 },
  },
  'InvalidTimeStamp.Expired': {
    httpStatus: 400,
    message: 'Specified time stamp or date value is expired (more than 15 minutes away).',
    hss: { code: 'APIGW.0301', httpStatus: 401 },
  },
  'InvalidTimeStamp.Format': {
    httpStatus: 400,
    message: 'Specified time stamp or date value is not well formatted.',
    hss: { code: 'APIGW.0301', httpStatus: 401 },
  },
  'InvalidAccessKeyId.NotFound': {
    httpStatus: 404,
    message: 'Specified access key is not found.',
    hss: { code: 'APIGW.0301', httpStatus: 401 },
  },
  'InvalidAccessKeyId.Inactive': {
    httpStatus: 400,
    message: 'Specified access key is disabled.',
    hss: { code: 'APIGW.0301', httpStatus: 401 },
  },
  'Throttling.User': {
    httpStatus: 400,
    message: 'Request was denied due to user flow control.',
    hss: { code: 'APIGW.0308', httpStatus: 429 },
  },
  'Throttling.ExportLimit': {
    httpStatus: 400,
    message: 'Too many exports are queued or running for this account; wait for one to finish.',
    hss: { code: 'HSS.1001', httpStatus: 400 },
  },
  'ExportTask.NotFound': {
    httpStatus: 404,
    message: 'The specified export task does not exist.',
    hss: { code: 'HSS.0011', httpStatus: 400 },
  },
  'Report.NotFound': {
    httpStatus: 404,
    message: 'The specified report does not exist.',
    hss: { code: 'HSS.0011', httpStatus: 400 },
  },
  NoPermission: {
    httpStatus: 403,
    message: 'caller has no permission',
    hss: { code: 'HSS.0013', httpStatus: 403 },
  },
  'InvalidAction.NotFound': {
    httpStatus: 404,
    message: 'Specified api is not found, please check your url and method.',
    hss: { code: 'APIGW.0101', httpStatus: 404 },
  },
  'DownloadLink.Invalid': {
    httpStatus: 403,
    message: 'The download link is not valid: it is incomplete or was altered. Copy the whole link again.',
    hss: { code: 'HSS.0010', httpStatus: 403 },
  },
  'DownloadLink.Expired': {
    httpStatus: 403,
    message: 'The download link has expired. Query the export again for a new link.',
    hss: { code: 'HSS.0010', httpStatus: 403 },
  },
  'DownloadLink.FileGone': {
    httpStatus: 404,
    message: 'The file behind this link no longer exists: produced files are kept for a limited time.',
    hss: { code: 'HSS.0011', httpStatus: 400 },
  },
  InvalidBody: {
    httpStatus: 400,
    message: 'The request body is not valid JSON.',
    hss: { code: 'HSS.0002', httpStatus: 400 },
  },
  'Forbidden.Project': {
    httpStatus: 403,
    message: "The project in the path is not the caller's project.",
    hss: { code: 'HSS.0010', httpStatus: 403 },
  },
  MissingAuthentication: {
    httpStatus: 401,
    message:
      'Incorrect IAM authentication information: x-auth-token not found (send X-Auth-Token or an SDK-HMAC-SHA256 Authorization header).',
    hss: { code: 'APIGW.0301', httpStatus: 401 },
  },
  InvalidToken: {
    httpStatus: 401,
    message: 'Incorrect IAM authentication information: decrypt token fail',
    hss: { code: 'APIGW.0301', httpStatus: 401 },
  },
  'Login.Failed': {
    httpStatus: 401,
    message: 'The username or password is wrong.',
    hss: { code: 'APIGW.0301', httpStatus: 401 },
  },
  'Login.Locked': {
    httpStatus: 429,
    message: 'Too many wrong passwords for this user: logins are refused for a while.',
    hss: { code: 'APIGW.0308', httpStatus: 429 },
  },
  'Mail.NotConfigured': {
    httpStatus: 503,
    message: 'Mail is not configured on this server: set PARAPET_SMTP_URL.',
    hss: { code: 'HSS.0503', httpStatus: 503 },
  },
  RequestEntityTooLarge: {
    httpStatus: 413,
    message: 'The request body is too large.',
    hss: { code: 'APIGW.0201', httpStatus: 413 },
  },
  RequestHeaderFieldsTooLarge: {
    httpStatus: 431,
    message: 'The request line or headers are too large.',
    hss: { code: 'APIGW.0201', httpStatus: 400 },
  },
  'Task.NotFound': {
    httpStatus: 404,
    message: 'The specified task does not exist.',
    hss: { code: 'HSS.0011', httpStatus: 400 },
  },
  'TaskType.NotSupported': {
    httpStatus: 400,
    message: 'This task type is not run by Parapet yet.',
    hss: { code: 'HSS.0001', httpStatus: 400 },
  },
  'Agent.Unauthenticated': {
    httpStatus: 401,
    message: 'The agent request is not signed by an enrolled agent.',
    hss: { code: 'APIGW.0301', httpStatus: 401 },
  },
  'Agent.Revoked': {
    httpStatus: 403,
    message: 'This agent was revoked: enroll it again with a new token.',
    hss: { code: 'HSS.0010', httpStatus: 403 },
  },
  'EnrollToken.Invalid': {
    httpStatus: 401,
    message:
      'The enrollment token is unknown, expired or revoked: create a new one with parapet admin enroll-token create.',
    hss: { code: 'APIGW.0301', httpStatus: 401 },
  },
  'Agent.AssignmentNotFound': {
    httpStatus: 404,
    message: 'This agent has no such assignment.',
    hss: { code: 'HSS.0011', httpStatus: 400 },
  },
  'Agent.AssignmentClosed': {
    httpStatus: 409,
    message: 'The assignment is closed: nothing more is accepted for it.',
    hss: { code: 'HSS.0001', httpStatus: 400 },
  },
  ServerError: { httpStatus: 500, message: 'ServerError', hss: { code: 'HSS.0500', httpStatus: 500 } },
  ServiceUnavailable: {
    httpStatus: 503,
    message: 'The service is shutting down; retry on another node.',
    hss: { code: 'HSS.0503', httpStatus: 503 },
  },
} as const satisfies Record<string, CatalogueEntry>;

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
