import assert from 'node:assert/strict';
import { scryptSync } from 'node:crypto';
import { test } from 'node:test';
import { hashSecret, hashUserPassword, newSecret, secretMatches, verifyUserPassword } from '../../../src/state/password.ts';

const FAST = { N: 1024, r: 8, p: 1 };

test('a password hash names scrypt and its parameters, uses a fresh salt and verifies only the right password', async () => {
  const a = await hashUserPassword('correct horse', FAST);
  const b = await hashUserPassword('correct horse', FAST);
  assert.match(a, /^scrypt\$1024\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
  assert.notEqual(a, b, 'per-user salt');
  assert.equal(await verifyUserPassword('correct horse', a), true);
  assert.equal(await verifyUserPassword('correct horsE', a), false);
  assert.equal(await verifyUserPassword('', a), false);
});

test('the stored hash is plain scrypt: node:crypto scryptSync with the stored salt reproduces it', async () => {
  const stored = await hashUserPassword('pässword', FAST);
  const [, N, r, p, salt, key] = stored.split('$');
  const again = scryptSync('pässword'.normalize('NFC'), Buffer.from(salt!, 'base64url'), 32, { N: Number(N), r: Number(r), p: Number(p) });
  assert.equal(again.toString('base64url'), key);
});

test('the default cost is N=2^15, r=8, p=1', async () => {
  assert.match(await hashUserPassword('x'), /^scrypt\$32768\$8\$1\$/);
});

test('malformed or hostile stored hashes never verify and never allocate absurd memory', async () => {
  const good = await hashUserPassword('pw', FAST);
  const parts = good.split('$');
  for (const bad of ['', 'plain', `bcrypt$${parts.slice(1).join('$')}`, good.replace('$1024$', '$1000$'), good.replace('$1024$', `$${2 ** 30}$`), good.replace(/\$[^$]+$/, '$AAAA')]) {
    assert.equal(await verifyUserPassword('pw', bad), false, bad);
  }
  await assert.rejects(hashUserPassword(''), { code: 'STATE_INVALID' });
});

test('secrets are 256-bit base64url; only their SHA-256 is compared', () => {
  const s = newSecret();
  assert.match(s, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(newSecret(), s);
  assert.equal(hashSecret('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.equal(secretMatches(s, hashSecret(s)), true);
  assert.equal(secretMatches(`${s}x`, hashSecret(s)), false);
  assert.equal(secretMatches(s, 'short'), false);
});
