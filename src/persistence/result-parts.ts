/** Parts of an agent's result still being uploaded (docs/agent-protocol.md). */
import type { Queryable } from './database.ts';

/** Stores one part; posting the same part again replaces it. */
export async function storeResultPart(
  db: Queryable,
  part: { targetId: number; part: number; parts: number; data: string },
): Promise<void> {
  await db.run(
    `INSERT INTO target_result_parts (target_id, part, parts, data) VALUES (?, ?, ?, ?)
     ON CONFLICT (target_id, part) DO UPDATE SET parts = excluded.parts, data = excluded.data`,
    [part.targetId, part.part, part.parts, part.data],
  );
}

/** The parts stored so far, in order. */
export async function loadResultParts(db: Queryable, targetId: number) {
  return db.all<{ part: number; parts: number; data: string }>(
    'SELECT part, parts, data FROM target_result_parts WHERE target_id = ? ORDER BY part',
    [targetId],
  );
}

export async function deleteResultParts(db: Queryable, targetId: number): Promise<void> {
  await db.run('DELETE FROM target_result_parts WHERE target_id = ?', [targetId]);
}
