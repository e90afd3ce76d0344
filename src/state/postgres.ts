/**
 * The shared back end for several `remaster serve` instances behind a load
 * balancer: PostgreSQL through `pg` (node-postgres, pure JavaScript; its
 * optional native binding is not used). Statements are written with `?`
 * placeholders in the dialect subset and numbered here ($1, $2 …). BIGINT
 * columns arrive as strings and are converted by the store's row mappers.
 *
 * Transactions run at READ COMMITTED: the compare-and-set UPDATEs re-check
 * their WHERE clause on the locked row after a concurrent commit, so they
 * need nothing stronger; appendBlob locks its row with SELECT … FOR UPDATE.
 * Migrations take a transaction-scoped advisory lock so servers starting
 * together migrate once.
 */
import pg from 'pg';
import { RemasterError } from '../errors.ts';
import type { Row, SqlDatabase, SqlValue, Tx } from './sql.ts';
import { createSqlStore } from './sql-store.ts';
import type { Store, StoreOptions } from './store.ts';

/** Options of openPostgresStore. */
export interface PostgresStoreOptions extends StoreOptions {
  /** Connections in the pool (default 10). */
  poolSize?: number;
  /** Give up connecting after this many ms (default 10000). */
  connectTimeoutMs?: number;
}

/** Arbitrary 64-bit key of remaster's migration lock ("rema" in ASCII). */
const MIGRATION_LOCK_KEY = 0x72656d61;

/** `postgres://user:secret@host/db` → `postgres://user:***@host/db` for messages. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@]*@/u, '$1***@');
}

function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

class PostgresDatabase implements SqlDatabase {
  readonly dialect = 'postgres';
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async transaction<T>(mode: 'read' | 'write', body: (tx: Tx) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    const query = async (sql: string, params: readonly SqlValue[]) => client.query<Row>(numbered(sql), params as SqlValue[]);
    const tx: Tx = {
      all: async (sql, params = []) => (await query(sql, params)).rows,
      get: async (sql, params = []) => (await query(sql, params)).rows[0],
      run: async (sql, params = []) => (await query(sql, params)).rowCount ?? 0,
    };
    let broken: Error | undefined;
    try {
      await client.query(mode === 'write' ? 'BEGIN' : 'BEGIN READ ONLY');
      const result = await body(tx);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackErr) {
        broken = rollbackErr as Error; // the connection is unusable: drop it from the pool
      }
      throw err;
    } finally {
      client.release(broken);
    }
  }

  async lockForMigration(tx: Tx): Promise<void> {
    await tx.get('SELECT pg_advisory_xact_lock(?)', [MIGRATION_LOCK_KEY]);
  }

  #closing: Promise<void> | undefined;

  close(): Promise<void> {
    this.#closing ??= this.#pool.end();
    return this.#closing;
  }
}

/** Connect to PostgreSQL at `url` (postgres://…), migrate the schema and return the store. */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<Store> {
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000 });
  // An idle connection dropped by the server must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  try {
    const client = await pool.connect();
    client.release();
  } catch (err) {
    await pool.end().catch(() => {});
    throw new RemasterError('STATE_UNAVAILABLE', `cannot connect to the state database ${redactUrl(url)}: ${(err as Error).message}`, {}, { cause: err });
  }
  return createSqlStore(new PostgresDatabase(pool), options);
}
