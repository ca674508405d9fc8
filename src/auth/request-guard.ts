/**
 * Replay and flood protection shared by every node: nonces and per-tenant
 * request counts live in the database, not in a process.
 */
import { ParapetError } from '../domain/errors.ts';
import type { Queryable } from '../persistence/database.ts';

/** Requests whose timestamp is further than this from the server clock are refused. */
export const TIMESTAMP_WINDOW_MS = 15 * 60_000;

/** Records a nonce; a nonce seen before for the same key is a replay. */
export async function rememberNonce(
  db: Queryable,
  accessKeyId: string,
  nonce: string,
  timestampMs: number,
): Promise<void> {
  // Kept as long as a request with this timestamp could still be accepted.
  const expiresAt = timestampMs + TIMESTAMP_WINDOW_MS;
  const result = await db.run(
    'INSERT INTO request_nonces (access_key_id, nonce, expires_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    [accessKeyId, nonce, expiresAt],
  );
  if (result.changes === 0) throw new ParapetError('SignatureNonceUsed');
}

/** Counts a request in the tenant's one-second window; over the limit is Throttling.User. */
export async function countRequest(
  db: Queryable,
  tenantId: number,
  now: number,
  limitPerSecond: number,
): Promise<void> {
  const windowStart = now - (now % 1000);
  const row = await db.get<{ request_count: number }>(
    `INSERT INTO rate_windows (tenant_id, window_start, request_count) VALUES (?, ?, 1)
     ON CONFLICT (tenant_id, window_start) DO UPDATE SET request_count = rate_windows.request_count + 1
     RETURNING request_count`,
    [tenantId, windowStart],
  );
  if (row && row.request_count > limitPerSecond) {
    throw new ParapetError(
      'Throttling.User',
      `Request was denied due to user flow control: more than ${limitPerSecond} requests per second for this account.`,
    );
  }
}

/** Drops nonces that can no longer be replayed and finished rate windows. */
export async function sweepRequestGuards(db: Queryable, now: number): Promise<void> {
  await db.run('DELETE FROM request_nonces WHERE expires_at < ?', [now - TIMESTAMP_WINDOW_MS]);
  await db.run('DELETE FROM rate_windows WHERE window_start < ?', [now - 60_000]);
}
