/**
 * The little a back end must provide for the shared store (sql-store.ts):
 * transactions over `?`-placeholder SQL in the common dialect subset. Values
 * are numbers, strings or null; back ends convert BIGINT results to numbers.
 */
import { RemasterError } from '../errors.ts';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, SCHEMA_VERSION_TABLE, migrationStatements, type Dialect } from './migrations.ts';

export type SqlValue = string | number | null;
export type Row = Record<string, SqlValue>;

/** Statements inside one transaction. */
export interface Tx {
  all(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  get(sql: string, params?: readonly SqlValue[]): Promise<Row | undefined>;
  /** Run a statement; return how many rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
}

/** A connection (or pool) able to run transactions. */
export interface SqlDatabase {
  readonly dialect: Dialect;
  /**
   * Run `body` in one transaction: committed when it resolves, rolled back when
   * it throws. 'write' transactions take the write lock up front (SQLite BEGIN
   * IMMEDIATE), so a read-modify-write never upgrades a read lock.
   */
  transaction<T>(mode: 'read' | 'write', body: (tx: Tx) => Promise<T>): Promise<T>;
  /** Serialise schema migrations across processes (PostgreSQL advisory lock; SQLite's write lock does it). */
  lockForMigration(tx: Tx): Promise<void>;
  close(): Promise<void>;
}

/** Apply every pending migration in one transaction; refuse a database newer than this code. */
export async function migrate(db: SqlDatabase, now: number): Promise<number> {
  return db.transaction('write', async (tx) => {
    await db.lockForMigration(tx);
    await tx.run(SCHEMA_VERSION_TABLE);
    const row = await tx.get('SELECT MAX(version) AS v FROM schema_version');
    const current = Number(row?.v ?? 0);
    if (current > LATEST_SCHEMA_VERSION) {
      throw new RemasterError('STATE_SCHEMA', `the state database has schema version ${current}, newer than this remaster understands (${LATEST_SCHEMA_VERSION}); upgrade remaster`);
    }
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      for (const statement of migrationStatements(m, db.dialect)) await tx.run(statement);
      await tx.run('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, now]);
    }
    return LATEST_SCHEMA_VERSION;
  });
}
