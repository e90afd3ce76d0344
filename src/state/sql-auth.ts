/**
 * Console users, API tokens, sessions and the audit log over SqlDatabase.
 * Only hashes of tokens and session ids are stored (password.ts makes them);
 * deleting a user removes its tokens and sessions (ON DELETE CASCADE).
 */
import { RemasterError } from '../errors.ts';
import type { Row, SqlValue } from './sql.ts';
import { boundedInt, num, parseJson, str, toJson, type StoreContext } from './sql-hosts.ts';
import { ROLES, type ApiToken, type ApiTokenInput, type AuditEntry, type AuditFilter, type AuditInput, type Session, type SessionInput, type User, type UserInput, type UserPatch } from './store.ts';

function userFromRow(r: Row): User {
  const groups = parseJson(r.groups);
  return {
    name: String(r.name),
    role: String(r.role) as User['role'],
    groups: Array.isArray(groups) ? groups.map(String) : [],
    passwordHash: String(r.password_hash),
    disabled: Number(r.disabled) !== 0,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

function checkUser(name: string, role: string | undefined, groups: readonly unknown[] | undefined): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/u.test(name)) throw new RemasterError('STATE_INVALID', `user name ${JSON.stringify(name)} must be 1-64 letters, digits, ".", "_", "@" or "-", starting with a letter or digit`);
  if (role !== undefined && !(ROLES as readonly string[]).includes(role)) throw new RemasterError('STATE_INVALID', `role ${JSON.stringify(role)} must be one of ${ROLES.join(', ')}`);
  if (groups !== undefined && !groups.every((g) => typeof g === 'string' && g.length > 0)) throw new RemasterError('STATE_INVALID', 'groups must be non-empty strings');
}

export async function createUser(ctx: StoreContext, input: UserInput): Promise<User> {
  checkUser(input.name, input.role, input.groups);
  const at = ctx.now();
  return ctx.db.transaction('write', async (tx) => {
    const rows = await tx.all(
      'INSERT INTO users (name, role, groups, password_hash, disabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING RETURNING *',
      [input.name, input.role, JSON.stringify(input.groups ?? []), input.passwordHash, input.disabled === true ? 1 : 0, at, at],
    );
    if (rows[0] === undefined) throw new RemasterError('STATE_CONFLICT', `user ${input.name} already exists`);
    return userFromRow(rows[0]);
  });
}

export async function getUser(ctx: StoreContext, name: string): Promise<User | undefined> {
  const row = await ctx.db.transaction('read', (tx) => tx.get('SELECT * FROM users WHERE name = ?', [name]));
  return row === undefined ? undefined : userFromRow(row);
}

export async function listUsers(ctx: StoreContext): Promise<User[]> {
  return ctx.db.transaction('read', async (tx) => (await tx.all('SELECT * FROM users ORDER BY name')).map(userFromRow));
}

export async function updateUser(ctx: StoreContext, name: string, patch: UserPatch): Promise<User> {
  checkUser(name, patch.role, patch.groups);
  return ctx.db.transaction('write', async (tx) => {
    const row = await tx.get('SELECT * FROM users WHERE name = ?', [name]);
    if (row === undefined) throw new RemasterError('STATE_NOT_FOUND', `no user ${name}`);
    const old = userFromRow(row);
    const next = { ...old, ...patch };
    const rows = await tx.all('UPDATE users SET role = ?, groups = ?, password_hash = ?, disabled = ?, updated_at = ? WHERE name = ? RETURNING *', [
      next.role, JSON.stringify(next.groups), next.passwordHash, next.disabled ? 1 : 0, ctx.now(), name,
    ]);
    return userFromRow(rows[0] as Row);
  });
}

export async function deleteUser(ctx: StoreContext, name: string): Promise<boolean> {
  return ctx.db.transaction('write', async (tx) => (await tx.run('DELETE FROM users WHERE name = ?', [name])) > 0);
}

function tokenFromRow(r: Row): ApiToken {
  return { id: String(r.id), user: String(r.user_name), hash: String(r.hash), label: str(r.label), createdAt: Number(r.created_at), lastUsedAt: num(r.last_used_at), expiresAt: num(r.expires_at) };
}

export async function createToken(ctx: StoreContext, input: ApiTokenInput): Promise<ApiToken> {
  return ctx.db.transaction('write', async (tx) => {
    if ((await tx.get('SELECT name FROM users WHERE name = ?', [input.user])) === undefined) throw new RemasterError('STATE_NOT_FOUND', `no user ${input.user}`);
    const rows = await tx.all(
      'INSERT INTO api_tokens (id, user_name, hash, label, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING *',
      [input.id, input.user, input.hash, input.label ?? null, ctx.now(), input.expiresAt ?? null],
    );
    if (rows[0] === undefined) throw new RemasterError('STATE_CONFLICT', `a token with id ${input.id} or the same hash exists`);
    return tokenFromRow(rows[0]);
  });
}

export async function findToken(ctx: StoreContext, hash: string, now = ctx.now()): Promise<ApiToken | undefined> {
  const row = await ctx.db.transaction('read', (tx) => tx.get('SELECT * FROM api_tokens WHERE hash = ? AND (expires_at IS NULL OR expires_at > ?)', [hash, now]));
  return row === undefined ? undefined : tokenFromRow(row);
}

