/**
 * `GET|HEAD /downloads/<token>`: serves a produced file to whoever holds a
 * signed link (the token is the credential; no access key). Checks, in order:
 * signature, link expiry, the artifact exists for the token's tenant and has
 * not expired. Supports one byte range (RFC 9110 §14), `If-Range` and
 * `If-None-Match`; errors use the Sas body.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { percentEncode } from '../auth/percent-encode.ts';
import { ParapetError } from '../domain/errors.ts';
import { getArtifact, type Artifact } from '../services/artifacts.ts';
import type { AppContext } from '../services/context.ts';
import { ObjectNotFoundError, type ByteRange } from '../storage/artifact-store.ts';
import { verifyDownloadToken } from '../storage/signed-link.ts';
import { renderSasError } from './sas/render.ts';

export interface DownloadRouteOptions {
  app: AppContext;
  log: (message: string, err: unknown) => void;
}

const DAY_MS = 86_400_000;
const FILE_HEADERS = [
  'Accept-Ranges',
  'Content-Disposition',
  'Content-Length',
  'Content-Range',
  'Content-Type',
  'ETag',
  'Last-Modified',
  'X-Content-Type-Options',
];

export function fileGone(app: AppContext): ParapetError {
  const days = Math.round((app.artifactRetentionMs / DAY_MS) * 100) / 100;
  return new ParapetError(
    'DownloadLink.FileGone',
    `The file behind this link no longer exists: produced files are kept ${days} day${days === 1 ? '' : 's'}. Run the export again.`,
  );
}

/**
 * The one range to serve, 'unsatisfiable' (→ 416), or undefined for the
 * whole file: no Range, a unit other than bytes, a malformed or reversed
 * range, or several ranges (RFC 9110 lets a server answer those with 200).
 */
export function parseRange(
  header: string | undefined,
  size: number,
): ByteRange | 'unsatisfiable' | undefined {
  const match = header === undefined ? null : /^bytes=\s*(\d*)-(\d*)\s*$/i.exec(header);
  if (!match) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    // `-n`: the last n bytes.
    const length = Number(last);
    if (length === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - length), end: size - 1 };
  }
  const start = Number(first);
  if (last !== '' && Number(last) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end: last === '' ? size - 1 : Math.min(Number(last), size - 1) };
}

/** `If-None-Match` uses the weak comparison: `W/"x"` matches `"x"`. */
function noneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

/** `If-Range` needs a strong match: the same ETag, or exactly the Last-Modified date. */
function ifRangeHolds(header: string | undefined, etag: string, lastModified: string): boolean {
  if (header === undefined) return true;
  const value = header.trim();
  return value.startsWith('"') || value.startsWith('W/') ? value === etag : value === lastModified;
}

/** RFC 6266 with an RFC 5987 `filename*` for the real (UTF-8) name and an ASCII stand-in. */
export function contentDisposition(fileName: string): string {
  const wellFormed = fileName.toWellFormed();
  const ascii = wellFormed.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${percentEncode(wellFormed)}`;
}

/** Drops the file headers `serveArtifact` set, before answering with an error instead. */
export function clearFileHeaders(reply: FastifyReply): void {
  for (const name of FILE_HEADERS) reply.removeHeader(name);
}

/**
 * Streams a stored file with validators and one byte range. `contentType`
 * overrides the stored type (HSS clients want application/octet-stream).
 */
export async function serveArtifact(
  app: AppContext,
  artifact: Artifact,
  request: FastifyRequest,
  reply: FastifyReply,
  contentType = artifact.contentType,
) {
  const etag = `"${artifact.sha256}"`;
  const lastModified = new Date(artifact.createdAt).toUTCString();
  reply.header('ETag', etag).header('Last-Modified', lastModified).header('Cache-Control', 'private');
  if (noneMatch(request.headers['if-none-match'], etag)) return reply.code(304).send();

  reply
    .header('Accept-Ranges', 'bytes')
    .header('Content-Type', contentType)
    .header('Content-Disposition', contentDisposition(artifact.fileName))
    .header('X-Content-Type-Options', 'nosniff');
  const ifRange = request.headers['if-range'];
  const range = ifRangeHolds(Array.isArray(ifRange) ? ifRange.join(',') : ifRange, etag, lastModified)
    ? parseRange(request.headers.range, artifact.size)
    : undefined;
  if (range === 'unsatisfiable') {
    return reply.code(416).header('Content-Range', `bytes */${artifact.size}`).send();
  }
  if (range) {
    reply.code(206).header('Content-Range', `bytes ${range.start}-${range.end}/${artifact.size}`);
  }
  reply.header('Content-Length', range ? range.end - range.start + 1 : artifact.size);
  if (request.method === 'HEAD') return reply.send();
  try {
    return reply.send(await app.store.open(artifact.storageKey, range));
  } catch (err) {
    if (err instanceof ObjectNotFoundError) throw fileGone(app);
    throw err;
  }
}

export function registerDownloadRoutes(server: FastifyInstance, options: DownloadRouteOptions): void {
  const { app } = options;

  async function handle(request: FastifyRequest<{ Params: { '*': string } }>, reply: FastifyReply) {
    try {
      const claims = verifyDownloadToken(app.serverKey, request.params['*'], app.now());
      const artifact = await getArtifact(app, claims.tenantId, claims.artifactId);
      if (!artifact || artifact.expiresAt <= app.now()) throw fileGone(app);
      return await serveArtifact(app, artifact, request, reply);
    } catch (err) {
      const requestId = randomUUID().toUpperCase();
      const error =
        err instanceof ParapetError ? err : new ParapetError('ServerError', undefined, { cause: err });
      if (!(err instanceof ParapetError)) options.log(`download ${requestId} failed`, err);
      clearFileHeaders(reply); // the error is JSON
      return reply
        .code(error.httpStatus)
        .header('Cache-Control', 'no-store')
        .send(renderSasError(error, requestId, request.hostname));
    }
  }

  // HEAD is declared with GET (not Fastify's automatic HEAD route, which would
  // read the whole stream and overwrite Content-Length). A wildcard rather than
  // `:token`: a mangled link of any length gets DownloadLink.Invalid, not
  // Fastify's own 414 for parameters over 100 characters.
  server.route({
    method: ['GET', 'HEAD'],
    url: '/downloads/*',
    exposeHeadRoute: false,
    handler: handle,
  });
}
