/**
 * The one Store implementation both back ends share: migrations on open, then
 * every method delegating to sql-hosts.ts / sql-auth.ts over the back end's
 * SqlDatabase.
 */
import type { SqlDatabase } from './sql.ts';
import { migrate } from './sql.ts';
import * as auth from './sql-auth.ts';
import * as hosts from './sql-hosts.ts';
import type { Store, StoreOptions } from './store.ts';

/** Default largest blob: 1 MiB of UTF-8. */
export const DEFAULT_MAX_BLOB_BYTES = 1 << 20;

/** Migrate the database and return the Store over it (the store owns `db` and closes it). */
export async function createSqlStore(db: SqlDatabase, options: StoreOptions = {}): Promise<Store> {
  const ctx: hosts.StoreContext = { db, now: options.now ?? Date.now, maxBlobBytes: options.maxBlobBytes ?? DEFAULT_MAX_BLOB_BYTES };
  try {
    await migrate(db, ctx.now());
  } catch (err) {
    await db.close();
    throw err;
  }
  return {
    backend: db.dialect,
    schemaVersion: () => db.transaction('read', async (tx) => Number((await tx.get('SELECT MAX(version) AS v FROM schema_version'))?.v ?? 0)),
    close: () => db.close(),
    createHost: (input, actor) => hosts.createHost(ctx, input, actor),
    updateHost: (input, actor) => hosts.updateHost(ctx, input, actor),
    deleteHost: (mac) => hosts.deleteHost(ctx, mac),
    getHost: (mac) => hosts.getHost(ctx, mac),
    listHosts: (filter) => hosts.listHosts(ctx, filter),
    transition: (mac, t) => hosts.transition(ctx, mac, t),
    recordEvent: (e) => hosts.recordEvent(ctx, e),
    hostTimeline: (mac, o) => hosts.hostTimeline(ctx, mac, o),
    putBlob: (mac, kind, content) => hosts.putBlob(ctx, mac, kind, content),
    appendBlob: (mac, kind, text, keep) => hosts.appendBlob(ctx, mac, kind, text, keep),
    getBlob: (mac, kind) => hosts.getBlob(ctx, mac, kind),
    createUser: (input) => auth.createUser(ctx, input),
    getUser: (name) => auth.getUser(ctx, name),
    listUsers: () => auth.listUsers(ctx),
    updateUser: (name, patch) => auth.updateUser(ctx, name, patch),
    deleteUser: (name) => auth.deleteUser(ctx, name),
    createToken: (input) => auth.createToken(ctx, input),
    findToken: (hash, now) => auth.findToken(ctx, hash, now),
    touchToken: (id, at) => auth.touchToken(ctx, id, at),
    listTokens: (user) => auth.listTokens(ctx, user),
    deleteToken: (id) => auth.deleteToken(ctx, id),
    createSession: (input) => auth.createSession(ctx, input),
    getSession: (idHash, now) => auth.getSession(ctx, idHash, now),
    updateSession: (idHash, patch) => auth.updateSession(ctx, idHash, patch),
    deleteSession: (idHash) => auth.deleteSession(ctx, idHash),
    deleteExpiredSessions: (now) => auth.deleteExpiredSessions(ctx, now),
    getSetting: (name) => hosts.getSetting(ctx, name),
    ensureSetting: (name, value) => hosts.ensureSetting(ctx, name, value),
    putSetting: (name, value) => hosts.putSetting(ctx, name, value),
    appendAudit: (e) => auth.appendAudit(ctx, e),
    listAudit: (filter) => auth.listAudit(ctx, filter),
  };
}
