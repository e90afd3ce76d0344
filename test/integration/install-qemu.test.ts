/**
 * The install: snippets executed, not just rendered. A recipe over a busybox initrd injects the
 * real Debian kernel's virtio and md modules (kernelModules step) and mdadm from its Debian
 * packages (install.tools: mdadm + libudev1 + libc6, placed under updates/ as for Anaconda); the
 * build's ks.cfg is parsed with src/kickstart and its install %pre is extracted, together with the
 * %pre of a second rendering whose policy asks for four disks (its RAID must never run). One boot under QEMU (three virtio
 * disks of 64, 96 and 128 MiB with serials, one virtio NIC) runs, from /init:
 *   0. the first %pre that `remaster serve` puts in front (injectInstallEnv: callback URL and host
 *      record into /tmp/remaster.env);
 *   1. the failing policy: exit status and message;
 *   2. the install %pre: inventory, policy, RAID 1 over the two largest disks;
 *   3. mdadm --detail /dev/md0 (the kernel's view of the array it just made);
 *   4. the same %pre again: the array must be kept as it is;
 *   5. the %post --nochroot (carry.sh) and, chrooted into a made-up target, the %post with
 *      bootstrap-salt.sh (a stand-in systemctl records what it enables).
 * Every report goes over the guest's NIC (busybox wget) through QEMU's guestfwd to an HTTP server
 * of this test on loopback: the inventory arrives, and the failed policy arrives as `failed` with
 * its reason.
 * /init copies /updates into / first, as dracut's apply-live-updates.sh does for Anaconda.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, open, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import {
  applyPlan, hostEntries, injectInstallEnv, parseKickstart, parseRecipe, planRecipe, prepareBuild, prepareInstall, renderRecipeKickstart, type AddSpec, type Kickstart,
} from '../../src/index.ts';
import { buildImage, editBytes } from '../helpers/edit.ts';
import { ensureFixtures } from '../helpers/fixtures.ts';
import { ensurePackages } from '../helpers/packages.ts';
import { bootKernel } from '../helpers/qemu.ts';
import { callbackServer } from '../helpers/snippets.ts';
import { requireTool } from '../helpers/tools.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';

const enc = new TextEncoder();
const file = (path: string, text: string, mode = 0o644): AddSpec => ({ path, type: 'file', mode, data: enc.encode(text), size: enc.encode(text).length });
const MODULES = [
  'virtio/virtio_ring', 'virtio/virtio', 'virtio/virtio_pci_legacy_dev', 'virtio/virtio_pci_modern_dev', 'virtio/virtio_pci',
  'block/virtio_blk', '../net/core/failover', 'net/net_failover', 'net/virtio_net', 'md/md-mod', 'md/raid1',
];
const DISKS = [{ name: 'vda', mib: 64, serial: 'RMT-A-64' }, { name: 'vdb', mib: 96, serial: 'RMT-B-96' }, { name: 'vdc', mib: 128, serial: 'RMT-C-128' }];
const MAC = '52:54:00:be:ef:01';
const SECRET = '5ec2e7a1b2c3d4e5f60718293a4b5c6d';
const HOST = { name: 'raid-01', group: 'lab', profile: 'raid', mac: MAC };
const TCP_STDIO = join(import.meta.dirname, '..', 'helpers', 'tcp-stdio.ts');

const TEMPLATE = `text
lang en_US.UTF-8
keyboard us
timezone Etc/UTC --utc
rootpw --lock
user --name=admin --groups=wheel --iscrypted --password='$6$abc$abc'
url --url=http://repo.invalid/BaseOS/
reboot
%packages
@core
%end
`;

const INIT = `#!/bin/sh
/bin/busybox --install -s /bin
PATH=/bin:/sbin:/usr/bin:/usr/sbin; export PATH
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mkdir -p /run /tmp
nonce=none
for w in $(cat /proc/cmdline); do case "$w" in remaster.nonce=*) nonce=\${w#remaster.nonce=} ;; esac; done
# dracut's apply-live-updates.sh: what the initrd has under /updates lands in the installer's root
cp -a /updates/. /
for m in virtio_pci virtio_blk virtio_net raid1; do modprobe "$m" || echo "REMASTER-T modprobe-failed $m"; done
n=0; while { [ ! -e /sys/block/vdc ] || [ ! -e /sys/class/net/eth0 ]; } && [ "$n" -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
ip link set lo up; ip link set eth0 up; ip addr add 10.0.2.15/24 dev eth0
echo "REMASTER-T start nonce=$nonce"
sh /remaster-test/serve-pre.sh; echo "REMASTER-T serve rc=$?"
sh /remaster-test/policy-fail.sh; echo "REMASTER-T policy-fail rc=$?"
if [ -e /sys/block/md0 ] || [ -e /tmp/remaster-storage.ks ]; then echo "REMASTER-T touched"; fi
sh /remaster-test/install-pre.sh; echo "REMASTER-T first rc=$?"
echo "REMASTER-T inventory $(cat /tmp/remaster-inventory.json)"
echo "REMASTER-T storage $(tr '\\n' ';' < /tmp/remaster-storage.ks)"
echo "REMASTER-T detail-begin"; mdadm --detail /dev/md0; echo "REMASTER-T detail-end rc=$?"
sh /remaster-test/install-pre.sh; echo "REMASTER-T second rc=$?"
echo "REMASTER-T detail2-begin"; mdadm --detail /dev/md0; echo "REMASTER-T detail2-end rc=$?"
t=/mnt/sysimage
mkdir -p $t/bin $t/usr/bin $t/tmp $t/var/log $t/dev $t/proc $t/sys
# Anaconda mounts /dev, /proc and /sys into the target before the chrooted %post
mount --bind /dev $t/dev; mount -t proc proc $t/proc; mount -t sysfs sysfs $t/sys
cp /bin/busybox $t/bin/busybox; chroot $t /bin/busybox --install -s /bin
printf '#!/bin/sh\necho "systemctl $*" >> /var/log/standin.log\n' > $t/usr/bin/systemctl; chmod 755 $t/usr/bin/systemctl
sh /remaster-test/post-nochroot.sh; echo "REMASTER-T carry rc=$?"
cp /remaster-test/post.sh $t/tmp/post.sh
chroot $t /bin/sh -c 'PATH=/bin:/usr/bin; export PATH; exec sh /tmp/post.sh'; echo "REMASTER-T post rc=$?"
echo "REMASTER-T salt-conf $(tr '\n' ';' < $t/etc/salt/minion.d/remaster.conf)"
echo "REMASTER-T minion-id $(cat $t/etc/salt/minion_id)"
echo "REMASTER-T grains $(cat $t/etc/salt/grains)"
echo "REMASTER-T standin $(tr '\n' ';' < $t/var/log/standin.log)"
echo "REMASTER-T carried $(cat $t/var/lib/remaster/inventory.json)"
if [ -e $t/tmp/remaster.env ]; then echo "REMASTER-T env-left"; fi
echo "REMASTER-T done nonce=$nonce"
poweroff -f
`;

/** The body of the one section `name` (with or without --nochroot) whose body has `marker`. */
function section(ks: Kickstart, name: string, marker: string, nochroot = false): string {
  const found = ks.nodes.filter((n) => n.kind === 'section' && n.name === name && n.body.includes(marker) && n.args.includes('--nochroot') === nochroot);
  assert.equal(found.length, 1, `one %${name}${nochroot ? ' --nochroot' : ''} with ${marker}`);
  const [s] = found;
  assert.ok(s && s.kind === 'section');
  return s.body;
}

