/** parseKickstart/renderKickstart: every line kept, byte-exact round trips, dialect-aware %end. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isRemasterError, parseKickstart, renderKickstart, type KickstartCommand, type KickstartSection } from '../../../src/index.ts';
import { FIXTURES, readFixture } from './fixtures.ts';

for (const [name, dialect] of Object.entries(FIXTURES)) {
  test(`renders ${name}.ks back byte for byte, with and without its dialect`, async () => {
    const text = await readFixture(`${name}.ks`);
    const ks = parseKickstart(text, { file: `${name}.ks` });
    assert.equal(renderKickstart(ks), text);
    if (!name.includes('mistakes') && !name.includes('from-rhel6')) assert.equal(renderKickstart(ks, { dialect }), text);
  });
}

test('models sections with options, bodies and %end, and commands with unquoted args', async () => {
  const ks = parseKickstart(await readFixture('rhel7.ks'));
  const sections = ks.nodes.filter((n): n is KickstartSection => n.kind === 'section');
  assert.deepEqual(sections.map((s) => [s.name, s.args]), [
    ['packages', []], ['addon', ['com_redhat_kdump', '--enable', '--reserve-mb=auto']], ['anaconda', []],
    ['post', ['--nochroot', '--log=/mnt/sysimage/root/ks-post-nochroot.log']], ['post', ['--log=/root/ks-post.log', '--erroronfail']],
  ]);
  assert.equal(sections[0]?.body, '@^minimal\n@core\nchrony\nkexec-tools\n');
  assert.ok(sections.every((s) => s.end !== undefined));
  const keyboard = ks.nodes.find((n): n is KickstartCommand => n.kind === 'command' && n.name === 'keyboard');
  assert.deepEqual(keyboard?.args, ['--vckeymap=us', '--xlayouts=us']);
  assert.equal(keyboard?.line, 8);
  assert.equal(ks.nodes[0]?.kind, 'comment');
});

test('without %end a section runs to the next section header (RHEL 5, kickseed)', async () => {
  const ks = parseKickstart(await readFixture('rhel5.ks'));
  const sections = ks.nodes.filter((n): n is KickstartSection => n.kind === 'section');
  assert.deepEqual(sections.map((s) => [s.name, s.line, s.end]), [['packages', 24], ['post', 30]].map(([n, l]) => [n, l, undefined]));
  assert.equal(sections[0]?.body, '@base\n@core\nntp\n-sendmail\n\n');
});

test('notes %include and %ksappend without following them, and a stray %end', () => {
  const ks = parseKickstart('%include /tmp/part-include\n%ksappend http://x/common.ks\n%end\n');
  assert.deepEqual(ks.nodes.map((n) => [n.kind, n.kind === 'include' ? n.path : '']), [
    ['include', '/tmp/part-include'], ['include', 'http://x/common.ks'], ['stray-end', ''],
  ]);
});

test('joins backslash-continued command lines into one command and keeps a trailing comment', () => {
  const text = 'network --bootproto=static \\\n  --ip=10.0.0.2 --netmask=255.255.255.0  # lab\nreboot\n';
  const ks = parseKickstart(text);
  const [network, reboot] = ks.nodes as [KickstartCommand, KickstartCommand];
  assert.deepEqual(network.args, ['--bootproto=static', '--ip=10.0.0.2', '--netmask=255.255.255.0']);
  assert.equal(network.comment, '  # lab');
  assert.equal(reboot.line, 3);
  assert.equal(renderKickstart(ks), text);
  assert.equal(renderKickstart(ks, { dialect: 'rhel9' }), 'network --bootproto=static --ip=10.0.0.2 --netmask=255.255.255.0  # lab\nreboot\n');
});

test('keeps CRLF line ends, a missing final newline and non-ASCII text', () => {
  const text = '# Überblick\r\nlang de_DE.UTF-8\r\n%post\r\necho grüß\r\n%end';
  const ks = parseKickstart(text);
  assert.equal(ks.eol, '\r\n');
  assert.equal(renderKickstart(ks), text);
  assert.equal(renderKickstart(ks, { dialect: 'rhel5' }), '# Überblick\r\nlang de_DE.UTF-8\r\n%post\r\necho grüß\r\n');
});

test('the ubuntu and rhel5 dialects drop every %end and move stranded commands before the sections', async () => {
  const ks = parseKickstart(await readFixture('ubuntu-from-rhel6.ks'));
  const out = renderKickstart(ks, { dialect: 'ubuntu' });
  assert.doesNotMatch(out, /^%end/mu);
  assert.ok(out.indexOf('reboot') < out.indexOf('%packages'));
  assert.equal(renderKickstart(parseKickstart(out), { dialect: 'ubuntu' }), out);
});

test('rhel6, rhel7+ and fedora add a missing %end before the blank lines that follow a section', async () => {
  const ks = parseKickstart(await readFixture('rhel5.ks'));
  for (const dialect of ['rhel6', 'rhel7', 'rhel9', 'fedora'] as const) {
    const out = renderKickstart(ks, { dialect });
    assert.match(out, /-sendmail\n%end\n\n%post --log=\/root\/ks-post.log\n/u);
    assert.ok(out.endsWith('/etc/hosts\n%end\n'));
  }
});

test('an unclosed quote is a KICKSTART_SYNTAX error with file and line', () => {
  assert.throws(() => parseKickstart('lang en_US\nbootloader --append="quiet\n', { file: 'ks.cfg' }), (err: unknown) => {
    assert.ok(isRemasterError(err, 'KICKSTART_SYNTAX'));
    assert.equal(err.message, 'ks.cfg:2: unterminated double quote [KICKSTART_SYNTAX]');
    return true;
  });
});
