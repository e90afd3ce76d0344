/**
 * The release-specific syntax checks (lint kind `syntax`): the argparse-style
 * option reader over the derived tables, and the forms issue #15 lists as
 * missed or wrongly rejected before. The ksvalidator comparison over the
 * whole corpus is test/integration/ks-validator-agreement.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { failsValidator, lintKickstart, lintKickstartText, parseKickstart, type KickstartDialect } from '../../../src/index.ts';
import { normalizePath, parseArgv } from '../../../src/kickstart/syntax/argv.ts';
import { PARSERS, RELEASES } from '../../../src/kickstart/syntax/tables.ts';
import type { ParserSpec } from '../../../src/kickstart/syntax/types.ts';

function syntax(text: string, dialect: KickstartDialect): string[] {
  return lintKickstart(parseKickstart(text), { dialect }).filter((i) => i.kind === 'syntax').map((i) => `${i.line}:${i.severity}:${i.code}`);
}
function rejects(text: string, dialect: KickstartDialect): boolean {
  return failsValidator(lintKickstartText(text, { dialect }));
}

const PART: ParserSpec = PARSERS[RELEASES.rhel9.commands['part']?.class as string] as ParserSpec;

test('options: --name=value and --name value; an unambiguous prefix selects an option, an ambiguous one is an error', () => {
  assert.deepEqual(parseArgv(PART, ['/', '--size=100', '--fstype', 'xfs']).ns['size'], 100);
  assert.equal(parseArgv(PART, ['/', '--siz=100']).ns['size'], 100);
  assert.match(parseArgv(PART, ['/', '--f=xfs']).error ?? '', /^ambiguous option: --f=xfs could match /u);
  assert.equal(parseArgv(PART, ['/', '--size']).error, 'argument --size: expected one argument');
  assert.equal(parseArgv(PART, ['/', '--size=10G']).error, "argument --size: invalid int value: '10G'");
  assert.equal(parseArgv(PART, ['/', '--grow=yes']).error, "argument --grow: ignored explicit argument 'yes'");
  assert.equal(parseArgv(PART, ['--size=1']).error, 'the following arguments are required: mntpoint');
});

test('options: negative numbers and words after -- are positional; unknown options are left over', () => {
  assert.deepEqual(parseArgv(PART, ['/', '--size', '-1']).ns['size'], -1);
  assert.deepEqual(parseArgv(PART, ['--', '/']).ns['mntpoint'], ['/']);
  assert.deepEqual(parseArgv(PART, ['/', '--bogus', 'x']).extra, ['--bogus', 'x']);
});

test('mount points are normalised like os.path.normpath', () => {
  assert.deepEqual(['/home/', '/a/./b/../c', '//x', '/', 'swap'].map(normalizePath), ['/home', '/a/c', '//x', '/', 'swap']);
});

test('options a command does not have in a release: autopart --hibernation, %packages --ignorebroken on RHEL 9', () => {
  assert.deepEqual(syntax('autopart --hibernation\n', 'rhel9'), ['1:error:KS_UNKNOWN_OPTION']);
  assert.deepEqual(syntax('autopart --hibernation\n', 'fedora'), []);
  assert.deepEqual(syntax('%packages --ignorebroken\n%end\n', 'rhel9'), ['1:error:KS_PACKAGES_OPTION']);
  assert.deepEqual(syntax('%packages --ignorebroken\n%end\n', 'fedora'), []);
});

test('options a command does not have on RHEL 7: --luks-version, repo --metalink', () => {
  assert.deepEqual(syntax('part / --size=1 --encrypted --luks-version=luks2\n', 'rhel7'), ['1:error:KS_UNKNOWN_OPTION']);
  assert.deepEqual(syntax('part / --size=1 --encrypted --luks-version=luks2\n', 'rhel8'), []);
  assert.deepEqual(syntax('repo --name=x --metalink=http://m/\n', 'rhel7'), ['1:error:KS_UNKNOWN_OPTION']);
  assert.deepEqual(syntax('repo --name=x --metalink=http://m/\n', 'rhel8'), []);
});

test('removed commands and options in current Fedora are errors; deprecated ones warn', () => {
  assert.deepEqual(syntax('module --name=nodejs --stream=18\n', 'fedora'), ['1:error:KS_REMOVED_COMMAND']);
  assert.deepEqual(syntax('vnc\n', 'fedora'), ['1:error:KS_REMOVED_COMMAND']);
  assert.deepEqual(syntax('logging --level=debug\n', 'fedora'), ['1:error:KS_UNKNOWN_OPTION']);
  assert.deepEqual(syntax('logging --level=debug\n', 'rhel9'), ['1:warning:KS_DEPRECATED_OPTION']);
  assert.deepEqual(syntax('repo --name=x --baseurl=http://a/ --ignoregroups=true\n', 'rhel9'), ['1:warning:KS_DEPRECATED_OPTION']);
  assert.deepEqual(syntax('repo --name=x --baseurl=http://a/ --ignoregroups=true\n', 'fedora'), ['1:error:KS_UNKNOWN_OPTION']);
});

test('duplicate definitions are reported: the same user or network device twice', () => {
  assert.deepEqual(syntax('user --name=a\nuser --name=a\n', 'rhel9'), ['2:warning:KS_DUPLICATE']);
  assert.deepEqual(syntax('network --device=eth0\nnetwork --device=eth0 --mtu=9000\n', 'rhel9'), ['2:warning:KS_DUPLICATE']);
  assert.deepEqual(syntax('network --hostname=a\nnetwork --bootproto=dhcp\n', 'rhel9'), ['2:warning:KS_DUPLICATE']);
  assert.deepEqual(syntax('part swap --size=1\npart swap --size=1\n', 'rhel9'), []);
});

test('unknown and too-new commands: bootc on RHEL 9', () => {
  assert.deepEqual(syntax('bootc --source-imgref=registry:quay.io/x\n', 'rhel9'), ['1:error:KS_COMMAND_TOO_NEW']);
  assert.deepEqual(syntax('bootc --source-imgref=registry:quay.io/x\n', 'fedora'), []);
});

test('no longer rejected: image payloads without %packages, hmc as a source, %certificate, btrfs on Fedora, %pre-install on RHEL 6', () => {
  const base = 'lang en_US.UTF-8\ntimezone UTC --utc\nrootpw --lock\nautopart\nzerombr\nreboot\n';
  for (const payload of ['liveimg --url=http://a/img', 'ostreesetup --osname=x --url=http://a/repo --ref=r', 'ostreecontainer --url=quay.io/x']) {
    const issues = lintKickstart(parseKickstart(`${base}${payload}\n`), { dialect: 'rhel9' });
    assert.deepEqual(issues.filter((i) => i.severity === 'error').map((i) => i.code), [], payload);
  }
  const hmc = lintKickstart(parseKickstart(`${base}hmc\n%packages\n%end\n`), { dialect: 'rhel9' });
  assert.equal(hmc.some((i) => i.code === 'KS_NO_SOURCE'), false);
  const certificate = '%certificate --filename=a.pem --dir=/etc/pki\nMIIB\n%end\n';
  for (const d of ['rhel6', 'rhel7', 'rhel8', 'rhel9', 'rhel10', 'fedora'] as const) assert.deepEqual(syntax(certificate, d), [], d);
  assert.deepEqual(syntax('btrfs none --data=raid1 btrfs.01 btrfs.02\n', 'fedora'), []);
  assert.deepEqual(syntax('btrfs none --data=raid1 btrfs.01 btrfs.02\n', 'rhel9'), ['1:warning:KS_DEPRECATED_COMMAND']);
  assert.deepEqual(syntax('%pre-install\ntrue\n%end\n', 'rhel6'), []);
});

test('install gaps are their own kind and never change the validator verdict', () => {
  const issues = lintKickstart(parseKickstart('lang en_US.UTF-8\n'), { dialect: 'rhel9' });
  assert.ok(issues.some((i) => i.code === 'KS_NO_TIMEZONE' && i.kind === 'unattended' && i.severity === 'error'));
  assert.equal(failsValidator(issues), false);
  assert.equal(rejects("rootpw --iscrypted '$6$abc\n", 'rhel9'), true, 'an unclosed quote is a syntax error, not an exception');
  assert.equal(rejects('', 'rhel9'), true, 'ksvalidator rejects an empty file');
});