function installPre(ks: Kickstart): string {
  const pre = ks.nodes.find((n) => n.kind === 'section' && n.name === 'pre' && n.body.includes('# remaster: begin install (run)'));
  assert.ok(pre && pre.kind === 'section', 'the kickstart has the install %pre');
  assert.ok(pre.args.includes('--erroronfail'), `%pre ${pre.args.join(' ')} stops the install on failure`);
  return pre.body;
}

async function sparse(path: string, bytes: number): Promise<void> {
  const h = await open(path, 'w');
  await h.truncate(bytes);
  await h.close();
}

function between(log: string, begin: string, end: string): string {
  const a = log.indexOf(begin);
  const b = log.indexOf(end, a);
  assert.ok(a >= 0 && b > a, `console has ${begin} … ${end}`);
  return log.slice(a + begin.length, b);
}

test('install snippets under QEMU: inventory of three virtio disks, a failing policy, RAID 1 by mdadm injected from its .deb, kept on a second run', async (t) => {
  if (!requireTool(t, 'qemu-system-x86_64')) return;
  const fx = await ensureFixtures(t);
  const pk = await ensurePackages(t);
  if (!fx || !pk) return;
  const dir = await tmpDir(t);
  const kver = fx.kernel.kver;
  const lists = ['modules.order', 'modules.builtin', 'modules.builtin.modinfo'];
  const base: AddSpec[] = [...(await hostEntries(fx.small.root, '/')).filter((e) => e.path !== 'init' && e.path !== '/init')];
  for (const l of lists) base.push(file(`lib/modules/${kver}/${l}`, (await readFile(join(fx.kernel.modulesDir, l))).toString('latin1')));
  base.push(file('init', INIT, 0o755));
  await writeFile(join(dir, 'base.img'), await buildImage(base, 'gzip'));
  await writeFile(join(dir, 'ks.tmpl'), TEMPLATE);
  for (const [name, src] of [['mdadm.deb', pk.mdadm], ['libudev1.deb', pk.libudev1], ['libc6.deb', pk.libc6]] as const) await copyFile(src, join(dir, name));
  const modules = MODULES.map((m) => `      - ${relative(dir, join(fx.kernel.modulesDir, 'kernel/drivers', `${m}.ko`))}`).join('\n');
  const recipeText = `name: install-qemu
source:
  initrd: base.img
steps:
  - kernelModules:
${modules}
kickstart:
  template: ks.tmpl
  dialect: rhel9
install:
  inventory: true
  require:
    disks: { count: ">=3", minSize: 64MiB }
    memory: ">=256MiB"
    cpus: ">=1"
    nics: ">=1"
    controllers: [virtio-pci]
  raid:
    level: 1
    disks: 2
    storage: ["ignoredisk --only-use=@DEVICE@", "clearpart --all --initlabel --drives=@DEVICE@", "autopart --type=plain"]
  bootstrap:
    facts: { role: raid-test }
    salt: { master: salt.example.test }
  tools:
    - binaries: [/sbin/mdadm]
      sysroot: [{ package: mdadm.deb }, { package: libudev1.deb }, { package: libc6.deb }]
output:
  dir: out
`;
  const recipeFile = join(dir, 'install.yaml');
  await writeFile(recipeFile, recipeText);
  const recipe = parseRecipe(recipeText, recipeFile);
  const build = await prepareBuild(recipe, recipeFile, recipeText, { sourceDateEpoch: 1700000000, onWarning: () => {} });
  const plan = planRecipe(build);
  assert.ok(plan.edit.adds.some((a) => a.path === 'updates/sbin/mdadm'), 'mdadm is placed under updates/ (Anaconda stage 2)');
  assert.deepEqual(plan.install?.binaries.map((b) => [b.name, b.path, b.via]), [['mdadm', '/sbin/mdadm', 'install.tools']]);
  const result = await applyPlan(plan, build);
  await build.source.close();

  // What remaster serve does to the built kickstart for this host: a first %pre writing the env file.
  const callbackUrl = `http://10.0.2.100/cb/${MAC}/${SECRET}`;
  const served = injectInstallEnv(parseKickstart(await readFile(join(result.dir, 'ks.cfg'), 'utf8')), { callbackUrl, host: HOST }, { dialect: 'rhel9' });
  const firstPre = served.nodes.find((n) => n.kind === 'section' && n.name === 'pre');
  assert.ok(firstPre && firstPre.kind === 'section' && firstPre.body.includes('# remaster: begin serve'), 'the serve %pre comes first');
  const pre = installPre(served);
  const postNochroot = section(served, 'post', 'remaster_carry', true);
  const post = section(served, 'post', 'remaster_bootstrap_salt');
  // The same recipe with a policy this machine cannot meet, rendered the same way.
  const strict = { ...recipe, install: { ...recipe.install, require: { disks: '>=4' } } } as typeof recipe;
  const strictInstall = await prepareInstall(strict);
  const failing = installPre((await renderRecipeKickstart(strict.kickstart!, dir, { ...(strictInstall ? { install: strictInstall } : {}), onWarning: () => {} })).model);
  const image = await readFile(join(result.dir, 'initrd.img'));
  const { bytes } = await editBytes(image, { add: [
    file('remaster-test/serve-pre.sh', firstPre.body), file('remaster-test/install-pre.sh', pre), file('remaster-test/policy-fail.sh', failing),
    file('remaster-test/post-nochroot.sh', postNochroot), file('remaster-test/post.sh', post),
  ] }, { mode: 'append', compression: 'gzip' });
  await writeFile(join(dir, 'boot.img'), bytes);

  const drives: string[] = [];
  for (const d of DISKS) {
    await sparse(join(dir, `${d.name}.raw`), d.mib * 1024 * 1024);
    drives.push('-drive', `file=${join(dir, `${d.name}.raw`)},if=none,id=${d.name},format=raw`, '-device', `virtio-blk-pci,drive=${d.name},serial=${d.serial}`);
  }
  await mkdir(join(dir, 'empty'));
  const cb = await callbackServer(t);
  const r = await bootKernel({
    kernel: fx.kernel.vmlinuz, initrd: join(dir, 'boot.img'), append: 'loglevel=1', timeoutMs: 150_000,
    expect: [/REMASTER-T done nonce=NONCE/],
    // restrict=on isolates the guest; the explicit guestfwd still reaches the callback server
    extraArgs: [...drives, '-netdev', `user,id=n1,restrict=on,guestfwd=tcp:10.0.2.100:80-cmd:${process.execPath} ${TCP_STDIO} ${cb.port}`, '-device', `virtio-net-pci,netdev=n1,mac=${MAC}`],
  });
  const log = r.log;
  if (process.env.REMASTER_DUMP_LOG) await writeFile(process.env.REMASTER_DUMP_LOG, log);
  assert.ok(r.passed, `boot did not finish (${r.durationMs} ms):\n${log.split('\n').slice(-60).join('\n')}`);
  assert.doesNotMatch(log, /REMASTER-T modprobe-failed/);

  // 1. The policy fails, naming the rule and the measured value, before anything touches a disk.
  assert.match(log, /REMASTER-T policy-fail rc=1/);
  assert.doesNotMatch(log, /REMASTER-T touched/, 'the failing policy stops the script before the RAID snippet runs');
  assert.match(log, /remaster: FAILED: hardware policy not met \(no disk was touched\): install\.require\.disks\.count ">=4": measured 3 \(vda 64 MiB, vdb 96 MiB, vdc 128 MiB\)/);

  // 2. The inventory lists the three disks with sizes and serials, and the NIC's MAC.
  assert.match(log, /REMASTER-T first rc=0/);
  const inventory = JSON.parse(/REMASTER-T inventory (.*)/.exec(log)?.[1] ?? '') as {
    disks: { name: string; sizeBytes: number; serial: string | null }[]; nics: { name: string; mac: string; driver: string }[];
    controllers: { driver: string | null }[]; memory: { installedBytes: number }; cpus: { count: number };
  };
  assert.deepEqual(inventory.disks.map((d) => [d.name, d.sizeBytes, d.serial]), DISKS.map((d) => [d.name, d.mib * 1024 * 1024, d.serial]));
  assert.deepEqual(inventory.nics.map((n) => [n.mac, n.driver]), [[MAC, 'virtio_net']]);
  assert.ok(inventory.controllers.some((c) => c.driver === 'virtio-pci'));
  assert.equal(inventory.memory.installedBytes, 512 * 1024 * 1024);
  assert.ok(inventory.cpus.count >= 1);
  assert.match(log, /remaster: require disks\.count ">=3": ok/);

  // 3. RAID 1 over the two largest disks; mdadm --detail in the same boot shows two active devices.
  assert.match(log, /remaster: raid: creating md0 \(raid1\) over vdc vdb/);
  const detail = between(log, 'REMASTER-T detail-begin', 'REMASTER-T detail-end rc=0');
  assert.match(detail, /Raid Level : raid1/);
  assert.match(detail, /Active Devices : 2/);
  assert.match(detail, /\/dev\/vdc/);
  assert.match(detail, /\/dev\/vdb/);
  assert.match(log, /REMASTER-T storage ignoredisk --only-use=md0;clearpart --all --initlabel --drives=md0;autopart --type=plain;/);

  // 4. A second run keeps the array: same UUID and creation time, no new --create.
  assert.match(log, /REMASTER-T second rc=0/);
  assert.match(log, /remaster: raid: kept md0 \(members: vdb vdc\)/);
  const detail2 = between(log, 'REMASTER-T detail2-begin', 'REMASTER-T detail2-end rc=0');
  const field = (text: string, name: string) => new RegExp(`${name} : (.*)`).exec(text)?.[1];
  assert.equal(field(detail2, 'UUID'), field(detail, 'UUID'));
  assert.equal(field(detail2, 'Creation Time'), field(detail, 'Creation Time'));
  assert.equal(log.match(/remaster: raid: creating md0/g)?.length, 1);

  // 5. %post: carry.sh brings the env file and the inventory into the target; bootstrap-salt.sh, chrooted, points the minion at its master.
  assert.match(log, /REMASTER-T serve rc=0/);
  assert.match(log, /REMASTER-T carry rc=0/);
  assert.match(log, /REMASTER-T post rc=0/);
  assert.match(log, /REMASTER-T salt-conf # written by remaster \(bootstrap-salt\.sh\);master: "salt\.example\.test";\n/);
  assert.match(log, /REMASTER-T minion-id raid-01\n/);
  assert.deepEqual(JSON.parse(/REMASTER-T grains (.*)/.exec(log)?.[1] ?? ''), { role: 'raid-test', remaster: { host: 'raid-01', group: 'lab', profile: 'raid', mac: MAC } });
  assert.match(log, /REMASTER-T standin systemctl enable salt-minion;\n/);
  assert.ok(/REMASTER-T carried \{/.test(log), 'the inventory was carried into the target');
  assert.doesNotMatch(log, /REMASTER-T env-left/, 'the env copy (it holds the callback secret) is removed after %post');

  // 6. The server got every report over the guest's NIC: the inventory as JSON, the failed policy with its reason, the RAID and bootstrap lines.
  assert.doesNotMatch(log, /not delivered to the server/);
  const cbBase = `/cb/${MAC}/${SECRET}/`;
  assert.ok(cb.received.every((x) => x.method === 'POST' && x.url.startsWith(cbBase)), cb.received.map((x) => x.url).join('\n'));
  const kinds = cb.received.map((x) => x.url.slice(cbBase.length));
  assert.deepEqual(kinds, ['inventory', 'failed', 'inventory', 'log', 'inventory', 'log', 'log']);
  const [failed] = cb.received.filter((x) => x.url.endsWith('/failed'));
  assert.match(failed?.body ?? '', /^hardware policy not met \(no disk was touched\): install\.require\.disks\.count ">=4": measured 3 \(vda 64 MiB, vdb 96 MiB, vdc 128 MiB\)\n$/);
  assert.equal(failed?.type, 'text/plain; charset=utf-8');
  const posted = cb.received.filter((x) => x.url.endsWith('/inventory'));
  assert.ok(posted.every((x) => x.type === 'application/json'));
  assert.deepEqual(JSON.parse(posted[1]?.body ?? ''), inventory, 'the install\'s inventory arrived as the guest wrote it');
  assert.deepEqual(cb.received.filter((x) => x.url.endsWith('/log')).map((x) => x.body), [
    'raid: created md0 (raid1 over vdc vdb)\n', 'raid: kept md0 (members: vdb vdc)\n', 'bootstrap: salt-minion for master salt.example.test as raid-01\n',
  ]);
  t.diagnostic(`boot: ${r.durationMs} ms`);
});
