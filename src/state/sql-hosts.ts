/**
 * Hosts, their lifecycle transitions, the event timeline and per-host blobs,
 * over the SqlDatabase abstraction (one implementation for both back ends).
 * `transition` is a compare-and-set: one UPDATE whose WHERE clause holds the
 * allowed states (and install id), so under concurrency exactly one caller
 * changes the row — SQLite serialises writers; PostgreSQL re-checks the WHERE
 * clause on the locked row after a concurrent update (READ COMMITTED).
 */
import { RemasterError } from '../errors.ts';
import type { Row, SqlDatabase, SqlValue, Tx } from './sql.ts';
import { HOST_STATES, type BlobKind, type EventInput, type Host, type HostEvent, type HostFilter, type HostInput, type HostState, type Transition, type TransitionResult } from './store.ts';

/** What the shared store functions need. */
export interface StoreContext {
  db: SqlDatabase;
  now: () => number;
  maxBlobBytes: number;
}

const MAC_RE = /^[0-9a-f]{2}([:-]?)[0-9a-f]{2}(?:\1[0-9a-f]{2}){4}$/u;

/** Return `aa:bb:cc:dd:ee:ff`; STATE_INVALID for anything that is not a 48-bit MAC. */
export function normalizeStateMac(mac: string): string {
  const lower = mac.trim().toLowerCase();
  if (!MAC_RE.test(lower)) throw new RemasterError('STATE_INVALID', `not an Ethernet MAC address: ${JSON.stringify(mac)}, expected six hex pairs like 52:54:00:12:34:56`);
  return lower.replace(/[:-]/gu, '').match(/../gu)!.join(':');
}

export const str = (v: SqlValue | undefined): string | null => (v === null || v === undefined ? null : String(v));
export const num = (v: SqlValue | undefined): number | null => (v === null || v === undefined ? null : Number(v));

/** Parse stored JSON text; a value that is not JSON is returned as the text itself. */
export function parseJson(v: SqlValue | undefined): unknown {
  if (v === null || v === undefined) return null;
  try {
    return JSON.parse(String(v));
  } catch {
    return String(v);
  }
}

export const toJson = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));

function hostFromRow(r: Row): Host {
  return {
    mac: String(r.mac),
    name: str(r.name),
    group: str(r.host_group),
    profile: str(r.profile),
    createdAt: Number(r.created_at),
    createdBy: String(r.created_by),
    updatedAt: Number(r.updated_at),
    updatedBy: String(r.updated_by),
    state: String(r.state) as HostState,
    stateAt: Number(r.state_at),
    installId: str(r.install_id),
    callbackSecretHash: str(r.callback_secret_hash),
    armedBy: str(r.armed_by),
    armedAt: num(r.armed_at),
    failureReason: str(r.failure_reason),
    lastEventAt: num(r.last_event_at),
  };
}

function eventFromRow(r: Row): HostEvent {
  return { id: Number(r.id), mac: String(r.mac), installId: str(r.install_id), at: Number(r.at), kind: String(r.kind), detail: parseJson(r.detail), remote: str(r.remote) };
}

async function readHost(tx: Tx, mac: string): Promise<Host | undefined> {
  const row = await tx.get('SELECT * FROM hosts WHERE mac = ?', [mac]);
  return row === undefined ? undefined : hostFromRow(row);
}

export async function createHost(ctx: StoreContext, input: HostInput, actor: string): Promise<Host> {
  const mac = normalizeStateMac(input.mac);
  const at = ctx.now();
  return ctx.db.transaction('write', async (tx) => {
    const rows = await tx.all(
      `INSERT INTO hosts (mac, name, host_group, profile, created_at, created_by, updated_at, updated_by, state, state_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'registered', ?) ON CONFLICT (mac) DO NOTHING RETURNING *`,
      [mac, input.name ?? null, input.group ?? null, input.profile ?? null, at, actor, at, actor, at],
    );
    if (rows[0] === undefined) throw new RemasterError('STATE_CONFLICT', `host ${mac} is already registered`);
    return hostFromRow(rows[0]);
  });
}

