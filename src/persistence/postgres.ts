import pg from 'pg';
import type { Database, Queryable, RunResult, SqlValue } from './database.ts';

// BIGINT (int8) columns hold epoch milliseconds and ids, all far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value) => Number(value));

const rewritten = new Map<string, string>();
/** `?` → `$1, $2, …`. Parapet's SQL never has a literal `?` in it. */
function toPositional(sql: string): string {
  let text = rewritten.get(sql);
  if (text === undefined) {
    let n = 0;
    text = sql.replace(/\?/g, () => `$${++n}`);
    rewritten.set(sql, text);
  }
  return text;
}

function makeQueryable(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    dialect: 'postgres',
    async all<T>(sql: string, params: readonly SqlValue[] = []) {
      const result = await client.query(toPositional(sql), params as SqlValue[]);
      return result.rows as T[];
    },
    async allArrays(sql: string, params: readonly SqlValue[] = []) {
      const result = await client.query<SqlValue[]>({
        text: toPositional(sql),
        values: params as SqlValue[],
        rowMode: 'array',
      });
      return result.rows;
    },
    async get<T>(sql: string, params: readonly SqlValue[] = []) {
      const result = await client.query(toPositional(sql), params as SqlValue[]);
      return result.rows[0] as T | undefined;
    },
    async run(sql: string, params: readonly SqlValue[] = []): Promise<RunResult> {
      const result = await client.query(toPositional(sql), params as SqlValue[]);
      return { changes: result.rowCount ?? 0 };
    },
    async exec(sql: string) {
      await client.query(sql);
    },
  };
}

export function openPostgres(url: string): Database {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle client losing its connection must not crash the process.
  pool.on('error', (err) => console.error('postgres pool error:', err.message));
  return {
    ...makeQueryable(pool),
    async withTransaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(makeQueryable(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
