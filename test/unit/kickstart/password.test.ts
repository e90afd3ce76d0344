/** SHA-512 crypt against openssl/mkpasswd, and securePasswords() rewriting plaintext passwords. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { hashPassword, lintKickstart, parseKickstart, renderKickstart, securePasswords, type Warning } from '../../../src/index.ts';
import { hasTool, requireTool } from '../../helpers/tools.ts';

function openssl(password: string, salt: string): string {
  const r = spawnSync('openssl', ['passwd', '-6', '-salt', salt, password], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

const CASES: [string, string][] = [
  ['secret', 'saltsaltsaltsalt'], ['changeme', 'ab'], ['pässwörd✓', 'nonAsciiSalt'], ['密码 with spaces', 'x./Z09'],
  ['a-very-long-password-that-is-longer-than-sixty-four-bytes-to-cover-the-block-boundary!!', 'longPw'],
];

test('hashPassword equals openssl passwd -6 for the same salt, including non-ASCII passwords', (t) => {
  if (!requireTool(t, 'openssl')) return;
  for (const [password, salt] of CASES) assert.equal(hashPassword(password, { salt }), openssl(password, salt), `${password} / ${salt}`);
});

test('salts are cut to 16 characters as crypt(5) does; rounds are written only when given and clamped', (t) => {
  if (!requireTool(t, 'openssl')) return;
  assert.equal(hashPassword('x', { salt: 'saltsaltsaltsaltEXTRA' }), openssl('x', 'saltsaltsaltsaltEXTRA'));
  assert.equal(
    hashPassword('secret', { salt: 'abcdefgh', rounds: 10000 }),
    '$6$rounds=10000$abcdefgh$dtkgtX8ow6kub/Iulo6m6YRiWBlfmJEeDmTXbQPwlPu6qBjkZV2Ix8CeH0sE3NMp3Sq63bHshmKLBUGe7mWYy/',
  );
  assert.match(hashPassword('x', { salt: 'abc', rounds: 10 }), /^\$6\$rounds=1000\$abc\$/u);
  assert.throws(() => hashPassword('x', { salt: 'bad$salt' }), /salt must be/u);
});

test('hashPassword matches mkpasswd -m sha-512 when whois is installed', (t) => {
  if (!hasTool('mkpasswd')) {
    t.skip('mkpasswd (Debian whois) not installed; openssl covers the same check');
    return;
  }
  const r = spawnSync('mkpasswd', ['-m', 'sha-512', '-S', 'saltsaltsaltsalt', 'pässwörd'], { encoding: 'utf8' });
  assert.equal(hashPassword('pässwörd', { salt: 'saltsaltsaltsalt' }), r.stdout.trim());
});

test('a random salt is 16 crypt characters and differs between calls', () => {
  const a = hashPassword('x');
  assert.match(a, /^\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/u);
  assert.notEqual(a, hashPassword('x'));
});

test('securePasswords hashes rootpw and user passwords with one warning each and keeps other options', (t) => {
  const text = 'rootpw --plaintext hunter2 --allow-ssh\nrootpw hunter2\nuser --name=ops --password=opspass --groups=wheel\nuser --name=x --password pw2 --plaintext\nrootpw --iscrypted $6$keep$me\nrootpw --lock\n';
  const warnings: Warning[] = [];
  const ks = securePasswords(parseKickstart(text, { file: 'ks.cfg' }), { salt: 'fixedSalt', onWarning: (w) => warnings.push(w) });
  const lines = renderKickstart(ks).split('\n');
  const h = (pw: string) => hashPassword(pw, { salt: 'fixedSalt' });
  assert.deepEqual(lines, [
    `rootpw --iscrypted '${h('hunter2')}' --allow-ssh`,
    `rootpw --iscrypted '${h('hunter2')}'`,
    `user --name=ops --password='${h('opspass')}' --groups=wheel --iscrypted`,
    `user --name=x --password='${h('pw2')}' --iscrypted`,
    'rootpw --iscrypted $6$keep$me',
    'rootpw --lock',
    '',
  ]);
  assert.deepEqual(warnings.map((w) => w.line), [1, 2, 3, 4]);
  assert.match(warnings[0]?.message ?? '', /^ks\.cfg:1: rootpw: plaintext password replaced by a SHA-512 crypt hash/u);
  assert.deepEqual(lintKickstart(ks, { dialect: 'rhel9', unattended: false }), []);
  if (requireTool(t, 'openssl')) assert.equal(h('hunter2'), openssl('hunter2', 'fixedSalt'));
});

test('securePasswords with strict throws instead of warning', () => {
  assert.throws(() => securePasswords(parseKickstart('rootpw x\n'), { strict: true }), /plaintext password replaced/u);
});