export async function touchToken(ctx: StoreContext, id: string, at = ctx.now()): Promise<void> {
  await ctx.db.transaction('write', (tx) => tx.run('UPDATE api_tokens SET last_used_at = ? WHERE id = ?', [at, id]));
}

export async function listTokens(ctx: StoreContext, user?: string): Promise<ApiToken[]> {
  const [where, params] = user === undefined ? ['', []] : [' WHERE user_name = ?', [user]];
  return ctx.db.transaction('read', async (tx) => (await tx.all(`SELECT * FROM api_tokens${where} ORDER BY created_at, id`, params)).map(tokenFromRow));
}

export async function deleteToken(ctx: StoreContext, id: string): Promise<boolean> {
  return ctx.db.transaction('write', async (tx) => (await tx.run('DELETE FROM api_tokens WHERE id = ?', [id])) > 0);
}

function sessionFromRow(r: Row): Session {
  return { idHash: String(r.id_hash), user: String(r.user_name), createdAt: Number(r.created_at), expiresAt: Number(r.expires_at), csrfSecret: String(r.csrf_secret), data: parseJson(r.data) };
}

export async function createSession(ctx: StoreContext, input: SessionInput): Promise<Session> {
  return ctx.db.transaction('write', async (tx) => {
    if ((await tx.get('SELECT name FROM users WHERE name = ?', [input.user])) === undefined) throw new RemasterError('STATE_NOT_FOUND', `no user ${input.user}`);
    const rows = await tx.all(
      'INSERT INTO sessions (id_hash, user_name, created_at, expires_at, csrf_secret, data) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id_hash) DO NOTHING RETURNING *',
      [input.idHash, input.user, ctx.now(), input.expiresAt, input.csrfSecret, toJson(input.data)],
    );
    if (rows[0] === undefined) throw new RemasterError('STATE_CONFLICT', 'a session with this id exists');
    return sessionFromRow(rows[0]);
  });
}

export async function getSession(ctx: StoreContext, idHash: string, now = ctx.now()): Promise<Session | undefined> {
  const row = await ctx.db.transaction('read', (tx) => tx.get('SELECT * FROM sessions WHERE id_hash = ? AND expires_at > ?', [idHash, now]));
  return row === undefined ? undefined : sessionFromRow(row);
}

export async function updateSession(ctx: StoreContext, idHash: string, patch: { data?: unknown; expiresAt?: number }): Promise<boolean> {
  const set: string[] = [];
  const params: SqlValue[] = [];
  if (patch.data !== undefined) {
    set.push('data = ?');
    params.push(toJson(patch.data));
  }
  if (patch.expiresAt !== undefined) {
    set.push('expires_at = ?');
    params.push(patch.expiresAt);
  }
  if (set.length === 0) return (await getSession(ctx, idHash)) !== undefined;
  return ctx.db.transaction('write', async (tx) => (await tx.run(`UPDATE sessions SET ${set.join(', ')} WHERE id_hash = ?`, [...params, idHash])) > 0);
}

export async function deleteSession(ctx: StoreContext, idHash: string): Promise<boolean> {
  return ctx.db.transaction('write', async (tx) => (await tx.run('DELETE FROM sessions WHERE id_hash = ?', [idHash])) > 0);
}

export async function deleteExpiredSessions(ctx: StoreContext, now = ctx.now()): Promise<number> {
  return ctx.db.transaction('write', (tx) => tx.run('DELETE FROM sessions WHERE expires_at <= ?', [now]));
}

function auditFromRow(r: Row): AuditEntry {
  return { id: Number(r.id), at: Number(r.at), actor: String(r.actor), action: String(r.action), target: str(r.target), detail: parseJson(r.detail), remote: str(r.remote) };
}

export async function appendAudit(ctx: StoreContext, e: AuditInput): Promise<AuditEntry> {
  return ctx.db.transaction('write', async (tx) => {
    const rows = await tx.all('INSERT INTO audit (at, actor, action, target, detail, remote) VALUES (?, ?, ?, ?, ?, ?) RETURNING *', [
      e.at ?? ctx.now(), e.actor, e.action, e.target ?? null, toJson(e.detail), e.remote ?? null,
    ]);
    return auditFromRow(rows[0] as Row);
  });
}

export async function listAudit(ctx: StoreContext, filter: AuditFilter = {}): Promise<AuditEntry[]> {
  const where: string[] = [];
  const params: SqlValue[] = [];
  const add = (clause: string, value: SqlValue | undefined) => {
    if (value === undefined) return;
    where.push(clause);
    params.push(value);
  };
  add('actor = ?', filter.actor);
  add('action = ?', filter.action);
  add('target = ?', filter.target);
  add('at >= ?', filter.since);
  add('id < ?', filter.beforeId);
  const limit = boundedInt(filter.limit, 1000, 10_000);
  const sql = `SELECT * FROM audit${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${limit}`;
  return ctx.db.transaction('read', async (tx) => (await tx.all(sql, params)).map(auditFromRow));
}
