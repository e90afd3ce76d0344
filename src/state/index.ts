export type { Store, StoreOptions, Host, HostInput, HostFilter, HostState, HostEvent, EventInput, Transition, TransitionResult, Role, User, UserInput, UserPatch, ApiToken, ApiTokenInput, Session, SessionInput, AuditEntry, AuditInput, AuditFilter, BlobKind } from './store.ts';
export { HOST_STATES, ROLES } from './store.ts';
export { MIGRATIONS, LATEST_SCHEMA_VERSION, migrationStatements, type Migration, type Dialect } from './migrations.ts';
export { openStore, SQLITE_FILE_NAME, type OpenStoreOptions } from './open-store.ts';
export { openSqliteStore, type SqliteStoreOptions } from './sqlite.ts';
export { openPostgresStore, redactUrl, type PostgresStoreOptions } from './postgres.ts';
export { hashUserPassword, verifyUserPassword, newSecret, hashSecret, secretMatches, SCRYPT_DEFAULTS } from './password.ts';
export { normalizeStateMac } from './sql-hosts.ts';
export { addUser, setUserPassword, removeUser, createUserToken, checkUserPassword, userOfToken, parseRole } from './accounts.ts';
