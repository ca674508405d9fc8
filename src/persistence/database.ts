/**
 * The persistence seam: a small async SQL interface that both backends
 * implement. SQL is written once with `?` placeholders; the PostgreSQL adapter
 * rewrites them to `$n`. No driver, connection or transaction type leaks past
 * this folder: repositories take a `Queryable`, services call
 * `withTransaction`.
 */
export type SqlValue = string | number | null;

export interface RunResult {
  changes: number;
}

export interface Queryable {
  readonly dialect: Dialect;
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /**
   * Rows as arrays of column values, in SELECT order: for bulk reads (exports),
   * where building an object per row from the driver costs more than the query.
   */
  allArrays(sql: string, params?: readonly SqlValue[]): Promise<SqlValue[][]>;
  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  run(sql: string, params?: readonly SqlValue[]): Promise<RunResult>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Database extends Queryable {
  /** Runs `fn` in one transaction; commits when it resolves, rolls back when it throws. */
  withTransaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export type Dialect = 'sqlite' | 'postgres';

/**
 * What differs between the backends, in one place. Each flag says why.
 */
export const capabilities: Record<
  Dialect,
  { skipLocked: boolean; lockForClaim: string; advisoryLocks: boolean }
> = {
  // SQLite has one writer at a time (BEGIN IMMEDIATE), so a claim cannot race
  // another claim and there is no row locking to skip.
  sqlite: { skipLocked: false, lockForClaim: '', advisoryLocks: false },
  // PostgreSQL workers claim concurrently; rows another worker holds are skipped
  // instead of waited on. A rule over several rows (a tenant's concurrency cap)
  // needs the claims serialised by a transaction-scoped advisory lock.
  postgres: { skipLocked: true, lockForClaim: 'FOR UPDATE SKIP LOCKED', advisoryLocks: true },
};

export interface OpenDatabaseOptions {
  /** `postgres://…` selects PostgreSQL; anything else is a SQLite file path. */
  url: string;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (/^postgres(ql)?:\/\//.test(options.url)) {
    const { openPostgres } = await import('./postgres.ts');
    return openPostgres(options.url);
  }
  const { openSqlite } = await import('./sqlite.ts');
  return openSqlite(options.url);
}
