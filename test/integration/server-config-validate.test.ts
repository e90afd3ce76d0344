/**
 * Every configuration `remaster server-config` and `remaster dhcp-snippet`
 * print is judged by the program it is for: `dnsmasq --test`, `dhcpd -t
 * -cf`, `nginx -t`; then, in a private network namespace, the daemons run
 * on them and serve the published tree to real clients (tftp-hpa's tftp,
 * curl) — through remaster's symlinks, tftpd-hpa chrooted by `--secure`,
 * nginx as www-data. No QEMU here: the boots are in server-lab-*.test.ts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { LoaderOptions } from '../../src/index.ts';
import {
  ARMED_MAC as ARMED, grubNetDir, httpStatus, labFile, nginxMainConfig, nginxTest, publishLabTree, serverConfig, sharedDir, startDhcpd, startDnsmasq, startNginx, startTftpdHpa, tftpGet,
} from '../helpers/lab-servers.ts';
import { LAB_IFACE, LAB_SERVER_IP, LAB_SUBNET, openNetLab } from '../helpers/netlab.ts';
import { runCli } from '../helpers/run-cli.ts';
import { requireTool } from '../helpers/tools.ts';
import { makeBuildDir, tempDir } from '../unit/pxe/support.ts';

const NET = ['--interface', LAB_IFACE, '--server-ip', LAB_SERVER_IP, '--subnet', LAB_SUBNET];

/** Publish a fake build with the system's pxelinux and iPXE, grub-mknetdir's GRUB, and an HTTP root, in world-readable directories. */
async function labTree(t: TestContext, loaders?: LoaderOptions): Promise<{ tftpRoot: string; httpRoot: string }> {
  const base = await sharedDir(t, 'remaster-srv-');
  const build = await makeBuildDir();
  return publishLabTree(base, {
    kernel: join(build, 'vmlinuz'), initrd: join(build, 'initrd.img'), nonce: 'validate', httpUrl: `http://${LAB_SERVER_IP}`,
    loaders: loaders ?? { pxelinux: true, ipxe: true, grubNetDir: grubNetDir(base) },
  });
}

function dnsmasqTest(conf: string): void {
  const r = spawnSync('dnsmasq', ['--test', `--conf-file=${conf}`], { encoding: 'utf8' });
  assert.equal(r.status, 0, `dnsmasq --test ${conf}: ${r.stderr}`);
  assert.match(r.stderr, /syntax check OK/u);
}

function dhcpdTest(conf: string): void {
  const r = spawnSync('dhcpd', ['-4', '-t', '-cf', conf], { encoding: 'utf8' });
  assert.equal(r.status, 0, `dhcpd -t -cf ${conf}: ${r.stdout}${r.stderr}`);
}

function needsTools(t: TestContext): boolean {
  return requireTool(t, 'dnsmasq', 'dhcpd', 'in.tftpd', 'nginx', 'tftp', 'curl', 'grub-mknetdir');
}

