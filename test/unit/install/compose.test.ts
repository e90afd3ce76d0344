/** composeInstall(): which snippets, in which order, with which variables; the serve env file; explain. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  composeInstall, explainKickstart, injectInstallEnv, injectScript, installEnvCommand, parseKickstart, parseSnippet, renderAnswers, renderInstallEnv,
  renderKickstart, type InstallSpec,
} from '../../../src/index.ts';
import { SNIPPETS_DIR } from '../../helpers/snippets.ts';
import { tmpDir } from '../../helpers/tmp-dir.ts';

const texts = new Map(readdirSync(SNIPPETS_DIR).filter((f) => f.endsWith('.sh')).map((f) => [f, readFileSync(join(SNIPPETS_DIR, f), 'utf8')]));
const fences = (body: string) => [...body.matchAll(/^# remaster: begin (.+)$/gmu)].map((m) => m[1]);

test('the pre script: variables by recipe key, libraries before the snippets using them, calls in order', () => {
  const spec: InstallSpec = { inventory: true, require: { disks: '>=2' }, raid: { level: 1, disks: ['sdb', 'sdc'], device: 'md1', wipe: false, metadata: '1.0' } };
  const { scripts, snippets, needs, includes } = composeInstall(spec, texts, { format: 'kickstart', binaries: { mdadm: '/sbin/mdadm' } });
  assert.equal(scripts.length, 1);
  const pre = scripts[0]!;
  assert.deepEqual([pre.stage, pre.erroronfail, pre.log], ['pre', true, '/tmp/remaster-pre.log']);
  assert.deepEqual(fences(pre.body), [
    'install.inventory', 'install.require', 'install.raid',
    'snippets/report.sh', 'snippets/hardware.sh', 'snippets/inventory.sh', 'snippets/require.sh', 'snippets/raid-common.sh', 'snippets/raid-mdadm.sh',
    'install (run)',
  ]);
  assert.deepEqual(snippets, ['report.sh', 'hardware.sh', 'inventory.sh', 'require.sh', 'raid-common.sh', 'raid-mdadm.sh']);
  assert.match(pre.body, /^REMASTER_RAID_DISKS='sdb sdc'$/mu);
  assert.match(pre.body, /^REMASTER_RAID_DEVICE='md1'$/mu);
  assert.match(pre.body, /^REMASTER_RAID_METADATA='1\.0'$/mu);
  assert.match(pre.body, /^REMASTER_MDADM='\/sbin\/mdadm'$/mu);
  assert.match(pre.body, /remaster_inventory \|\| remaster_log "inventory failed; the install goes on"\nremaster_require \|\| exit 1\nremaster_raid_mdadm \|\| exit 1\n/u);
  assert.deepEqual(needs, [{ snippet: 'raid-mdadm.sh', rule: 'install.raid', names: ['mdadm'], variable: 'REMASTER_MDADM' }]);
  assert.deepEqual(includes, []);
  // The snippet text is carried byte for byte below its header.
  assert.ok(pre.body.includes(parseSnippet('raid-mdadm.sh', texts.get('raid-mdadm.sh')!).body.trimEnd()));
});

test('vendors: the CLI each needs (Dell prefers perccli), found paths carried in the variable, storage lines and their include', () => {
  const raid = (vendor: 'hpe' | 'broadcom' | 'dell') => composeInstall({ inventory: false, raid: { level: 10, disks: 4, vendor, device: 'md0', wipe: true, storage: ['ignoredisk --only-use=@DEVICE@'] } }, texts, {
    format: 'kickstart', binaries: { ssacli: '/opt/smartstorageadmin/ssacli/bin/ssacli', perccli64: '/opt/MegaRAID/perccli/perccli64' },
  });
  const hpe = raid('hpe');
  assert.deepEqual(hpe.needs.map((n) => [n.snippet, n.names.join('|'), n.variable]), [['raid-ssacli.sh', 'ssacli', 'REMASTER_SSACLI']]);
  assert.match(hpe.scripts[0]!.body, /^REMASTER_SSACLI='\/opt\/smartstorageadmin\/ssacli\/bin\/ssacli'$/mu);
  assert.match(hpe.scripts[0]!.body, /^REMASTER_RAID_WIPE='true'$/mu);
  assert.doesNotMatch(hpe.scripts[0]!.body, /REMASTER_RAID_DEVICE/u);
  assert.deepEqual(hpe.includes, ['/tmp/remaster-storage.ks']);
  assert.deepEqual(raid('broadcom').needs[0]!.names, ['storcli64', 'storcli', 'perccli64', 'perccli']);
  const dell = raid('dell');
  assert.deepEqual(dell.needs[0]!.names, ['perccli64', 'perccli', 'storcli64', 'storcli']);
  assert.match(dell.scripts[0]!.body, /^REMASTER_STORCLI='\/opt\/MegaRAID\/perccli\/perccli64'$/mu);
});

test('bootstrap: a nochroot carry script into the target of each installer, then the chrooted bootstrap', () => {
  const spec: InstallSpec = { inventory: true, bootstrap: { facts: { role: 'web', rack: "b'7" }, salt: { master: 'salt.example', install: true }, ansible: { url: 'https://git.example/x.git', install: false } } };
  const ks = composeInstall(spec, texts, { format: 'kickstart' }).scripts;
  assert.deepEqual(ks.map((s) => [s.stage, s.nochroot ?? false, s.origin]), [
    ['pre', false, 'install.inventory'],
    ['post', true, 'install.bootstrap.salt, install.bootstrap.ansible (carry)'],
    ['post', false, 'install.bootstrap.salt, install.bootstrap.ansible'],
  ]);
  assert.match(ks[1]!.body, /^REMASTER_TARGET='\/mnt\/sysimage'$/mu);
  assert.match(ks[2]!.body, /^REMASTER_FACTS='role\tweb\nrack\tb'\\''7'$/mu);
  assert.match(ks[2]!.body, /^REMASTER_SALT_PACKAGE='salt-minion'$/mu);
  assert.doesNotMatch(ks[2]!.body, /^REMASTER_ANSIBLE_PACKAGE=/mu);
  assert.match(ks[2]!.body, /remaster_bootstrap_salt \|\| status=1\nremaster_bootstrap_ansible \|\| status=1\nremaster_forget\nexit "\$status"/u);
  assert.match(composeInstall(spec, texts, { format: 'preseed' }).scripts[1]!.body, /^REMASTER_TARGET='\/target'$/mu);
});

test('what an installer cannot do is refused: kickstart storage lines for a preseed or autoinstall', () => {
  const spec: InstallSpec = { inventory: false, raid: { level: 1, disks: 2, device: 'md0', wipe: false, storage: ['autopart'] } };
  assert.throws(() => composeInstall(spec, texts, { format: 'preseed' }), { code: 'INSTALL_UNSUPPORTED', message: /partman-auto/u });
  assert.throws(() => composeInstall(spec, texts, { format: 'autoinstall' }), { code: 'INSTALL_UNSUPPORTED', message: /storage: key/u });
  assert.throws(() => parseSnippet('x.sh', '#!/bin/sh\necho hi\n'), { code: 'INSTALL_SNIPPET', message: /# remaster snippet: x\.sh/u });
  const broken = new Map(texts);
  broken.delete('hardware.sh');
  assert.throws(() => composeInstall(spec, broken, { format: 'kickstart' }), { code: 'INSTALL_SNIPPET', message: /hardware\.sh is missing/u });
});

test('answers: install pre scripts run first in a kickstart, at partman/early_command in a preseed, first in early-commands', () => {
  const pre = { body: 'echo install\n', origin: 'install.require', erroronfail: true };
  const ks = renderAnswers('text\n%pre\necho template\n%end\n', {}, { dialect: 'rhel9', prePartition: [pre], pre: [{ body: 'echo recipe\n' }], includes: ['/tmp/remaster-storage.ks'] });
  const text = ks.files[0]!.text;
  assert.ok(text.indexOf('echo install') < text.indexOf('echo template') && text.indexOf('echo template') < text.indexOf('echo recipe'));
  assert.match(text, /^%include \/tmp\/remaster-storage\.ks\n%pre --erroronfail\necho install/mu);
  const preseed = renderAnswers('d-i debian-installer/locale string en_US\n', {}, { dialect: 'debian12', prePartition: [pre] }).files[0]!.text;
  assert.match(preseed, /^d-i partman\/early_command string printf '%s\\012' 'echo install' > \/tmp\/remaster-partman-1\.sh && \/bin\/sh \/tmp\/remaster-partman-1\.sh$/mu);
  const auto = renderAnswers('#cloud-config\nautoinstall:\n  version: 1\n  early-commands: [echo template]\n', {}, { dialect: 'ubuntu24.04', prePartition: [pre] }).files[0]!.text;
  assert.ok(auto.indexOf('echo install') < auto.indexOf('echo template'));
  assert.throws(() => renderAnswers('d-i x/y string z\n', {}, { dialect: 'debian12', includes: ['/tmp/x'] }), { code: 'INSTALL_UNSUPPORTED' });
});

test('serve env file: quoted assignments, one line each; injected as the very first %pre; the preseed command writes the same file', async (t) => {
  const env = { callbackUrl: 'http://10.0.0.1:8080/cb/52:54:00:12:34:56/0f1e', host: { name: "web'01", group: 'web', mac: '52:54:00:12:34:56' } };
  assert.equal(renderInstallEnv(env), "REMASTER_CALLBACK_URL='http://10.0.0.1:8080/cb/52:54:00:12:34:56/0f1e'\nREMASTER_HOST_NAME='web'\\''01'\nREMASTER_HOST_GROUP='web'\nREMASTER_HOST_MAC='52:54:00:12:34:56'\n");
  assert.throws(() => renderInstallEnv({ host: { name: 'a\nb' } }), { code: 'INSTALL_UNSUPPORTED' });
  let ks = parseKickstart('text\n%pre\necho mine\n%end\n');
  ks = injectScript(ks, { section: 'pre', body: 'echo install\n', position: 'first', dialect: 'rhel9' });
  ks = injectInstallEnv(ks, env, { dialect: 'rhel9' });
  const text = renderKickstart(ks, { dialect: 'rhel9' });
  assert.ok(text.indexOf("cat > /tmp/remaster.env <<'REMASTER_ENV'") < text.indexOf('echo install'));
  const dir = await tmpDir(t);
  const command = installEnvCommand(env).replace('/tmp/remaster.env', `${dir}/env`);
  const r = spawnSync('/bin/sh', ['-c', `${command}; . ${dir}/env; printf '%s|%s' "$REMASTER_HOST_NAME" "$REMASTER_CALLBACK_URL"; stat -c %a ${dir}/env`], { encoding: 'utf8' });
  assert.equal(r.stdout, "web'01|http://10.0.0.1:8080/cb/52:54:00:12:34:56/0f1e600\n");
});

test('explain: template lines by number, injected files by name, fenced blocks by their origin', () => {
  let ks = parseKickstart('text\nreboot\n%packages\n@core\n%end\n', { file: 'ks.tmpl' });
  ks = injectScript(ks, { section: 'pre', body: 'echo file\n', origin: 'pre.sh', dialect: 'rhel9' });
  ks = injectScript(ks, { section: 'pre', body: '# remaster: begin install.raid\nA=1\n# remaster: begin snippets/x.sh\nf() { :; }\n# remaster: end snippets/x.sh\n# remaster: end install.raid\nf\n', origin: 'install.raid', dialect: 'rhel9' });
  const lines = explainKickstart(ks, { dialect: 'rhel9', template: 'ks.tmpl' });
  assert.deepEqual(lines.map((l) => `${l.origin}|${l.text}`), [
    'ks.tmpl:1|text', 'ks.tmpl:2|reboot', 'ks.tmpl:3|%packages', 'ks.tmpl:4|@core', 'ks.tmpl:5|%end',
    'pre.sh|%pre', 'pre.sh|echo file', 'pre.sh|%end',
    'install.raid|%pre', 'install.raid|# remaster: begin install.raid', 'install.raid|A=1',
    'snippets/x.sh|# remaster: begin snippets/x.sh', 'snippets/x.sh|f() { :; }', 'snippets/x.sh|# remaster: end snippets/x.sh',
    'install.raid|# remaster: end install.raid', 'install.raid|f', 'install.raid|%end',
  ]);
  assert.equal(lines.map((l) => l.text).join('\n') + '\n', renderKickstart(ks, { dialect: 'rhel9' }));
});
