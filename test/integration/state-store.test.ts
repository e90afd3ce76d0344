/**
 * One test suite for the state store, run against both back ends: SQLite in a
 * temporary directory and a real PostgreSQL server (REMASTER_TEST_PG_URL,
 * started by .ci/run; a fresh database per test). Whatever the service and
 * the console rely on is asserted here, including the compare-and-set under
 * concurrency and atomic writes of many clients.
 */
import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { openStore, LATEST_SCHEMA_VERSION, SQLITE_FILE_NAME, hashSecret, type Store, type HostState } from '../../src/index.ts';
import pg from 'pg';
import { freshPostgresDatabase, requirePostgres } from '../helpers/postgres.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';

interface Backend {
  name: 'sqlite' | 'postgres';
  /** Open a store on a fresh database; `reopen` opens another store on the same database. Undefined when skipped. */
  open(t: TestContext, now?: () => number): Promise<{ store: Store; reopen: () => Promise<Store>; raw: (sql: string) => Promise<void> } | undefined>;
}

/** Return an opener whose stores are all closed when the test ends. */
function tracked(t: TestContext, open: () => Promise<Store>): () => Promise<Store> {
  const stores: Store[] = [];
  t.after(() => Promise.all(stores.map((s) => s.close())));
  return async () => {
    const s = await open();
    stores.push(s);
    return s;
  };
}

const sqlite: Backend = {
  name: 'sqlite',
  async open(t, now) {
    const stateDir = join(await tmpDir(t, 'remaster-state-'), 'state');
    const reopen = tracked(t, () => openStore(now === undefined ? { stateDir } : { stateDir, now }));
    const raw = async (sql: string) => {
      const db = new DatabaseSync(join(stateDir, SQLITE_FILE_NAME));
      db.exec(sql);
      db.close();
    };
    return { store: await reopen(), reopen, raw };
  },
};

const postgres: Backend = {
  name: 'postgres',
  async open(t, now) {
    const base = requirePostgres(t);
    if (base === undefined) return undefined;
    const url = await freshPostgresDatabase(t, base);
    const reopen = tracked(t, () => openStore(now === undefined ? { url } : { url, now }));
    const raw = async (sql: string) => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(sql);
      await c.end();
    };
    return { store: await reopen(), reopen, raw };
  },
};

const MAC = '52:54:00:12:34:56';
const ARM = { installId: 'inst-1', callbackSecretHash: hashSecret('s3cret') };

