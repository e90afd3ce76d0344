/**
 * The embedded back end: SQLite through Node's built-in node:sqlite (no
 * native add-on). The database runs in WAL mode with synchronous=FULL, so a
 * transaction that COMMIT acknowledged survives `kill -9` and power loss, and
 * readers never block the writer. A busy timeout lets a second process (the
 * CLI beside `remaster serve`) wait for the write lock instead of failing.
 *
 * node:sqlite is synchronous; the store's interface is async. Transactions of
 * this process are queued one after another (a body that awaits must not let
 * another transaction's statements run inside it), and a write transaction
 * starts with BEGIN IMMEDIATE so it holds the write lock before it reads.
 * While another process holds the lock, a call blocks up to the busy timeout.
 * Stores opened on the same file in one process share one connection and
 * queue: two connections would deadlock, one blocking the thread in its busy
 * wait while the other's transaction waits for that thread to continue.
 */
import { resolve } from 'node:path';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import { RemasterError } from '../errors.ts';
import type { Row, SqlDatabase, SqlValue, Tx } from './sql.ts';
import { createSqlStore } from './sql-store.ts';
import type { Store, StoreOptions } from './store.ts';

/** Options of openSqliteStore. */
export interface SqliteStoreOptions extends StoreOptions {
  /** How long to wait for another process's write lock, in ms (default 5000). */
  busyTimeoutMs?: number;
}

/** Connection, queue and users of one database file in this process. */
interface Shared {
  db: DatabaseSync;
  queue: Promise<unknown>;
  users: number;
}

const openFiles = new Map<string, Shared>();

class SqliteDatabase implements SqlDatabase {
  readonly dialect = 'sqlite';
  readonly #path: string;
  readonly #shared: Shared;
  readonly #db: DatabaseSync;
  #closed = false;

  constructor(path: string, shared: Shared) {
    this.#path = path;
    this.#shared = shared;
    this.#db = shared.db;
    shared.users++;
  }

  #tx(): Tx {
    const db = this.#db;
    const args = (params: readonly SqlValue[]) => params as SQLInputValue[];
    return {
      all: async (sql, params = []) => db.prepare(sql).all(...args(params)) as Row[],
      get: async (sql, params = []) => db.prepare(sql).get(...args(params)) as Row | undefined,
      run: async (sql, params = []) => Number(db.prepare(sql).run(...args(params)).changes),
    };
  }

  transaction<T>(mode: 'read' | 'write', body: (tx: Tx) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      if (this.#closed) throw new RemasterError('STATE_UNAVAILABLE', 'the state database is closed');
      this.#db.exec(mode === 'write' ? 'BEGIN IMMEDIATE' : 'BEGIN');
      try {
        const result = await body(this.#tx());
        this.#db.exec('COMMIT');
        return result;
      } catch (err) {
        if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
        throw err;
      }
    };
    const next = this.#shared.queue.then(run, run);
    this.#shared.queue = next.catch(() => {});
    return next;
  }

  async lockForMigration(): Promise<void> {
    // BEGIN IMMEDIATE already excludes every other writer
  }

  async close(): Promise<void> {
    await this.#shared.queue;
    if (this.#closed) return;
    this.#closed = true;
    if (--this.#shared.users > 0) return;
    openFiles.delete(this.#path);
    this.#db.close();
  }
}

/** Open (creating if needed) the SQLite state database at `path` and migrate it. */
export async function openSqliteStore(path: string, options: SqliteStoreOptions = {}): Promise<Store> {
  const key = resolve(path);
  let shared = openFiles.get(key);
  if (shared === undefined) {
    try {
      const db = new DatabaseSync(key, { timeout: options.busyTimeoutMs ?? 5000, enableForeignKeyConstraints: true });
      db.exec('PRAGMA journal_mode = WAL');
      db.exec('PRAGMA synchronous = FULL');
      shared = { db, queue: Promise.resolve(), users: 0 };
    } catch (err) {
      throw new RemasterError('STATE_UNAVAILABLE', `cannot open the state database ${path}: ${(err as Error).message}`, { file: path }, { cause: err });
    }
    openFiles.set(key, shared);
  }
  return createSqlStore(new SqliteDatabase(key, shared), options);
}