export async function updateHost(ctx: StoreContext, input: HostInput, actor: string): Promise<Host> {
  const mac = normalizeStateMac(input.mac);
  return ctx.db.transaction('write', async (tx) => {
    const old = await readHost(tx, mac);
    if (old === undefined) throw new RemasterError('STATE_NOT_FOUND', `no host ${mac}`);
    const pick = (v: string | null | undefined, was: string | null) => (v === undefined ? was : v);
    const rows = await tx.all('UPDATE hosts SET name = ?, host_group = ?, profile = ?, updated_at = ?, updated_by = ? WHERE mac = ? RETURNING *', [
      pick(input.name, old.name), pick(input.group, old.group), pick(input.profile, old.profile), ctx.now(), actor, mac,
    ]);
    return hostFromRow(rows[0] as Row);
  });
}

export async function deleteHost(ctx: StoreContext, mac: string): Promise<boolean> {
  const m = normalizeStateMac(mac);
  return ctx.db.transaction('write', async (tx) => (await tx.run('DELETE FROM hosts WHERE mac = ?', [m])) > 0);
}

export async function getHost(ctx: StoreContext, mac: string): Promise<Host | undefined> {
  const m = normalizeStateMac(mac);
  return ctx.db.transaction('read', (tx) => readHost(tx, m));
}

/** An integer in [0, max], `fallback` when absent or not a finite number (LIMIT/OFFSET are inlined). */
export function boundedInt(value: number | undefined, fallback: number, max: number): number {
  return value === undefined || !Number.isFinite(value) ? fallback : Math.max(0, Math.min(Math.floor(value), max));
}

const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

function checkStates(states: readonly string[]): void {
  for (const s of states) if (!(HOST_STATES as readonly string[]).includes(s)) throw new RemasterError('STATE_INVALID', `unknown host state ${JSON.stringify(s)}, expected one of ${HOST_STATES.join(', ')}`);
}

