import { DatabaseSync } from 'node:sqlite';
import type { Database, Queryable, RunResult, SqlValue } from './database.ts';

/**
 * node:sqlite is synchronous and has one connection, so an async transaction
 * must not interleave with other callers' statements: every statement and every
 * transaction takes `lock` (a promise chain) first. Other processes on the same
 * file are kept apart by SQLite itself (WAL, BEGIN IMMEDIATE, busy_timeout).
 */
export function openSqlite(path: string): Database {
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA busy_timeout = 10000');
  db.exec('PRAGMA synchronous = NORMAL');
  db.exec('PRAGMA foreign_keys = ON');

  // One prepared statement per SQL text and row shape (objects or arrays).
  const statements = new Map<string, ReturnType<DatabaseSync['prepare']>>();
  function prepare(sql: string, arrays = false) {
    const key = arrays ? `arrays:${sql}` : sql;
    let statement = statements.get(key);
    if (!statement) {
      statement = db.prepare(sql);
      statement.setReturnArrays(arrays);
      statements.set(key, statement);
    }
    return statement;
  }

  const direct: Queryable = {
    dialect: 'sqlite',
    all<T>(sql: string, params: readonly SqlValue[] = []) {
      return Promise.resolve(prepare(sql).all(...params) as T[]);
    },
    allArrays(sql: string, params: readonly SqlValue[] = []) {
      return Promise.resolve(prepare(sql, true).all(...params) as unknown as SqlValue[][]);
    },
    get<T>(sql: string, params: readonly SqlValue[] = []) {
      return Promise.resolve(prepare(sql).get(...params) as T | undefined);
    },
    run(sql: string, params: readonly SqlValue[] = []): Promise<RunResult> {
      const result = prepare(sql).run(...params);
      return Promise.resolve({ changes: Number(result.changes) });
    },
    exec(sql: string) {
      db.exec(sql);
      return Promise.resolve();
    },
  };

  let tail: Promise<unknown> = Promise.resolve();
  function withLock<T>(fn: () => Promise<T>): Promise<T> {
    const result = tail.then(fn);
    tail = result.catch(() => undefined);
    return result;
  }

  return {
    dialect: 'sqlite',
    all: (sql, params) => withLock(() => direct.all(sql, params)),
    allArrays: (sql, params) => withLock(() => direct.allArrays(sql, params)),
    get: (sql, params) => withLock(() => direct.get(sql, params)),
    run: (sql, params) => withLock(() => direct.run(sql, params)),
    exec: (sql) => withLock(() => direct.exec(sql)),
    withTransaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      return withLock(async () => {
        // IMMEDIATE takes the write lock up front, so two processes never
        // deadlock upgrading a read transaction.
        db.exec('BEGIN IMMEDIATE');
        try {
          const result = await fn(direct);
          db.exec('COMMIT');
          return result;
        } catch (err) {
          db.exec('ROLLBACK');
          throw err;
        }
      });
    },
    close() {
      return withLock(() => {
        db.close();
        return Promise.resolve();
      });
    },
  };
}
