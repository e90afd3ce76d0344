/**
 * Attacks on the web console and its API at the HTTP level (serve --ui on loopback): a viewer arming a
 * host, an operator acting on another group's host by page or API, a forged request without the CSRF
 * token, password guessing, a stolen cookie after logout, no or wrong credentials. Each refusal is
 * checked for its effect too: the published tree (what boots) is unchanged — same version, no host armed.
 * Runs on SQLite and on PostgreSQL.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { readCurrentManifest } from '../../src/index.ts';
import { Client, LAB_MAC, OTHER_MAC, startConsole, type ConsoleSetup } from '../helpers/console.ts';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function treeOf(s: ConsoleSetup): Promise<{ version: number; armed: string[] }> {
  const m = await readCurrentManifest(s.tftpRoot);
  assert.ok(m);
  return { version: m.version, armed: m.model.hosts.map((h) => h.mac) };
}

async function suite(t: TestContext, pg: boolean): Promise<void> {
  const s = await startConsole(t, { pg });
  if (s === undefined) return;
  const before = await treeOf(s);
  assert.deepEqual(before.armed, []);
  const unchanged = async () => assert.deepEqual(await treeOf(s), before, 'the published tree did not change');

  await t.test('no credentials: API 401, pages redirect to the login form', async () => {
    const c = new Client(s.base);
    assert.equal((await c.request('GET', '/api/v1/hosts')).status, 401);
    assert.equal((await c.request('POST', `/api/v1/hosts/${LAB_MAC}/arm`, { json: {} })).status, 401);
    assert.equal((await c.request('GET', '/api/v1/hosts', { headers: bearer('rmt_not-a-token') })).status, 401);
    const page = await c.request('GET', `/ui/hosts/${LAB_MAC}`);
    assert.equal(page.status, 303);
    assert.equal(page.headers.get('location'), '/ui/login');
    assert.equal((await c.request('POST', `/ui/hosts/${LAB_MAC}/arm`, { form: { confirm: 'web01' } })).status, 303);
    await unchanged();
  });

  await t.test('headers: CSP without inline script, HttpOnly SameSite=Strict cookies', async () => {
    const c = new Client(s.base);
    const r = await c.request('GET', '/ui/login');
    const csp = r.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'/u);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/u);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    const token = Client.csrfOf(r.text);
    const login = await fetch(`${s.base}/ui/login`, {
      method: 'POST', redirect: 'manual', body: new URLSearchParams({ _csrf: token, username: 'viewer', password: 'correct horse battery' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    assert.equal(login.status, 303);
    const cookies = [...r.headers.getSetCookie(), ...login.headers.getSetCookie()];
    assert.ok(cookies.some((x) => x.startsWith('remaster_session=')), 'a session cookie');
    for (const x of cookies) {
      assert.match(x, /HttpOnly/iu, x);
      assert.match(x, /SameSite=Strict/iu, x);
    }
    assert.match(cookies.find((x) => x.startsWith('remaster_session=')) as string, /Expires=|Max-Age=/iu, 'the session expires');
  });

  await t.test('a viewer cannot arm: page POST and API POST are 403', async () => {
    const c = new Client(s.base);
    assert.equal(await c.login('viewer'), 303);
    const page = await c.request('GET', `/ui/hosts/${LAB_MAC}`);
    assert.equal(page.status, 200, 'the viewer reads its group');
    assert.doesNotMatch(page.text, /action="[^"]*\/arm"/u, 'no arm form for a viewer');
    const token = Client.csrfOf(page.text);
    assert.equal((await c.request('POST', `/ui/hosts/${LAB_MAC}/arm`, { form: { _csrf: token, confirm: 'web01', once: '1' } })).status, 403);
    assert.equal((await c.request('POST', `/api/v1/hosts/${LAB_MAC}/arm`, { json: {}, headers: { 'x-csrf-token': token } })).status, 403);
    assert.equal((await c.request('POST', `/api/v1/hosts/${LAB_MAC}/arm`, { json: {}, headers: bearer(s.tokens.viewer) })).status, 403);
    assert.equal((await c.request('POST', `/ui/hosts/${LAB_MAC}/disarm`, { form: { _csrf: token } })).status, 403);
    assert.equal((await c.request('POST', '/ui/rollback', { form: { _csrf: token, confirm: 'rollback' } })).status, 403);
    assert.equal((await c.request('GET', '/ui/users')).status, 403, 'users page is admin only');
    await unchanged();
  });

  await t.test("an operator cannot see or act on another group's host, by page or API", async () => {
    const c = new Client(s.base);
    assert.equal(await c.login('op'), 303);
    assert.equal((await c.request('GET', `/ui/hosts/${OTHER_MAC}`)).status, 403);
    const token = await c.csrf('/ui/hosts');
    assert.equal((await c.request('POST', `/ui/hosts/${OTHER_MAC}/arm`, { form: { _csrf: token, confirm: 'db01', once: '1' } })).status, 403);
    assert.equal((await c.request('GET', `/api/v1/hosts/${OTHER_MAC}`, { headers: bearer(s.tokens.op) })).status, 403);
    assert.equal((await c.request('POST', `/api/v1/hosts/${OTHER_MAC}/arm`, { json: {}, headers: bearer(s.tokens.op) })).status, 403);
    assert.equal((await c.request('POST', `/api/v1/hosts/${OTHER_MAC}/disarm`, { json: {}, headers: bearer(s.tokens.op) })).status, 403);
    const listed = JSON.parse((await c.request('GET', '/api/v1/hosts', { headers: bearer(s.tokens.op) })).text) as { mac: string }[];
    assert.deepEqual(listed.map((h) => h.mac), [LAB_MAC], 'the list holds its own group only');
    const hostsPage = (await c.request('GET', '/ui/hosts')).text;
    assert.ok(hostsPage.includes(LAB_MAC) && !hostsPage.includes(OTHER_MAC));
    assert.equal((await c.request('POST', '/ui/hosts', { form: { _csrf: token, mac: '52:54:00:13:00:09', group: 'other' } })).status, 403, 'nor register into it');
    await unchanged();
  });

  await t.test('a state-changing request without the CSRF token is refused (403)', async () => {
    const c = new Client(s.base);
    assert.equal(await c.login('op'), 303);
    assert.equal((await c.request('POST', `/ui/hosts/${LAB_MAC}/arm`, { form: { confirm: 'web01', once: '1' } })).status, 403);
    assert.equal((await c.request('POST', `/ui/hosts/${LAB_MAC}/arm`, { form: { _csrf: 'forged', confirm: 'web01', once: '1' } })).status, 403);
    assert.equal((await c.request('POST', `/api/v1/hosts/${LAB_MAC}/arm`, { json: {} })).status, 403, 'cookie-authenticated API calls need it too');
    assert.equal((await c.request('POST', '/ui/logout', { form: {} })).status, 403);
    await unchanged();
  });

  await t.test('arming the wrong name is refused; the right one arms through the library and is audited', async () => {
    const c = new Client(s.base);
    assert.equal(await c.login('op'), 303);
    const token = await c.csrf(`/ui/hosts/${LAB_MAC}`);
    assert.equal((await c.request('POST', `/ui/hosts/${LAB_MAC}/arm`, { form: { _csrf: token, confirm: 'web02', once: '1' } })).status, 400);
    await unchanged();
    assert.equal((await c.request('POST', `/ui/hosts/${LAB_MAC}/arm`, { form: { _csrf: token, confirm: 'web01', once: '1' } })).status, 303);
    const after = await treeOf(s);
    assert.equal(after.version, before.version + 1);
    assert.deepEqual(after.armed, [LAB_MAC]);
    assert.equal((await s.srv.store.getHost(LAB_MAC))?.state, 'armed');
    const [entry] = await s.srv.store.listAudit({ action: 'arm', target: LAB_MAC });
    assert.equal(entry?.actor, 'op');
    assert.match(entry?.remote ?? '', /127\.0\.0\.1/u);
    // the operator's bearer token disarms (no CSRF for bearer)
    assert.equal((await c.request('POST', `/api/v1/hosts/${LAB_MAC}/disarm`, { json: {}, headers: bearer(s.tokens.op) })).status, 200);
    assert.deepEqual((await treeOf(s)).armed, []);
    assert.equal((await s.srv.store.listAudit({ action: 'disarm', target: LAB_MAC }))[0]?.actor, 'op');
    assert.equal((await s.srv.store.getHost(LAB_MAC))?.state, 'disarmed');
    assert.match((await c.request('GET', `/ui/hosts/${LAB_MAC}`)).text, /<progress max="9" value="0"/u, 'disarmed before installing: an empty bar');
  });

  await t.test('after 10 bad passwords the login is rate-limited (429), even for the right one', async () => {
    const c = new Client(s.base);
    for (let i = 0; i < 10; i++) assert.equal(await c.login('admin', `guess ${i}`), 401, `attempt ${i + 1}`);
    assert.equal(await c.login('admin'), 429);
    assert.equal((await s.srv.store.listAudit({ action: 'login-failed', actor: 'admin' })).length, 10);
  });

  await t.test('logging out ends the session: the old cookie no longer works', async () => {
    const c = new Client(s.base);
    assert.equal(await c.login('viewer'), 303);
    assert.equal((await c.request('GET', '/api/v1/hosts')).status, 200, 'the session reads the API');
    const stolen = new Map(c.cookies);
    const token = await c.csrf('/ui/hosts');
    assert.equal((await c.request('POST', '/ui/logout', { form: { _csrf: token } })).status, 303);
    const replay = new Client(s.base);
    for (const [k, v] of stolen) replay.cookies.set(k, v);
    assert.equal((await replay.request('GET', '/api/v1/hosts')).status, 401);
    assert.equal((await replay.request('GET', '/ui/hosts')).status, 303);
  });
}

test('console authorization on SQLite', (t) => suite(t, false));
test('console authorization on PostgreSQL', (t) => suite(t, true));