export async function listHosts(ctx: StoreContext, filter: HostFilter = {}): Promise<Host[]> {
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (filter.states !== undefined) {
    checkStates(filter.states);
    if (filter.states.length === 0) return [];
    where.push(`state IN (${placeholders(filter.states.length)})`);
    params.push(...filter.states);
  }
  if (filter.groups !== undefined) {
    if (filter.groups.length === 0) return [];
    where.push(`host_group IN (${placeholders(filter.groups.length)})`);
    params.push(...filter.groups);
  }
  if (filter.profile !== undefined) {
    where.push('profile = ?');
    params.push(filter.profile);
  }
  if (filter.search !== undefined && filter.search !== '') {
    where.push("(LOWER(mac) LIKE ? ESCAPE '\\' OR LOWER(COALESCE(name, '')) LIKE ? ESCAPE '\\')");
    const pattern = `%${filter.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    params.push(pattern, pattern);
  }
  const limit = boundedInt(filter.limit, 10_000, 10_000);
  const offset = boundedInt(filter.offset, 0, Number.MAX_SAFE_INTEGER);
  const sql = `SELECT * FROM hosts${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY mac LIMIT ${limit} OFFSET ${offset}`;
  return ctx.db.transaction('read', async (tx) => (await tx.all(sql, params)).map(hostFromRow));
}

async function insertEvent(tx: Tx, e: EventInput & { mac: string; at: number }): Promise<HostEvent> {
  const rows = await tx.all('INSERT INTO events (mac, install_id, at, kind, detail, remote) VALUES (?, ?, ?, ?, ?, ?) RETURNING *', [
    e.mac, e.installId ?? null, e.at, e.kind, toJson(e.detail), e.remote ?? null,
  ]);
  await tx.run('UPDATE hosts SET last_event_at = ? WHERE mac = ? AND (last_event_at IS NULL OR last_event_at < ?)', [e.at, e.mac, e.at]);
  return eventFromRow(rows[0] as Row);
}

/** The SET clause and values a transition writes. */
function transitionSet(t: Transition, at: number): { set: string; values: SqlValue[] } {
  const set = ['state = ?', 'state_at = ?', 'updated_at = ?', 'updated_by = ?', 'failure_reason = ?'];
  const values: SqlValue[] = [t.to, at, at, t.actor, t.to === 'failed' ? (t.failureReason ?? 'failed') : null];
  if (t.arm !== undefined) {
    set.push('install_id = ?', 'callback_secret_hash = ?', 'armed_by = ?', 'armed_at = ?');
    values.push(t.arm.installId, t.arm.callbackSecretHash, t.actor, at);
  }
  return { set: set.join(', '), values };
}

export async function transition(ctx: StoreContext, mac: string, t: Transition): Promise<TransitionResult> {
  const m = normalizeStateMac(mac);
  checkStates([...t.from, t.to]);
  if ((t.to === 'armed') !== (t.arm !== undefined)) throw new RemasterError('STATE_INVALID', "a transition to 'armed' needs `arm` (install id and secret hash), and only it may carry one");
  if (t.from.length === 0) return { applied: false, host: await getHost(ctx, m), refused: 'state' };
  const at = ctx.now();
  return ctx.db.transaction('write', async (tx) => {
    const { set, values } = transitionSet(t, at);
    const guard = [`mac = ?`, `state IN (${placeholders(t.from.length)})`, ...(t.installId !== undefined ? ['install_id = ?'] : []), ...(t.notInstallId !== undefined ? ['(install_id IS NULL OR install_id <> ?)'] : [])];
    const params = [...values, m, ...t.from, ...(t.installId !== undefined ? [t.installId] : []), ...(t.notInstallId !== undefined ? [t.notInstallId] : [])];
    const rows = await tx.all(`UPDATE hosts SET ${set} WHERE ${guard.join(' AND ')} RETURNING *`, params);
    if (rows[0] === undefined) {
      const host = await readHost(tx, m);
      const idMismatch = (t.installId !== undefined && host?.installId !== t.installId) || (t.notInstallId !== undefined && host?.installId === t.notInstallId);
      const refused = host === undefined ? 'not-found' : idMismatch ? 'install-id' : 'state';
      return { applied: false, host, refused };
    }
    let host = hostFromRow(rows[0]);
    if (t.event !== undefined) {
      await insertEvent(tx, { mac: m, installId: host.installId, at, kind: t.event.kind, detail: t.event.detail, remote: t.event.remote ?? null });
      host = { ...host, lastEventAt: Math.max(host.lastEventAt ?? at, at) };
    }
    return { applied: true, host };
  });
}

export async function recordEvent(ctx: StoreContext, e: EventInput): Promise<HostEvent> {
  const mac = normalizeStateMac(e.mac);
  const at = e.at ?? ctx.now();
  return ctx.db.transaction('write', (tx) => insertEvent(tx, { ...e, mac, at }));
}

export async function hostTimeline(ctx: StoreContext, mac: string, options: { installId?: string; limit?: number } = {}): Promise<HostEvent[]> {
  const m = normalizeStateMac(mac);
  const limit = boundedInt(options.limit, 10_000, 10_000);
  const params: SqlValue[] = [m];
  let where = 'mac = ?';
  if (options.installId !== undefined) {
    where += ' AND install_id = ?';
    params.push(options.installId);
  }
  return ctx.db.transaction('read', async (tx) => {
    const rows = await tx.all(`SELECT * FROM events WHERE ${where} ORDER BY id DESC LIMIT ${limit}`, params);
    return rows.map(eventFromRow).reverse();
  });
}

const utf8 = new TextEncoder();

/** Keep the last `keep` bytes of UTF-8 text, never splitting a character. */
export function utf8Tail(text: string, keep: number): string {
  const bytes = utf8.encode(text);
  if (bytes.length <= keep) return text;
  let start = bytes.length - keep;
  while (start < bytes.length && ((bytes[start] as number) & 0xc0) === 0x80) start++; // skip continuation bytes
  return new TextDecoder().decode(bytes.subarray(start));
}

function checkBlob(ctx: StoreContext, kind: BlobKind, content: string): void {
  if (kind !== 'inventory' && !/^log:[A-Za-z0-9._-]{1,64}$/u.test(kind)) throw new RemasterError('STATE_INVALID', `blob kind ${JSON.stringify(kind)} must be "inventory" or "log:<name>"`);
  const size = utf8.encode(content).length;
  if (size > ctx.maxBlobBytes) throw new RemasterError('LIMIT_EXCEEDED', `blob ${kind} is ${size} bytes, more than the ${ctx.maxBlobBytes}-byte limit`);
}

export async function putBlob(ctx: StoreContext, mac: string, kind: BlobKind, content: string): Promise<void> {
  const m = normalizeStateMac(mac);
  checkBlob(ctx, kind, content);
  await ctx.db.transaction('write', async (tx) => {
    if ((await readHost(tx, m)) === undefined) throw new RemasterError('STATE_NOT_FOUND', `no host ${m}`);
    await tx.run('INSERT INTO host_blobs (mac, kind, content, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (mac, kind) DO UPDATE SET content = excluded.content, updated_at = excluded.updated_at', [m, kind, content, ctx.now()]);
  });
}

export async function appendBlob(ctx: StoreContext, mac: string, kind: BlobKind, text: string, keepBytes: number): Promise<void> {
  const m = normalizeStateMac(mac);
  const keep = boundedInt(keepBytes, 0, ctx.maxBlobBytes);
  checkBlob(ctx, kind, '');
  await ctx.db.transaction('write', async (tx) => {
    if ((await readHost(tx, m)) === undefined) throw new RemasterError('STATE_NOT_FOUND', `no host ${m}`);
    const at = ctx.now();
    // make sure the row exists, then lock it (PostgreSQL) before reading: the append is a read-modify-write
    await tx.run("INSERT INTO host_blobs (mac, kind, content, updated_at) VALUES (?, ?, '', ?) ON CONFLICT (mac, kind) DO NOTHING", [m, kind, at]);
    const lock = ctx.db.dialect === 'postgres' ? ' FOR UPDATE' : '';
    const row = await tx.get(`SELECT content FROM host_blobs WHERE mac = ? AND kind = ?${lock}`, [m, kind]);
    const content = utf8Tail(String(row?.content ?? '') + utf8Tail(text, keep), keep);
    await tx.run('UPDATE host_blobs SET content = ?, updated_at = ? WHERE mac = ? AND kind = ?', [content, at, m, kind]);
  });
}

export async function getBlob(ctx: StoreContext, mac: string, kind: BlobKind): Promise<{ content: string; updatedAt: number } | undefined> {
  const m = normalizeStateMac(mac);
  const row = await ctx.db.transaction('read', (tx) => tx.get('SELECT content, updated_at FROM host_blobs WHERE mac = ? AND kind = ?', [m, kind]));
  return row === undefined ? undefined : { content: String(row.content), updatedAt: Number(row.updated_at) };
}

const SETTING_NAME = /^[A-Za-z0-9._-]{1,64}$/u;

function checkSettingName(name: string): void {
  if (!SETTING_NAME.test(name)) throw new RemasterError('STATE_INVALID', `setting name ${JSON.stringify(name)} must be 1-64 letters, digits, ".", "_" or "-"`);
}

export async function getSetting(ctx: StoreContext, name: string): Promise<string | undefined> {
  checkSettingName(name);
  const row = await ctx.db.transaction('read', (tx) => tx.get('SELECT value FROM settings WHERE name = ?', [name]));
  return row === undefined ? undefined : String(row.value);
}

export async function ensureSetting(ctx: StoreContext, name: string, value: string): Promise<string> {
  checkSettingName(name);
  return ctx.db.transaction('write', async (tx) => {
    await tx.run('INSERT INTO settings (name, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING', [name, value, ctx.now()]);
    return String((await tx.get('SELECT value FROM settings WHERE name = ?', [name]))?.value);
  });
}

export async function putSetting(ctx: StoreContext, name: string, value: string): Promise<void> {
  checkSettingName(name);
  await ctx.db.transaction('write', (tx) => tx.run('INSERT INTO settings (name, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at', [name, value, ctx.now()]));
}