/** A clock the test moves by hand. */
function clock(start = 1_700_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

for (const backend of [sqlite, postgres]) {
  describe(`state store on ${backend.name}`, () => {
    test('migrates a fresh database, keeps data across reopen and refuses a newer schema', async (t) => {
      const db = await backend.open(t);
      if (db === undefined) return;
      assert.equal(await db.store.schemaVersion(), LATEST_SCHEMA_VERSION);
      await db.store.createHost({ mac: MAC, name: 'web1' }, 'alice');
      await db.store.close();
      const again = await db.reopen();
      assert.equal((await again.getHost(MAC))?.name, 'web1');
      assert.equal(await again.schemaVersion(), LATEST_SCHEMA_VERSION, 'reopening applies nothing twice');
      await again.close();
      await db.raw(`INSERT INTO schema_version (version, name, applied_at) VALUES (${LATEST_SCHEMA_VERSION + 1}, 'future', 0)`);
      await assert.rejects(db.reopen(), { code: 'STATE_SCHEMA' });
    });

    test('registers hosts with a normalised MAC, refuses duplicates, edits and deletes them', async (t) => {
      const c = clock();
      const db = await backend.open(t, c.now);
      if (db === undefined) return;
      const { store } = db;
      const h = await store.createHost({ mac: '52-54-00-12-34-56', name: 'web1', group: 'lab', profile: 'rhel9' }, 'alice');
      assert.deepEqual(h, {
        mac: MAC, name: 'web1', group: 'lab', profile: 'rhel9', createdAt: c.now(), createdBy: 'alice', updatedAt: c.now(), updatedBy: 'alice',
        state: 'registered', stateAt: c.now(), installId: null, callbackSecretHash: null, armedBy: null, armedAt: null, failureReason: null, lastEventAt: null,
      });
      await assert.rejects(store.createHost({ mac: '52:54:00:12:34:56' }, 'bob'), { code: 'STATE_CONFLICT' });
      await assert.rejects(store.createHost({ mac: 'not-a-mac' }, 'bob'), { code: 'STATE_INVALID' });
      c.advance(1000);
      const u = await store.updateHost({ mac: '525400123456', profile: 'rhel8' }, 'bob');
      assert.deepEqual([u.name, u.group, u.profile, u.updatedBy, u.updatedAt, u.createdBy], ['web1', 'lab', 'rhel8', 'bob', c.now(), 'alice']);
      await assert.rejects(store.updateHost({ mac: '52:54:00:00:00:01' }, 'bob'), { code: 'STATE_NOT_FOUND' });
      await store.recordEvent({ mac: MAC, kind: 'note' });
      await store.putBlob(MAC, 'inventory', '{"cpus":4}');
      assert.equal(await store.deleteHost(MAC), true);
      assert.equal(await store.deleteHost(MAC), false);
      assert.equal(await store.getHost(MAC), undefined);
      assert.equal(await store.getBlob(MAC, 'inventory'), undefined, 'blobs go with the host');
      assert.equal((await store.hostTimeline(MAC)).length, 1, 'events stay (audit trail)');
    });

    test('lists hosts by state, group, profile and search text, in MAC order with paging', async (t) => {
      const db = await backend.open(t);
      if (db === undefined) return;
      const { store } = db;
      for (let i = 0; i < 6; i++) {
        await store.createHost({ mac: `52:54:00:00:00:0${i}`, name: i === 3 ? 'db_100%' : `web${i}`, group: i % 2 ? 'odd' : 'even', profile: i < 3 ? 'a' : 'b' }, 'x');
      }
      await store.transition('52:54:00:00:00:01', { from: ['registered'], to: 'armed', actor: 'x', arm: ARM });
      const macs = async (f: Parameters<Store['listHosts']>[0]) => (await store.listHosts(f)).map((h) => h.mac.slice(-1));
      assert.deepEqual(await macs({}), ['0', '1', '2', '3', '4', '5']);
      assert.deepEqual(await macs({ states: ['armed'] }), ['1']);
      assert.deepEqual(await macs({ groups: ['odd'] }), ['1', '3', '5']);
      assert.deepEqual(await macs({ groups: [] }), []);
      assert.deepEqual(await macs({ groups: ['even'], profile: 'b' }), ['4']);
      assert.deepEqual(await macs({ search: '100%' }), ['3'], '% is matched literally');
      assert.deepEqual(await macs({ search: 'WEB' }), ['0', '1', '2', '4', '5']);
      assert.deepEqual(await macs({ search: '00:05' }), ['5']);
      assert.deepEqual(await macs({ limit: 2, offset: 3 }), ['3', '4']);
      assert.deepEqual(await macs({ limit: Number.NaN, offset: -5 }), ['0', '1', '2', '3', '4', '5'], 'nonsense paging falls back to defaults');
      await assert.rejects(store.listHosts({ states: ['bogus' as HostState] }), { code: 'STATE_INVALID' });
    });

    test('arms with a new install id and secret hash, records the event in the same transaction, refuses wrong states and install ids', async (t) => {
      const c = clock();
      const db = await backend.open(t, c.now);
      if (db === undefined) return;
      const { store } = db;
      await store.createHost({ mac: MAC }, 'alice');
      c.advance(5);
      const armed = await store.transition(MAC, { from: ['registered', 'installed', 'disarmed', 'failed', 'stalled'], to: 'armed', actor: 'alice', arm: ARM, event: { kind: 'armed', detail: { by: 'alice' }, remote: '10.0.0.9' } });
      assert.equal(armed.applied, true);
      assert.deepEqual([armed.host?.state, armed.host?.installId, armed.host?.callbackSecretHash, armed.host?.armedBy, armed.host?.armedAt, armed.host?.stateAt, armed.host?.lastEventAt],
        ['armed', 'inst-1', hashSecret('s3cret'), 'alice', c.now(), c.now(), c.now()]);
      const timeline = await store.hostTimeline(MAC);
      assert.deepEqual(timeline.map((e) => [e.kind, e.installId, e.detail, e.remote, e.at]), [['armed', 'inst-1', { by: 'alice' }, '10.0.0.9', c.now()]]);
      const wrongState = await store.transition(MAC, { from: ['installing'], to: 'installed', actor: 'callback', installId: 'inst-1' });
      assert.deepEqual([wrongState.applied, wrongState.refused, wrongState.host?.state], [false, 'state', 'armed']);
      const wrongInstall = await store.transition(MAC, { from: ['armed'], to: 'boot-fetched', actor: 'tftp', installId: 'inst-0' });
      assert.deepEqual([wrongInstall.applied, wrongInstall.refused], [false, 'install-id']);
      const missing = await store.transition('52:54:00:00:00:99', { from: ['armed'], to: 'boot-fetched', actor: 'tftp' });
      assert.deepEqual([missing.applied, missing.refused, missing.host], [false, 'not-found', undefined]);
      const failed = await store.transition(MAC, { from: ['armed'], to: 'failed', actor: 'callback', installId: 'inst-1', failureReason: '%pre exited 1' });
      assert.equal(failed.host?.failureReason, '%pre exited 1');
      const rearmed = await store.transition(MAC, { from: ['failed'], to: 'armed', actor: 'bob', arm: { installId: 'inst-2', callbackSecretHash: hashSecret('other') } });
      assert.deepEqual([rearmed.host?.failureReason, rearmed.host?.installId, rearmed.host?.armedBy], [null, 'inst-2', 'bob']);
      assert.equal((await store.hostTimeline(MAC)).length, 1, 'refused transitions record nothing');
      await assert.rejects(store.transition(MAC, { from: ['armed'], to: 'armed', actor: 'x' }), { code: 'STATE_INVALID' });
    });

    test('many concurrent "installed" callbacks for one host: exactly one applies and one event is recorded', async (t) => {
      const db = await backend.open(t);
      if (db === undefined) return;
      const servers = [db.store, await db.reopen(), await db.reopen()]; // PostgreSQL: three pools, like three servers
      await db.store.createHost({ mac: MAC }, 'alice');
      await db.store.transition(MAC, { from: ['registered'], to: 'armed', actor: 'alice', arm: ARM });
      await db.store.transition(MAC, { from: ['armed'], to: 'installing', actor: 'callback' });
      const results = await Promise.all(Array.from({ length: 60 }, (_, i) =>
        servers[i % servers.length]!.transition(MAC, { from: ['installing', 'post-done'], to: 'installed', actor: `server-${i % 3}`, installId: 'inst-1', event: { kind: 'installed', detail: { attempt: i } } })));
      assert.equal(results.filter((r) => r.applied).length, 1);
      assert.ok(results.filter((r) => !r.applied).every((r) => r.refused === 'state' && r.host?.state === 'installed'));
      const installed = (await db.store.hostTimeline(MAC)).filter((e) => e.kind === 'installed');
      assert.equal(installed.length, 1);
      // and then exactly one disarm
      const disarms = await Promise.all(servers.map((s) => s.transition(MAC, { from: ['installed'], to: 'disarmed', actor: 'serve', event: { kind: 'disarmed' } })));
      assert.equal(disarms.filter((r) => r.applied).length, 1);
    });

    test('settings: concurrent ensureSetting calls from several servers agree on the first value; putSetting replaces it', async (t) => {
      const db = await backend.open(t);
      if (db === undefined) return;
      const servers = [db.store, await db.reopen(), await db.reopen()];
      assert.equal(await db.store.getSetting('serve.callbackKey'), undefined);
      const values = await Promise.all(Array.from({ length: 12 }, (_, i) => servers[i % 3]!.ensureSetting('serve.callbackKey', `key-${i}`)));
      assert.equal(new Set(values).size, 1, `every server got the same key: ${values.join(',')}`);
      assert.equal(await servers[2]!.getSetting('serve.callbackKey'), values[0]);
      await db.store.putSetting('serve.callbackKey', 'replaced');
      assert.equal(await servers[1]!.getSetting('serve.callbackKey'), 'replaced');
      await assert.rejects(db.store.getSetting('bad name'), { code: 'STATE_INVALID' });
    });

    test('arming one install id concurrently (notInstallId): exactly one server applies it, a new id applies again', async (t) => {
      const db = await backend.open(t);
      if (db === undefined) return;
      const servers = [db.store, await db.reopen(), await db.reopen()];
      await db.store.createHost({ mac: MAC }, 'serve');
      const arm = (id: string, s: Store) => s.transition(MAC, { from: ['registered', 'armed', 'boot-fetched', 'installed', 'disarmed', 'failed', 'stalled'], to: 'armed', actor: 'serve', notInstallId: id, arm: { installId: id, callbackSecretHash: hashSecret(id) }, event: { kind: 'armed' } });
      const first = await Promise.all(Array.from({ length: 9 }, (_, i) => arm('a1', servers[i % 3]!)));
      assert.equal(first.filter((r) => r.applied).length, 1);
      assert.ok(first.filter((r) => !r.applied).every((r) => r.refused === 'install-id'));
      await db.store.transition(MAC, { from: ['armed'], to: 'boot-fetched', actor: 'tftp', installId: 'a1' });
      assert.equal((await arm('a1', db.store)).applied, false, 'seeing the same arm id again never resets progress');
      assert.equal((await db.store.getHost(MAC))?.state, 'boot-fetched');
      assert.equal((await arm('a2', servers[1]!)).host?.installId, 'a2');
      assert.equal((await db.store.hostTimeline(MAC)).filter((e) => e.kind === 'armed').length, 2);
    });

    test('100 concurrent host registrations and 200 concurrent events all land', async (t) => {
      const db = await backend.open(t);
      if (db === undefined) return;
      const servers = [db.store, await db.reopen()];
      const mac = (i: number) => `02:00:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;
      await Promise.all(Array.from({ length: 100 }, (_, i) => servers[i % 2]!.createHost({ mac: mac(i), name: `n${i}` }, 'bulk')));
      const hosts = await db.store.listHosts();
      assert.equal(hosts.length, 100);
      assert.deepEqual(new Set(hosts.map((h) => h.name)).size, 100);
      await Promise.all(Array.from({ length: 200 }, (_, i) => servers[i % 2]!.recordEvent({ mac: mac(i % 4), kind: 'tftp', detail: { i } })));
      const counts = await Promise.all([0, 1, 2, 3].map(async (i) => (await db.store.hostTimeline(mac(i))).length));
      assert.deepEqual(counts, [50, 50, 50, 50]);
      const ids = (await db.store.hostTimeline(mac(0))).map((e) => e.id);
      assert.deepEqual(ids, [...ids].sort((a, b) => a - b), 'timeline is in id order');
    });

    test('timeline: oldest first, per install, the newest N when limited, lastEventAt follows', async (t) => {
      const c = clock();
      const db = await backend.open(t, c.now);
      if (db === undefined) return;
      const { store } = db;
      await store.createHost({ mac: MAC }, 'a');
      for (let i = 0; i < 5; i++) {
        c.advance(10);
        await store.recordEvent({ mac: MAC, installId: i < 3 ? 'i1' : 'i2', kind: `k${i}`, detail: { i, nested: [1, 'x'] }, remote: '10.0.0.5' });
      }
      await store.recordEvent({ mac: MAC, kind: 'late-but-old', at: c.now() - 1000 });
      assert.deepEqual((await store.hostTimeline(MAC)).map((e) => e.kind), ['k0', 'k1', 'k2', 'k3', 'k4', 'late-but-old']);
      assert.deepEqual((await store.hostTimeline(MAC, { installId: 'i2' })).map((e) => e.kind), ['k3', 'k4']);
      assert.deepEqual((await store.hostTimeline(MAC, { limit: 2 })).map((e) => e.kind), ['k4', 'late-but-old']);
      assert.deepEqual((await store.hostTimeline(MAC))[0]?.detail, { i: 0, nested: [1, 'x'] });
      assert.equal((await store.getHost(MAC))?.lastEventAt, c.now(), 'an older event does not move lastEventAt back');
      const stranger = await store.recordEvent({ mac: '52:54:00:99:99:99', kind: 'tftp-unknown' });
      assert.equal(stranger.mac, '52:54:00:99:99:99', 'events for unregistered MACs are kept');
    });

    test('blobs: inventory replaced, log tail bounded to the last bytes on a character boundary, limits enforced', async (t) => {
      const db = await backend.open(t);
      if (db === undefined) return;
      const { store } = db;
      await store.createHost({ mac: MAC }, 'a');
      await store.putBlob(MAC, 'inventory', '{"cpus":2}');
      await store.putBlob(MAC, 'inventory', '{"cpus":4}');
      assert.equal((await store.getBlob(MAC, 'inventory'))?.content, '{"cpus":4}');
      await store.appendBlob(MAC, 'log:anaconda', 'line1\n', 16);
      await store.appendBlob(MAC, 'log:anaconda', 'line2\nline3\n', 16);
      assert.equal((await store.getBlob(MAC, 'log:anaconda'))?.content, 'ne1\nline2\nline3\n', 'the last 16 of 18 bytes');
      await store.appendBlob(MAC, 'log:anaconda', 'ééé', 5); // é is 2 bytes: the last 5 bytes are "\n" + "éé", never half an é
      assert.equal((await store.getBlob(MAC, 'log:anaconda'))?.content, '\néé');
      await store.appendBlob(MAC, 'log:anaconda', 'ééé', 3);
      assert.equal((await store.getBlob(MAC, 'log:anaconda'))?.content, 'é');
      await Promise.all(Array.from({ length: 40 }, (_, i) => store.appendBlob(MAC, 'log:x', `${String(i).padStart(2, '0')};`, 1000)));
      const parts = (await store.getBlob(MAC, 'log:x'))!.content.split(';').filter(Boolean);
      assert.equal(parts.length, 40, 'no concurrent append is lost');
      await assert.rejects(store.putBlob(MAC, 'inventory', 'x'.repeat((1 << 20) + 1)), { code: 'LIMIT_EXCEEDED' });
      await assert.rejects(store.putBlob(MAC, 'log:../../etc' as 'log:x', 'x'), { code: 'STATE_INVALID' });
      await assert.rejects(store.putBlob('52:54:00:00:00:01', 'inventory', '{}'), { code: 'STATE_NOT_FOUND' });
    });

    test('users: create, refuse duplicates and bad roles, update, delete with their tokens and sessions', async (t) => {
      const c = clock();
      const db = await backend.open(t, c.now);
      if (db === undefined) return;
      const { store } = db;
      const u = await store.createUser({ name: 'alice', role: 'operator', groups: ['lab'], passwordHash: 'scrypt$x' });
      assert.deepEqual(u, { name: 'alice', role: 'operator', groups: ['lab'], passwordHash: 'scrypt$x', disabled: false, createdAt: c.now(), updatedAt: c.now() });
      await assert.rejects(store.createUser({ name: 'alice', role: 'viewer', passwordHash: 'h' }), { code: 'STATE_CONFLICT' });
      await assert.rejects(store.createUser({ name: 'bob', role: 'root' as 'admin', passwordHash: 'h' }), { code: 'STATE_INVALID' });
      await assert.rejects(store.createUser({ name: "bob'; DROP TABLE users; --", role: 'admin', passwordHash: 'h' }), { code: 'STATE_INVALID' });
      await store.createUser({ name: 'bob', role: 'viewer', passwordHash: 'h' });
      c.advance(7);
      const changed = await store.updateUser('alice', { role: 'admin', groups: [], disabled: true });
      assert.deepEqual([changed.role, changed.groups, changed.disabled, changed.passwordHash, changed.updatedAt], ['admin', [], true, 'scrypt$x', c.now()]);
      await assert.rejects(store.updateUser('nobody', { role: 'admin' }), { code: 'STATE_NOT_FOUND' });
      assert.deepEqual((await store.listUsers()).map((x) => x.name), ['alice', 'bob']);
      await store.createToken({ id: 't1', user: 'alice', hash: hashSecret('tok') });
      await store.createSession({ idHash: hashSecret('sid'), user: 'alice', expiresAt: c.now() + 1000, csrfSecret: 'c' });
      assert.equal(await store.deleteUser('alice'), true);
      assert.equal(await store.getUser('alice'), undefined);
      assert.equal(await store.findToken(hashSecret('tok')), undefined, 'tokens go with the user');
      assert.equal(await store.getSession(hashSecret('sid')), undefined, 'sessions go with the user');
      assert.equal(await store.deleteUser('alice'), false);
    });

    test('API tokens: found by hash only until expiry, touched, listed, deleted', async (t) => {
      const c = clock();
      const db = await backend.open(t, c.now);
      if (db === undefined) return;
      const { store } = db;
      await store.createUser({ name: 'ci', role: 'operator', passwordHash: 'h' });
      await store.createToken({ id: 'a', user: 'ci', hash: hashSecret('A'), label: 'jenkins', expiresAt: c.now() + 100 });
      await store.createToken({ id: 'b', user: 'ci', hash: hashSecret('B') });
      await assert.rejects(store.createToken({ id: 'c', user: 'ci', hash: hashSecret('B') }), { code: 'STATE_CONFLICT' });
      await assert.rejects(store.createToken({ id: 'd', user: 'ghost', hash: hashSecret('D') }), { code: 'STATE_NOT_FOUND' });
      assert.equal((await store.findToken(hashSecret('A')))?.label, 'jenkins');
      assert.equal(await store.findToken('A'), undefined, 'the token itself is not a key');
      c.advance(100);
      assert.equal(await store.findToken(hashSecret('A')), undefined, 'expired');
      await store.touchToken('b', c.now());
      assert.equal((await store.findToken(hashSecret('B')))?.lastUsedAt, c.now());
      assert.deepEqual((await store.listTokens('ci')).map((x) => x.id), ['a', 'b']);
      assert.equal(await store.deleteToken('a'), true);
      assert.deepEqual((await store.listTokens()).map((x) => x.id), ['b']);
    });

    test('sessions: stored by id hash with CSRF secret and data, expire, are updated and swept', async (t) => {
      const c = clock();
      const db = await backend.open(t, c.now);
      if (db === undefined) return;
      const { store } = db;
      await store.createUser({ name: 'alice', role: 'viewer', passwordHash: 'h' });
      const s = await store.createSession({ idHash: 'h1', user: 'alice', expiresAt: c.now() + 60_000, csrfSecret: 'csrf', data: { flash: 'hi' } });
      assert.deepEqual(s, { idHash: 'h1', user: 'alice', createdAt: c.now(), expiresAt: c.now() + 60_000, csrfSecret: 'csrf', data: { flash: 'hi' } });
      await store.createSession({ idHash: 'h2', user: 'alice', expiresAt: c.now() + 10, csrfSecret: 'x' });
      await assert.rejects(store.createSession({ idHash: 'h2', user: 'alice', expiresAt: c.now() + 10, csrfSecret: 'x' }), { code: 'STATE_CONFLICT' });
      assert.equal(await store.updateSession('h1', { data: { flash: null }, expiresAt: c.now() + 120_000 }), true);
      assert.deepEqual((await store.getSession('h1'))?.data, { flash: null });
      c.advance(11);
      assert.equal(await store.getSession('h2'), undefined);
      assert.equal(await store.deleteExpiredSessions(), 1);
      assert.equal(await store.deleteSession('h1'), true);
      assert.equal(await store.updateSession('h1', { expiresAt: 1 }), false);
    });

    test('audit log: appended with JSON detail, listed newest first, filtered and paged', async (t) => {
      const c = clock();
      const db = await backend.open(t, c.now);
      if (db === undefined) return;
      const { store } = db;
      for (let i = 0; i < 5; i++) {
        c.advance(1);
        await store.appendAudit({ actor: i % 2 ? 'bob' : 'alice', action: i < 4 ? 'host.arm' : 'user.create', target: `t${i}`, detail: { i }, remote: '192.0.2.1' });
      }
      const all = await store.listAudit();
      assert.deepEqual(all.map((e) => e.target), ['t4', 't3', 't2', 't1', 't0']);
      assert.deepEqual(all[0], { id: all[0]!.id, at: c.now(), actor: 'alice', action: 'user.create', target: 't4', detail: { i: 4 }, remote: '192.0.2.1' });
      assert.deepEqual((await store.listAudit({ actor: 'bob' })).map((e) => e.target), ['t3', 't1']);
      assert.deepEqual((await store.listAudit({ action: 'host.arm', limit: 2 })).map((e) => e.target), ['t3', 't2']);
      assert.deepEqual((await store.listAudit({ beforeId: all[1]!.id, limit: 2 })).map((e) => e.target), ['t2', 't1']);
      assert.deepEqual((await store.listAudit({ since: c.now() - 1 })).map((e) => e.target), ['t4', 't3']);
    });
  });
}
