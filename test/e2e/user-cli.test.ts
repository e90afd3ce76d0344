/**
 * `remaster user add|passwd|del` and `remaster token create` as users run them: the password comes from
 * standard input and is stored as a scrypt hash (never the password), the token is printed once as the
 * last line and stored as its SHA-256 only; the stored hash verifies the password, the token finds its user.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkUserPassword, hashSecret, openStore, userOfToken } from '../../src/index.ts';
import { runCli } from '../helpers/run-cli.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';

test('user add/passwd/del and token create through the CLI', async (t) => {
  const state = await tmpDir(t);
  const enc = (s: string) => new TextEncoder().encode(s);
  let r = await runCli(['user', 'add', 'alice', '--role', 'operator', '--group', 'lab', '--password-stdin', '--state', state], { input: enc('s3cret pass\n') });
  assert.equal(r.code, 0, r.stderr);
  r = await runCli(['user', 'add', 'alice', '--role', 'viewer', '--password-stdin', '--state', state], { input: enc('x\n') });
  assert.equal(r.code, 1, 'a second alice is refused');
  r = await runCli(['user', 'add', 'bob', '--role', 'root', '--password-stdin', '--state', state], { input: enc('x\n') });
  assert.equal(r.code, 2, 'a usage error');
  assert.match(r.stderr, /role must be one of admin, operator, viewer/u);
  r = await runCli(['token', 'create', 'alice', '--state', state]);
  assert.equal(r.code, 0, r.stderr);
  const token = r.stdout.trimEnd().split('\n').at(-1) as string;
  assert.match(token, /^rmt_[A-Za-z0-9_-]{43}$/u);

  let store = await openStore({ stateDir: state });
  try {
    const alice = await store.getUser('alice');
    assert.deepEqual([alice?.role, alice?.groups], ['operator', ['lab']]);
    assert.ok(!alice?.passwordHash.includes('s3cret'));
    assert.equal((await checkUserPassword(store, 'alice', 's3cret pass'))?.name, 'alice');
    assert.equal(await checkUserPassword(store, 'alice', 'wrong'), undefined);
    const [stored] = await store.listTokens('alice');
    assert.equal(stored?.hash, hashSecret(token));
    assert.equal((await userOfToken(store, token))?.name, 'alice');
  } finally {
    await store.close();
  }
  r = await runCli(['user', 'passwd', 'alice', '--password-stdin', '--state', state], { input: enc('new one\n') });
  assert.equal(r.code, 0, r.stderr);
  r = await runCli(['user', 'del', 'alice', '--state', state]);
  assert.equal(r.code, 0, r.stderr);
  store = await openStore({ stateDir: state });
  try {
    assert.equal(await store.getUser('alice'), undefined);
    assert.equal(await userOfToken(store, token), undefined, 'the token went with its user');
  } finally {
    await store.close();
  }
  r = await runCli(['user', 'del', 'alice', '--state', state]);
  assert.equal(r.code, 1);
});
