/**
 * Open the configured store: SQLite in a state directory (the default, next to
 * the TFTP root, never inside it: the database must not be served), or
 * PostgreSQL by URL (`--db postgres://…`).
 */
import { RemasterError } from '../errors.ts';
import { ensureStateDir } from '../fsx/index.ts';
import { openPostgresStore, type PostgresStoreOptions } from './postgres.ts';
import { openSqliteStore, type SqliteStoreOptions } from './sqlite.ts';
import type { Store } from './store.ts';

/** File name of the SQLite database inside the state directory. */
export const SQLITE_FILE_NAME = 'remaster.db';

export type OpenStoreOptions = ({ stateDir: string } & SqliteStoreOptions) | ({ url: string } & PostgresStoreOptions);

/** Open (and migrate) the state store. */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  if ('url' in options) {
    const { url, ...rest } = options;
    if (!/^postgres(?:ql)?:\/\//u.test(url)) throw new RemasterError('USAGE', `unsupported database URL ${JSON.stringify(url.replace(/\/\/[^@]*@/u, '//***@'))}: expected postgres://… or postgresql://…`);
    return openPostgresStore(url, rest);
  }
  const { stateDir, ...rest } = options;
  await ensureStateDir(stateDir);
  return openSqliteStore(`${stateDir.replace(/\/+$/u, '')}/${SQLITE_FILE_NAME}`, rest);
}
