/** Rows of the `artifacts` table: files Parapet produced, kept until expires_at. */
import type { Queryable } from './database.ts';

export interface ArtifactRow {
  id: number;
  tenant_id: number;
  task_id: number | null;
  storage_key: string;
  file_name: string;
  content_type: string;
  size: number;
  sha256: string;
  created_at: number;
  expires_at: number;
}

export type NewArtifactRow = Omit<ArtifactRow, 'id'>;

export async function insertArtifact(db: Queryable, row: NewArtifactRow): Promise<ArtifactRow> {
  const inserted = await db.get<ArtifactRow>(
    `INSERT INTO artifacts
       (tenant_id, task_id, storage_key, file_name, content_type, size, sha256, created_at, expires_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    [
      row.tenant_id,
      row.task_id,
      row.storage_key,
      row.file_name,
      row.content_type,
      row.size,
      row.sha256,
      row.created_at,
      row.expires_at,
    ],
  );
  if (!inserted) throw new Error('INSERT … RETURNING returned no row');
  return inserted;
}

export function findArtifact(db: Queryable, tenantId: number, id: number): Promise<ArtifactRow | undefined> {
  return db.get<ArtifactRow>('SELECT * FROM artifacts WHERE tenant_id = ? AND id = ?', [tenantId, id]);
}

/** Up to `limit` artifacts expired at `now` with an id above `afterId`, in id order (keyset paging). */
export function listExpiredArtifacts(
  db: Queryable,
  now: number,
  afterId: number,
  limit: number,
): Promise<ArtifactRow[]> {
  return db.all<ArtifactRow>('SELECT * FROM artifacts WHERE expires_at <= ? AND id > ? ORDER BY id LIMIT ?', [
    now,
    afterId,
    limit,
  ]);
}

/** Returns whether this call removed the row (false when another node got there first). */
export async function deleteArtifact(db: Queryable, id: number): Promise<boolean> {
  const result = await db.run('DELETE FROM artifacts WHERE id = ?', [id]);
  return result.changes === 1;
}