test('dnsmasq: DHCP+TFTP, proxyDHCP and no-iPXE configurations pass dnsmasq --test; the DHCP+TFTP one serves every boot file', { timeout: 120_000 }, async (t) => {
  if (!needsTools(t)) return;
  const { tftpRoot } = await labTree(t);
  const full = await serverConfig(['dnsmasq', tftpRoot, ...NET]);
  assert.match(full.text, new RegExp(`^tftp-root=${tftpRoot}$`, 'mu'));
  assert.match(full.text, /^dhcp-range=10\.99\.0\.128,10\.99\.0\.254,255\.255\.255\.0,12h$/mu);
  for (const line of ['dhcp-boot=tag:bios,tag:!ipxe,pxelinux.0,,10.99.0.1', 'dhcp-boot=tag:efi64,tag:!ipxe,boot/grub/x86_64-efi/core.efi,,10.99.0.1', 'dhcp-boot=tag:ipxe,boot.ipxe,,10.99.0.1']) {
    assert.ok(full.text.split('\n').includes(line), `${line} in\n${full.text}`);
  }
  const proxy = await serverConfig(['dnsmasq', tftpRoot, ...NET, '--proxy']);
  assert.match(proxy.text, /^dhcp-range=10\.99\.0\.0,proxy,255\.255\.255\.0$/mu);
  assert.match(proxy.warnings, /GRUB 2\.06 looks for its menus on the server that gave the address/u, 'proxyDHCP with a UEFI GRUB warns that GRUB does not follow it');
  assert.match(proxy.text, /^pxe-service=tag:!ipxe,BC_EFI,"remaster UEFI",boot\/grub\/x86_64-efi\/core\.efi,10\.99\.0\.1$/mu);
  const plain = await serverConfig(['dnsmasq', tftpRoot, ...NET, '--no-ipxe']);
  assert.doesNotMatch(plain.text, /ipxe/u);
  assert.match(plain.text, /^dhcp-boot=tag:bios,pxelinux\.0,,10\.99\.0\.1$/mu);
  const lab = await openNetLab(t);
  if (lab === undefined) return;
  const files = await Promise.all([full, proxy, plain].map((c, i) => labFile(lab, `dnsmasq-${i}.conf`, c.text)));
  files.forEach(dnsmasqTest);
  await startDnsmasq(lab, 'dnsmasq', [files[0] as string]);
  for (const file of ['pxelinux.0', 'ldlinux.c32', 'boot.ipxe', 'boot/grub/x86_64-efi/core.efi', `pxelinux.cfg/01-${ARMED.replaceAll(':', '-')}`]) {
    const got = tftpGet(lab, file, join(lab.dir, 'got'));
    assert.ok(got.ok, `dnsmasq TFTP ${file}: ${got.output}`);
    assert.deepEqual(await readFile(join(lab.dir, 'got')), await readFile(join(tftpRoot, file)), file);
  }
});

test('a relative TFTP root is printed absolute, so dnsmasq can serve it from any working directory', { timeout: 60_000 }, async (t) => {
  if (!needsTools(t)) return;
  const { tftpRoot } = await labTree(t);
  const rel = relative(process.cwd(), tftpRoot);
  const snippet = await runCli(['dhcp-snippet', '--dnsmasq', '--next-server', LAB_SERVER_IP, '--tftp-root', rel]);
  assert.equal(snippet.code, 0, snippet.stderr);
  assert.match(snippet.stdout, new RegExp(`^tftp-root=${tftpRoot}$`, 'mu'));
  const whole = await serverConfig(['dnsmasq', rel, ...NET]);
  assert.match(whole.text, new RegExp(`^tftp-root=${tftpRoot}$`, 'mu'));
});

test('a tree without a UEFI loader: no UEFI boot file is offered, and the warning says how to add one', { timeout: 60_000 }, async (t) => {
  if (!needsTools(t)) return;
  const { tftpRoot } = await labTree(t, { pxelinux: true, ipxe: false });
  const c = await serverConfig(['dnsmasq', tftpRoot, ...NET]);
  assert.doesNotMatch(c.text, /efi64,tag:!ipxe,|core\.efi/u);
  assert.match(c.warnings, /^warning: the published tree has no x64 UEFI boot loader: .*--grub-netdir.*--grub-signed/mu);
  const snippet = await runCli(['dhcp-snippet', '--isc', '--next-server', LAB_SERVER_IP, '--tftp-root', tftpRoot]);
  assert.doesNotMatch(snippet.stdout, /core\.efi|00:07/u);
  assert.match(snippet.stderr, /no x64 UEFI boot loader/u);
  const dir = await tempDir('remaster-dnsmasq-');
  const conf = join(dir, 'dnsmasq.conf');
  await writeFile(conf, c.text);
  dnsmasqTest(conf);
});

