/**
 * Console actions end to end over HTTP (serve --ui on loopback): an install that reports failure (through
 * the callback URL serve injected into the kickstart) shows its reason and log tail and offers Re-arm;
 * re-arming starts a new attempt (the old callback secret is refused from then on) and is audited as
 * re-arm; an admin rolls the tree back to the previous version and adds and deletes a user.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readCurrentManifest } from '../../src/index.ts';
import { Client, LAB_MAC, startConsole } from '../helpers/console.ts';

test('failure, re-arm, rollback and users through the console', async (t) => {
  const s = await startConsole(t);
  assert.ok(s);
  const op = new Client(s.base);
  assert.equal(await op.login('op'), 303);
  let token = await op.csrf(`/ui/hosts/${LAB_MAC}`);
  assert.equal((await op.request('POST', `/ui/hosts/${LAB_MAC}/arm`, { form: { _csrf: token, confirm: 'web01', once: '1' } })).status, 303);
  const ks = await (await fetch(`${s.base}/ks/${LAB_MAC}`)).text();
  const cb = /(\/cb\/52-54-00-13-00-01\/[0-9a-f]{64})\b/u.exec(ks)?.[1];
  assert.ok(cb, 'the kickstart carries its callback URL');
  assert.equal((await fetch(`${s.base}${cb}/failed`, { method: 'POST', body: 'reason: %pre failed\n\u001b[31mdisk <i>sda</i> missing\u001b[0m\n' })).status, 204);
  let page = await op.request('GET', `/ui/hosts/${LAB_MAC}`);
  assert.match(page.text, /<dd class="state">failed<\/dd>/u);
  assert.match(page.text, /<dd class="failure">%pre failed<\/dd>/u);
  assert.match(page.text, /disk &lt;i&gt;sda&lt;\/i&gt; missing/u, 'the log tail as text, escapes removed');
  assert.match(page.text, /<button type="submit" class="arm-button">Re-arm<\/button>/u);
  const before = await s.srv.store.getHost(LAB_MAC);

  token = Client.csrfOf(page.text);
  assert.equal((await op.request('POST', `/ui/hosts/${LAB_MAC}/arm`, { form: { _csrf: token, confirm: 'web01', once: '1' } })).status, 303);
  const after = await s.srv.store.getHost(LAB_MAC);
  assert.equal(after?.state, 'armed');
  assert.notEqual(after?.installId, before?.installId, 'a new install attempt');
  assert.equal((await fetch(`${s.base}${cb}/installed`, { method: 'POST' })).status, 403, "the old attempt's callbacks are refused");
  const [rearm] = await s.srv.store.listAudit({ action: 're-arm', target: LAB_MAC });
  assert.equal(rearm?.actor, 'op');

  const admin = new Client(s.base);
  assert.equal(await admin.login('admin'), 303);
  const version = (await readCurrentManifest(s.tftpRoot))?.version as number;
  token = await admin.csrf('/ui/profiles');
  assert.equal((await admin.request('POST', '/ui/rollback', { form: { _csrf: token, confirm: 'nope' } })).status, 400);
  assert.equal((await admin.request('POST', '/ui/rollback', { form: { _csrf: token, confirm: 'rollback' } })).status, 303);
  assert.equal((await readCurrentManifest(s.tftpRoot))?.version, version - 1, 'the previous version is served');
  assert.equal((await s.srv.store.listAudit({ action: 'rollback' }))[0]?.actor, 'admin');

  token = await admin.csrf('/ui/users');
  assert.equal((await admin.request('POST', '/ui/users', { form: { _csrf: token, name: 'carol', role: 'viewer', groups: 'lab, other', password: 'carol pw' } })).status, 303);
  assert.deepEqual((await s.srv.store.getUser('carol'))?.groups, ['lab', 'other']);
  const carol = new Client(s.base);
  assert.equal(await carol.login('carol', 'carol pw'), 303);
  page = await admin.request('GET', '/ui/users');
  assert.match(page.text, /<td>carol<\/td><td>viewer<\/td><td>lab, other<\/td>/u);
  assert.equal((await admin.request('POST', '/ui/users/carol/delete', { form: { _csrf: token, confirm: 'carol' } })).status, 303);
  assert.equal(await s.srv.store.getUser('carol'), undefined);
  assert.equal((await carol.request('GET', '/api/v1/hosts')).status, 401, "a deleted user's session ends");
});
