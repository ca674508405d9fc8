import type { Database } from '../persistence/database.ts';

/** What every service function needs: the store, the key that seals secrets, and a clock. */
export interface AppContext {
  db: Database;
  serverKey: Buffer;
  now(): number;
}
