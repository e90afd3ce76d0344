/**
 * lintKickstart: golden results per fixture (fixtures/kickstart/<name>.lint.json,
 * regenerate with UPDATE_GOLDEN=1 and review the diff) and one test per rule.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { commandStatus, lintBootArgs, lintKickstart, parseKickstart, type KickstartDialect, type LintIssue } from '../../../src/index.ts';
import { FIXTURE_DIR, FIXTURES, readFixture } from './fixtures.ts';

for (const [name, dialect] of Object.entries(FIXTURES)) {
  test(`lint of ${name}.ks for ${dialect} matches ${name}.lint.json`, async () => {
    const issues = lintKickstart(parseKickstart(await readFixture(`${name}.ks`)), { dialect });
    const actual = `${JSON.stringify({ dialect, issues }, null, 2)}\n`;
    if (process.env.UPDATE_GOLDEN === '1') await writeFile(new URL(`${name}.lint.json`, FIXTURE_DIR), actual);
    assert.equal(actual, await readFixture(`${name}.lint.json`));
    for (const issue of issues) assert.ok(Number.isInteger(issue.line) && issue.line >= 1, `${issue.code} has a 1-based line`);
  });
}

const COMPLETE = [
  'lang en_US.UTF-8', 'keyboard us', 'timezone Etc/UTC --utc', "rootpw --iscrypted '$6$abc$x'", 'url --url=http://10.0.0.5/os/',
  'zerombr', 'clearpart --all', 'autopart', 'reboot', '%packages', '@core', '%end', '',
].join('\n');

function lint(text: string, dialect: KickstartDialect, extra: { strict?: boolean; bootArgs?: string } = {}): LintIssue[] {
  return lintKickstart(parseKickstart(text), { dialect, ...extra });
}
function codes(issues: readonly LintIssue[]): string[] {
  return issues.map((i) => `${i.line}:${i.severity}:${i.code}`);
}

test('a complete kickstart is clean on rhel7 and fedora; rhel8+ wants an AppStream repo for url installs', () => {
  assert.deepEqual(codes(lint(COMPLETE, 'rhel7')), []);
  assert.deepEqual(codes(lint(COMPLETE, 'fedora')), []);
  assert.deepEqual(codes(lint(COMPLETE, 'rhel8')), ['5:warning:KS_NO_APPSTREAM']);
});

test('%end: fatal when missing on rhel7+, a warning on rhel6, an error when present on rhel5 and ubuntu', () => {
  const text = COMPLETE.replace('%end\n', '').replace('rootpw', 'rootpw').concat('');
  assert.deepEqual(codes(lint(text, 'rhel9')).filter((c) => c.includes('END')), ['10:error:KS_MISSING_END']);
  assert.deepEqual(codes(lint(text, 'rhel6')).filter((c) => c.includes('END')), ['10:warning:KS_MISSING_END']);
  assert.deepEqual(codes(lint(COMPLETE, 'rhel5')).filter((c) => c.includes('END')), ['12:error:KS_END_NOT_SUPPORTED']);
  assert.deepEqual(codes(lint(COMPLETE, 'ubuntu')).filter((c) => c.includes('END')), ['12:error:KS_END_NOT_SUPPORTED']);
});

test('plaintext rootpw is a warning, an error under a strict policy; a bad crypt prefix is an error', () => {
  const plain = COMPLETE.replace("rootpw --iscrypted '$6$abc$x'", 'rootpw --plaintext secret');
  assert.deepEqual(codes(lint(plain, 'rhel9')), ['4:warning:KS_PLAINTEXT_PASSWORD', '5:warning:KS_NO_APPSTREAM']);
  assert.deepEqual(codes(lint(plain, 'rhel7', { strict: true })), ['4:error:KS_PLAINTEXT_PASSWORD']);
  const bad = COMPLETE.replace("'$6$abc$x'", 'secret');
  assert.deepEqual(codes(lint(bad, 'rhel7')), ['4:error:KS_BAD_CRYPT']);
});

test('timezone: missing stalls the install; without --utc a warning; --isUtc and --ntpservers are deprecated from F32/F33 (RHEL 9)', () => {
  assert.deepEqual(codes(lint(COMPLETE.replace('timezone Etc/UTC --utc\n', ''), 'rhel7')), ['1:error:KS_NO_TIMEZONE']);
  assert.deepEqual(codes(lint(COMPLETE.replace(' --utc', ''), 'rhel7')), ['3:warning:KS_TIMEZONE_NO_UTC']);
  const old = COMPLETE.replace('--utc', '--isUtc --ntpservers=ntp.example.com');
  assert.deepEqual(codes(lint(old, 'rhel7')), []);
  assert.deepEqual(codes(lint(old, 'rhel9')).filter((c) => !c.includes('APPSTREAM')), ['3:warning:KS_DEPRECATED_OPTION', '3:warning:KS_DEPRECATED_OPTION']);
  assert.deepEqual(codes(lint(old, 'fedora')), ['3:warning:KS_DEPRECATED_OPTION', '3:warning:KS_DEPRECATED_OPTION']);
});

test('no storage, no source and no completion command are reported on line 1', () => {
  const bare = 'lang en_US.UTF-8\ntimezone Etc/UTC --utc\nrootpw --iscrypted $6$a$b\n%packages\n@core\n%end\n';
  assert.deepEqual(codes(lint(bare, 'rhel7')), ['1:error:KS_NO_STORAGE', '1:error:KS_NO_SOURCE', '1:warning:KS_NO_COMPLETION']);
  assert.deepEqual(codes(lint(bare, 'rhel7', { bootArgs: 'inst.repo=http://x/os ip=dhcp' })).includes('1:error:KS_NO_SOURCE'), false);
  assert.deepEqual(codes(lint(`%include /tmp/part\n${bare}`, 'rhel7')).slice(0, 2), ['1:warning:KS_NO_STORAGE', '1:warning:KS_NO_SOURCE']);
});

test('a wheel user replaces rootpw from RHEL 7 only', () => {
  const admin = COMPLETE.replace("rootpw --iscrypted '$6$abc$x'", "user --name=a --groups=wheel --iscrypted --password='$6$s$h'");
  assert.deepEqual(codes(lint(admin, 'rhel7')), []);
  assert.deepEqual(codes(lint(admin, 'rhel6')), ['1:error:KS_NO_ROOT_PASSWORD']);
});

test('unknown commands are errors with a suggestion; kickseed only warns', () => {
  const typo = `${COMPLETE}`.replace('autopart', 'autopart\nclearprat --all');
  const [issue] = lint(typo, 'rhel9').filter((i) => i.code === 'KS_UNKNOWN_COMMAND');
  assert.equal(issue?.message, 'unknown command "clearprat" (did you mean "clearpart"?)');
  assert.equal(issue?.severity, 'error');
  assert.equal(lint(typo, 'ubuntu').find((i) => i.code === 'KS_UNKNOWN_COMMAND')?.severity, 'warning');
});

test('command tables follow reference 06 §4 and carry forward', () => {
  const table: [string, KickstartDialect, string][] = [
    ['mouse', 'rhel5', 'deprecated'], ['mouse', 'rhel6', 'removed'], ['mouse', 'rhel9', 'removed'], ['monitor', 'rhel6', 'deprecated'],
    ['upgrade', 'rhel7', 'deprecated'], ['install', 'rhel7', 'ok'], ['install', 'rhel8', 'deprecated'], ['install', 'rhel9', 'removed'],
    ['btrfs', 'rhel9', 'deprecated'], ['btrfs', 'rhel10', 'removed'], ['auth', 'rhel10', 'removed'], ['vnc', 'rhel10', 'deprecated'],
    ['authselect', 'rhel7', 'too-new'], ['authselect', 'rhel8', 'ok'], ['timesource', 'rhel8', 'too-new'], ['liveimg', 'rhel6', 'too-new'],
    ['rdp', 'rhel9', 'too-new'], ['preseed', 'ubuntu', 'ok'], ['liveimg', 'ubuntu', 'unknown'], ['nvdimm', 'fedora', 'removed'],
  ];
  for (const [name, dialect, status] of table) assert.equal(commandStatus(name, dialect), status, `${name} on ${dialect}`);
});

test('sections and script options are checked per dialect: every anaconda release parses every section, kickseed three', () => {
  const text = `${COMPLETE}%pre-install\ntrue\n%end\n%onerror --erroronfail\ntrue\n%end\n%post --log=/root/x\ntrue\n%end\n%bogus\n%end\n`;
  assert.deepEqual(codes(lint(text, 'rhel6')).filter((c) => !c.includes('END')), ['22:error:KS_UNKNOWN_SECTION']);
  assert.deepEqual(codes(lint(text, 'ubuntu')).filter((c) => c.includes('SECTION') || c.includes('OPTION')), [
    '13:error:KS_SECTION_NOT_SUPPORTED', '16:error:KS_SECTION_NOT_SUPPORTED', '19:error:KS_SCRIPT_OPTION', '22:error:KS_UNKNOWN_SECTION',
  ]);
});

test('a backslash-continued command is flagged: installers read one line per command', () => {
  const text = COMPLETE.replace('autopart', 'autopart \\\n  --type=lvm');
  assert.deepEqual(codes(lint(text, 'rhel9')).filter((c) => c.includes('CONT')), ['8:error:KS_LINE_CONTINUATION']);
});

test('boot lines: ks= is ignored from RHEL 9, deprecated on 7/8, inst.ks= unknown on 5/6, repeated inst.ks= warns', () => {
  assert.deepEqual(codes(lintBootArgs('ks=http://x/ks.cfg ip=dhcp', { dialect: 'rhel9', line: 4 })), ['4:error:KS_BOOT_KS_PREFIX']);
  assert.deepEqual(codes(lintBootArgs('ks=http://x/ks.cfg', { dialect: 'rhel7' })), ['1:warning:KS_BOOT_KS_PREFIX']);
  assert.deepEqual(codes(lintBootArgs('inst.ks=http://x/ks.cfg', { dialect: 'rhel6' })), ['1:error:KS_BOOT_KS_PREFIX']);
  assert.deepEqual(codes(lintBootArgs('inst.ks=http://a/ks inst.ks=http://b/ks', { dialect: 'rhel9' })), ['1:warning:KS_BOOT_KS_MULTIPLE']);
  assert.deepEqual(codes(lintBootArgs('inst.ks=http://a/ks inst.ks=http://b/ks inst.ks.all', { dialect: 'rhel9' })), []);
});
