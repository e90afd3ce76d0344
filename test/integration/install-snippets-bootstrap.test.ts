/**
 * The %post snippets on the host, writing under REMASTER_ROOT / REMASTER_TARGET (temporary
 * directories), with stand-in systemctl and dnf that record their arguments: carry.sh copies the
 * env file (mode 0600) and the inventory into the target; the salt, puppet and ansible snippets
 * write their configuration with the recipe's facts and the host record, install the package
 * when asked, and enable the service. Facts files are checked with JSON.parse.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ensureFixtures } from '../helpers/fixtures.ts';
import { runSnippets, shells, writeTool, writeTree, type Shell } from '../helpers/snippets.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';

const HOST = "REMASTER_HOST_NAME='web-01'\nREMASTER_HOST_GROUP='web'\nREMASTER_HOST_PROFILE='rhel9-web'\nREMASTER_HOST_MAC='52:54:00:12:34:56'\n";
const FACTS = { role: 'web', rack: "b'7 \"east\"" };
const HOST_FACT = { host: 'web-01', group: 'web', profile: 'rhel9-web', mac: '52:54:00:12:34:56' };

async function setup(t: import('node:test').TestContext): Promise<{ shells: Shell[]; dir: string } | undefined> {
  const fx = await ensureFixtures(t);
  if (!fx) return undefined;
  const dir = await tmpDir(t);
  return { shells: shells(fx.busybox, dir), dir };
}

function target(dir: string, name: string): { root: string; tools: string; log: string; env: Record<string, string> } {
  const root = join(dir, name, 'root');
  const tools = join(dir, name, 'tools');
  const log = join(dir, name, 'tools.log');
  writeTree(join(dir, name), { 'remaster.env': HOST, 'root/.keep': '' });
  writeTool(tools, 'systemctl', `echo "systemctl $*" >> '${log}'`);
  writeTool(tools, 'dnf', `echo "dnf $*" >> '${log}'`);
  return {
    root, tools, log,
    env: { REMASTER_ROOT: root, REMASTER_ENV_FILE: join(dir, name, 'remaster.env'), TMPDIR: join(dir, name), REMASTER_FACTS: Object.entries(FACTS).map(([k, v]) => `${k}\t${v}`).join('\n') },
  };
}

const read = (path: string) => readFileSync(path, 'utf8');

test('carry.sh: the env file (0600) and the inventory go into the target; remaster_forget removes the env copy', async (t) => {
  const s = await setup(t);
  if (!s) return;
  for (const shell of s.shells) {
    const base = join(s.dir, `carry-${shell.name}`);
    writeTree(base, { 'remaster.env': HOST, 'inventory.json': '{"disks":[]}\n', 'sysimage/.keep': '' });
    const env = { REMASTER_TARGET: join(base, 'sysimage'), REMASTER_ENV_FILE: join(base, 'remaster.env'), REMASTER_INVENTORY: join(base, 'inventory.json'), TMPDIR: base };
    const r = await runSnippets(shell, ['report.sh', 'carry.sh'], 'remaster_carry; echo "rc=$?"', env);
    assert.equal(r.stdout, 'rc=0\n', `${shell.name}: ${r.stderr}`);
    assert.equal(read(join(base, 'sysimage/tmp/remaster.env')), HOST);
    assert.equal(statSync(join(base, 'sysimage/tmp/remaster.env')).mode & 0o777, 0o600);
    assert.equal(read(join(base, 'sysimage/var/lib/remaster/inventory.json')), '{"disks":[]}\n');
    await runSnippets(shell, ['report.sh', 'carry.sh'], 'remaster_forget', { REMASTER_ENV_FILE: join(base, 'sysimage/tmp/remaster.env') });
    assert.equal(existsSync(join(base, 'sysimage/tmp/remaster.env')), false);
  }
});

test('bootstrap-salt.sh: master and fingerprint, the minion id from the host record, grains with facts and host; package and service', async (t) => {
  const s = await setup(t);
  if (!s) return;
  for (const shell of s.shells) {
    const x = target(s.dir, `salt-${shell.name}`);
    const r = await runSnippets(shell, ['report.sh', 'bootstrap-common.sh', 'bootstrap-salt.sh'], 'remaster_bootstrap_salt; echo "rc=$?"', {
      ...x.env, REMASTER_SALT_MASTER: 'salt.example.com', REMASTER_SALT_MASTER_FINGER: 'ba:19:6f', REMASTER_SALT_PACKAGE: 'salt-minion',
    }, [x.tools]);
    assert.match(r.stdout, /remaster: bootstrap: salt-minion for master salt\.example\.com as web-01\n[^]*rc=0\n$/u, `${shell.name}: ${r.stdout}${r.stderr}`);
    assert.equal(read(join(x.root, 'etc/salt/minion.d/remaster.conf')), '# written by remaster (bootstrap-salt.sh)\nmaster: "salt.example.com"\nmaster_finger: "ba:19:6f"\n');
    assert.equal(read(join(x.root, 'etc/salt/minion_id')), 'web-01\n');
    assert.deepEqual(JSON.parse(read(join(x.root, 'etc/salt/grains'))), { ...FACTS, remaster: HOST_FACT });
    assert.equal(read(x.log), 'dnf -y install salt-minion\nsystemctl enable salt-minion\n');
    assert.match(r.stdout, /remaster: report log: no callback URL, logged only/u);
  }
});

test('bootstrap-puppet.sh: an [agent] section, csr_attributes with the challenge (0600), external facts; service enabled', async (t) => {
  const s = await setup(t);
  if (!s) return;
  const shell = s.shells[1]!;
  const x = target(s.dir, 'puppet');
  writeTree(x.root, { 'etc/puppetlabs/puppet/puppet.conf': '# shipped by puppet-agent\n' });
  const r = await runSnippets(shell, ['report.sh', 'bootstrap-common.sh', 'bootstrap-puppet.sh'], 'remaster_bootstrap_puppet; echo "rc=$?"', {
    ...x.env, REMASTER_ENV_FILE: join(s.dir, 'no-host.env'), REMASTER_PUPPET_SERVER: 'puppet.example.com', REMASTER_PUPPET_CERTNAME: 'web-01.example.com',
    REMASTER_PUPPET_ENVIRONMENT: 'production', REMASTER_PUPPET_CHALLENGE: 's3cret"\\x',
  }, [x.tools]);
  assert.match(r.stdout, /rc=0\n$/u, r.stdout + r.stderr);
  assert.equal(read(join(x.root, 'etc/puppetlabs/puppet/puppet.conf')), '# shipped by puppet-agent\n\n# written by remaster (bootstrap-puppet.sh)\n[agent]\nserver = puppet.example.com\ncertname = web-01.example.com\nenvironment = production\n');
  assert.equal(read(join(x.root, 'etc/puppetlabs/puppet/csr_attributes.yaml')), 'custom_attributes:\n  1.2.840.113549.1.9.7: "s3cret\\"\\\\x"\n');
  assert.equal(statSync(join(x.root, 'etc/puppetlabs/puppet/csr_attributes.yaml')).mode & 0o777, 0o600);
  assert.deepEqual(JSON.parse(read(join(x.root, 'etc/puppetlabs/facter/facts.d/remaster.json'))), FACTS, 'no host record: the recipe\'s facts only');
  assert.equal(read(x.log), 'systemctl enable puppet\n', 'no package asked for, none installed');
});

test('bootstrap-ansible.sh: a first-boot ansible-pull unit (% doubled for systemd), local facts; unit enabled', async (t) => {
  const s = await setup(t);
  if (!s) return;
  const shell = s.shells[0]!;
  const x = target(s.dir, 'ansible');
  const r = await runSnippets(shell, ['report.sh', 'bootstrap-common.sh', 'bootstrap-ansible.sh'], 'remaster_bootstrap_ansible; echo "rc=$?"', {
    ...x.env, REMASTER_ANSIBLE_URL: 'https://git.example.com/site%20config.git', REMASTER_ANSIBLE_BRANCH: 'prod', REMASTER_ANSIBLE_PLAYBOOK: 'site.yml', REMASTER_ANSIBLE_PACKAGE: 'ansible-core git',
  }, [x.tools]);
  assert.match(r.stdout, /rc=0\n$/u, r.stdout + r.stderr);
  const unit = read(join(x.root, 'etc/systemd/system/remaster-ansible-pull.service'));
  assert.match(unit, /^ExecStart=\/usr\/bin\/ansible-pull -U https:\/\/git\.example\.com\/site%%20config\.git -C prod site\.yml$/mu);
  assert.match(unit, /^ConditionPathExists=!\/var\/lib\/remaster\/ansible-pull\.done$/mu);
  assert.match(unit, /^WantedBy=multi-user\.target$/mu);
  assert.deepEqual(JSON.parse(read(join(x.root, 'etc/ansible/facts.d/remaster.fact'))), { ...FACTS, remaster: HOST_FACT });
  assert.equal(read(x.log), 'dnf -y install ansible-core git\nsystemctl enable remaster-ansible-pull.service\n');
});
