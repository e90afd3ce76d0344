/** injectScript header formats and dialect checks; renderTemplate variables. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { injectScript, isRemasterError, parseKickstart, renderKickstart, renderTemplate, templateVariables } from '../../../src/index.ts';

const BASE = parseKickstart('lang en_US.UTF-8\n%post\necho first\n%end\n');

test('formats a %post header as --nochroot --log= --interpreter= --erroronfail and appends it after the existing %post', () => {
  const ks = injectScript(BASE, {
    section: 'post', body: 'cp /etc/resolv.conf /mnt/sysimage/etc/', nochroot: true, log: '/mnt/sysimage/root/ks-post.log', interpreter: '/usr/bin/bash', erroronfail: true, dialect: 'rhel9',
  });
  assert.equal(renderKickstart(ks, { dialect: 'rhel9' }), [
    'lang en_US.UTF-8', '%post', 'echo first', '%end',
    '%post --nochroot --log=/mnt/sysimage/root/ks-post.log --interpreter=/usr/bin/bash --erroronfail', 'cp /etc/resolv.conf /mnt/sysimage/etc/', '%end', '',
  ].join('\n'));
  assert.equal(renderKickstart(BASE), 'lang en_US.UTF-8\n%post\necho first\n%end\n', 'the input model is not changed');
});

test('position first puts the script before the first section of its type', () => {
  const ks = injectScript(BASE, { section: 'post', body: 'echo zeroth\n', position: 'first' });
  assert.equal(renderKickstart(ks), 'lang en_US.UTF-8\n%post\necho zeroth\n%end\n%post\necho first\n%end\n');
});

test('the ubuntu dialect gets no %end and accepts only --interpreter and --nochroot', () => {
  const ks = injectScript(parseKickstart('lang en_US\n'), { section: 'post', body: 'echo hi', nochroot: true, dialect: 'ubuntu' });
  assert.equal(renderKickstart(ks, { dialect: 'ubuntu' }), 'lang en_US\n%post --nochroot\necho hi\n');
  assert.throws(() => injectScript(ks, { section: 'post', body: 'x', log: '/root/x', dialect: 'ubuntu' }), /%post --log is not supported by ubuntu/u);
  assert.throws(() => injectScript(ks, { section: 'pre', body: 'x', erroronfail: true, dialect: 'ubuntu' }), /--erroronfail is not supported by ubuntu/u);
});

test('%pre-install and %onerror need RHEL 7+; --nochroot only on %post; the body may not end the section', () => {
  for (const dialect of ['rhel5', 'rhel6', 'ubuntu'] as const) {
    assert.throws(() => injectScript(BASE, { section: 'pre-install', body: 'x', dialect }), (err: unknown) => isRemasterError(err, 'KICKSTART_SYNTAX'));
    assert.throws(() => injectScript(BASE, { section: 'onerror', body: 'x', dialect }), /RHEL 7\+/u);
  }
  assert.equal(injectScript(BASE, { section: 'pre-install', body: 'x', dialect: 'rhel7', log: '/tmp/x' }).nodes.length, 3);
  assert.throws(() => injectScript(BASE, { section: 'pre', body: 'x', nochroot: true }), /--nochroot applies to %post only/u);
  assert.throws(() => injectScript(BASE, { section: 'post', body: 'echo\n%end\nreboot\n' }), /would end the section early/u);
  assert.throws(() => injectScript(BASE, { section: 'post', body: 'x', interpreter: 'bash' }), /absolute path/u);
});

test('rhel5 and rhel6 scripts take --log, --interpreter and --erroronfail (pykickstart handleScriptHdr)', () => {
  const ks = injectScript(BASE, { section: 'pre', body: 'x', log: '/tmp/pre.log', erroronfail: true, dialect: 'rhel5' });
  assert.match(renderKickstart(ks, { dialect: 'rhel5' }), /\n%pre --log=\/tmp\/pre.log --erroronfail\nx\n$/u);
});

test('renderTemplate fills {{name}} and {{ name }} and leaves other braces alone', () => {
  const text = 'network --hostname={{host}}\nurl --url=http://{{ repo }}/os\n%post\necho ${HOME} {{not a var}}\n%end\n';
  assert.deepEqual(templateVariables(text), ['host', 'repo']);
  assert.equal(renderTemplate(text, { host: 'web01', repo: '10.0.0.5' }), 'network --hostname=web01\nurl --url=http://10.0.0.5/os\n%post\necho ${HOME} {{not a var}}\n%end\n');
});

test('an unknown template variable is an error naming file, line and column', () => {
  assert.throws(() => renderTemplate('lang en_US\n\nnetwork --hostname={{hostname}}\n', { host: 'x' }, { file: 'web.ks.tmpl' }), (err: unknown) => {
    assert.ok(isRemasterError(err, 'KICKSTART_SYNTAX'));
    assert.equal(err.message, 'web.ks.tmpl:3:20: unknown template variable "hostname" in {{hostname}} (known: host) [KICKSTART_SYNTAX]');
    return true;
  });
});