test('ISC dhcpd: the whole dhcpd.conf and the two-part snippet pass dhcpd -t; dhcpd serves the lab subnet with it', { timeout: 120_000 }, async (t) => {
  if (!needsTools(t)) return;
  const { tftpRoot } = await labTree(t);
  const whole = await serverConfig(['isc', tftpRoot, ...NET]);
  assert.match(whole.text, /^option arch code 93 = unsigned integer 16;$/mu);
  assert.match(whole.text, /^subnet 10\.99\.0\.0 netmask 255\.255\.255\.0 \{$/mu);
  const snippet = await runCli(['dhcp-snippet', '--isc', '--next-server', LAB_SERVER_IP, '--tftp-root', tftpRoot]);
  assert.equal(snippet.code, 0, snippet.stderr);
  const [global, scope] = snippet.stdout.split(/^# 2\. inside your subnet \{ \} block:$/mu) as [string, string];
  const pasted = `${global}\nsubnet 10.99.0.0 netmask 255.255.255.0 {\n  range 10.99.0.100 10.99.0.120;\n${scope}}\n`;
  const lab = await openNetLab(t);
  if (lab === undefined) return;
  dhcpdTest(await labFile(lab, 'dhcpd-snippet.conf', pasted));
  const conf = await labFile(lab, 'dhcpd.conf', whole.text);
  dhcpdTest(conf);
  const dhcpd = await startDhcpd(lab, 'dhcpd', conf, LAB_IFACE);
  assert.match(dhcpd.log(), new RegExp(`Listening on LPF/${LAB_IFACE}/`, 'u'));
});

test('tftpd-hpa --secure serves the tree through its symlinks from the printed /etc/default/tftpd-hpa', { timeout: 60_000 }, async (t) => {
  if (!needsTools(t)) return;
  const { tftpRoot } = await labTree(t);
  const c = await serverConfig(['tftpd-hpa', tftpRoot, '--server-ip', LAB_SERVER_IP]);
  assert.match(c.text, /^TFTP_OPTIONS="--secure"$/mu);
  const lab = await openNetLab(t);
  if (lab === undefined) return;
  await startTftpdHpa(lab, c.text);
  for (const file of ['pxelinux.0', '/boot/grub/x86_64-efi/core.efi', 'boot.ipxe', `ipxe/mac-${ARMED.replaceAll(':', '')}.ipxe`]) {
    const got = tftpGet(lab, file, join(lab.dir, 'got'));
    assert.ok(got.ok, `in.tftpd ${file}: ${got.output}`);
    assert.deepEqual(await readFile(join(lab.dir, 'got')), await readFile(join(tftpRoot, file)), file);
  }
  assert.equal(tftpGet(lab, '../../etc/passwd', join(lab.dir, 'no')).ok, false, 'nothing outside the root');
});

test('nginx: the printed server block passes nginx -t and serves the published kernel at its manifest URL, nothing else', { timeout: 60_000 }, async (t) => {
  if (!needsTools(t)) return;
  const { tftpRoot, httpRoot } = await labTree(t);
  const c = await serverConfig(['nginx', tftpRoot, '--server-ip', LAB_SERVER_IP]);
  assert.match(c.text, new RegExp(`alias ${httpRoot}/remaster/;`, 'u'));
  assert.equal(c.warnings, '');
  const lab = await openNetLab(t);
  if (lab === undefined) return;
  const main = await nginxMainConfig(lab, await labFile(lab, 'remaster-nginx.conf', c.text));
  const checked = nginxTest(lab, main);
  assert.equal(checked.status, 0, checked.output);
  await startNginx(lab, main);
  const manifest = JSON.parse(await readFile(join(tftpRoot, 'remaster/manifest.json'), 'utf8')) as { model: { kernel: { httpUrl: string }; initrd: { httpUrl: string } } };
  assert.match(manifest.model.kernel.httpUrl, /^http:\/\/10\.99\.0\.1\/remaster\/[0-9a-f]{16}\/vmlinuz$/u, 'one remaster/ prefix');
  assert.equal(httpStatus(lab, manifest.model.kernel.httpUrl), 200);
  assert.equal(httpStatus(lab, manifest.model.initrd.httpUrl), 200);
  assert.equal(httpStatus(lab, `http://${LAB_SERVER_IP}/remaster/`), 403, 'no directory listing');
  assert.equal(httpStatus(lab, `http://${LAB_SERVER_IP}/etc/passwd`), 404);
});
