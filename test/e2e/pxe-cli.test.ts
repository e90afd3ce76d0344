/**
 * The PXE commands as a child process: stdout, exit codes, JSON. Until
 * program.ts registers them, the child builds a commander program with
 * registerPxe() itself (same code path as the bin, minus the wiring).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { KS_RHEL9, makeBuildDir, makeRoots } from '../unit/pxe/support.ts';

const PUBLISH = new URL('../../src/cli/commands/publish.ts', import.meta.url).href;
const CONTEXT = new URL('../../src/cli/context.ts', import.meta.url).href;
const LAUNCHER = `
import { Command } from 'commander';
import { registerPxe } from ${JSON.stringify(PUBLISH)};
import { processContext } from ${JSON.stringify(CONTEXT)};
const program = new Command('remaster').exitOverride();
registerPxe(program, processContext());
try { await program.parseAsync(process.argv.slice(1), { from: 'user' }); }
catch (err) {
  if (err && err.name === 'RemasterError') { process.stderr.write('remaster: ' + err.message + '\\n'); process.exit(1); }
  if (err && err.code && String(err.code).startsWith('commander.')) process.exit(err.exitCode === 0 ? 0 : 2);
  throw err;
}`;

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', LAUNCHER, ...args], { cwd: new URL('../..', import.meta.url).pathname, env: { ...process.env, TZ: 'UTC' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('publish, status, arm, disarm, verify, rollback and dhcp-snippet from the command line', { timeout: 300_000 }, async () => {
  const build = await makeBuildDir();
  const { tftpRoot, loaderDir } = await makeRoots();
  const pub = await run(['publish', build, '--tftp-root', tftpRoot, '--pxelinux-dir', loaderDir, '--no-ipxe', '--dialect', 'rhel9', '--host', `52:54:00:00:00:01,ks=${KS_RHEL9},once`]);
  assert.equal(pub.code, 0, pub.stderr);
  assert.match(pub.stdout, /^published version 1: 1 armed hosts, \d+ files\n$/u);
  const status = await run(['status', tftpRoot, '--json']);
  assert.equal(status.code, 0, status.stderr);
  assert.deepEqual((JSON.parse(status.stdout) as { hosts: { mac: string; state: string; once: boolean }[] }).hosts.map((h) => [h.mac, h.state, h.once]), [['52:54:00:00:00:01', 'armed', true]]);
  assert.equal((await run(['arm', tftpRoot, '52-54-00-00-00-02', '--expires', '2099-01-01T00:00:00Z'])).stdout, 'armed 52-54-00-00-00-02 in version 2\n');
  assert.equal((await run(['disarm', tftpRoot, '52:54:00:00:00:01'])).code, 0);
  const ok = await run(['verify', tftpRoot]);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /^version 3: OK \(kernel 6\.1\.0-99-amd64, initrd modules 6\.1\.0-99-amd64\)\n$/u);
  await writeFile(join(tftpRoot, 'pxelinux.cfg/default'), 'DEFAULT evil\n');
  const bad = await run(['verify', tftpRoot]);
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /pxelinux\.cfg\/default: sha256/u);
  assert.match(bad.stderr, /\[VERIFY_FAILED\]/u);
  const back = await run(['rollback', tftpRoot, '--to', '2']);
  assert.equal(back.stdout, 'now serving version 2 (2 armed hosts)\n');
  assert.equal((await run(['verify', tftpRoot])).code, 0);
  const dhcp = await run(['dhcp-snippet', '--dnsmasq', '--next-server', '10.0.0.1']);
  assert.match(dhcp.stdout, /dhcp-match=set:efi64,option:client-arch,9/u);
  assert.equal((await run(['dhcp-snippet', '--next-server', '10.0.0.1'])).code, 1);
});

test('publish --grub-signed, then dhcp-snippet --tftp-root sends UEFI clients to the signed shim', { timeout: 60_000 }, async () => {
  const build = await makeBuildDir();
  const { tftpRoot, loaderDir } = await makeRoots();
  const signed = join(loaderDir, 'signed');
  await mkdir(signed);
  await writeFile(join(signed, 'shimx64.efi.signed'), 'fake shim\n');
  await writeFile(join(signed, 'grubnetx64.efi.signed'), 'fake signed grub\n');
  const pub = await run(['publish', build, '--tftp-root', tftpRoot, '--pxelinux-dir', loaderDir, '--no-ipxe', '--grub-signed', signed, '--host', '52:54:00:00:00:03']);
  assert.equal(pub.code, 0, pub.stderr);
  const isc = await run(['dhcp-snippet', '--isc', '--next-server', '10.0.0.1', '--tftp-root', tftpRoot]);
  assert.equal(isc.code, 0, isc.stderr);
  assert.match(isc.stdout, /option arch = 00:07 or option arch = 00:09 \{\n {2}filename "shimx64\.efi";\n\} elsif option arch = 00:00 or not exists arch \{\n {2}filename "pxelinux\.0";/u);
  const explicit = await run(['dhcp-snippet', '--dnsmasq', '--next-server', '10.0.0.1', '--tftp-root', tftpRoot, '--efi-file', 'grubx64.efi']);
  assert.match(explicit.stdout, /dhcp-boot=tag:efi64,tag:!ipxe,grubx64\.efi,,10\.0\.0\.1/u);
  const wrongDir = await run(['publish', build, '--tftp-root', tftpRoot, '--pxelinux-dir', loaderDir, '--no-ipxe', '--grub-signed', signed, '--grub-dir', 'boot/grub']);
  assert.notEqual(wrongDir.code, 0, wrongDir.stderr);
  assert.match(wrongDir.stderr, /built-in prefix/u);
});

test('expire runs from cron without a tree change when nothing expired; --expires help says when expiry is applied', { timeout: 60_000 }, async () => {
  const build = await makeBuildDir();
  const { tftpRoot, loaderDir } = await makeRoots();
  assert.equal((await run(['publish', build, '--tftp-root', tftpRoot, '--pxelinux-dir', loaderDir, '--no-ipxe', '--host', '52:54:00:00:00:07,expires=2999-01-01T00:00:00Z'])).code, 0);
  assert.equal((await run(['expire', tftpRoot])).stdout, 'nothing expired (version 1)\n');
  assert.deepEqual(JSON.parse((await run(['expire', tftpRoot, '--json'])).stdout), { version: 1, expired: [] });
  assert.match((await run(['arm', '--help'])).stdout, /run remaster expire from cron/u);
  assert.match((await run(['publish', '--help'])).stdout, /run remaster expire from cron/u);
});

test('publish --http-boot makes the named loaders fetch over HTTP (pxelinux through lpxelinux.0), and refuses it without --http-url', { timeout: 60_000 }, async () => {
  const build = await makeBuildDir();
  const { tftpRoot, loaderDir, httpRoot } = await makeRoots();
  await writeFile(join(loaderDir, 'lpxelinux.0'), 'fake lpxelinux.0\n');
  const refused = await run(['publish', build, '--tftp-root', tftpRoot, '--pxelinux-dir', loaderDir, '--no-ipxe', '--http-boot', 'pxelinux,grub']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /pxelinux, grub over HTTP needs the URL/u);
  const signed = await run(['publish', build, '--tftp-root', tftpRoot, '--http-root', httpRoot, '--http-url', 'http://10.0.0.1', '--grub-signed', loaderDir, '--http-boot', 'grub']);
  assert.equal(signed.code, 1);
  assert.match(signed.stderr, /grub over HTTP with --grub-signed: Debian's signed GRUB has no http module/u);
  const pub = await run(['publish', build, '--tftp-root', tftpRoot, '--http-root', httpRoot, '--http-url', 'http://10.0.0.1', '--pxelinux-dir', loaderDir, '--no-ipxe',
    '--http-boot', 'pxelinux', '--host', '52:54:00:00:00:08']);
  assert.equal(pub.code, 0, pub.stderr);
  const entry = await readFile(join(tftpRoot, 'pxelinux.cfg/01-52-54-00-00-00-08'), 'utf8');
  assert.match(entry, /^ {2}KERNEL http:\/\/10\.0\.0\.1\/remaster\/[0-9a-f]{16}\/vmlinuz$/mu);
  assert.equal(await readFile(join(tftpRoot, 'pxelinux.0'), 'utf8'), 'fake lpxelinux.0\n');
  assert.equal((await run(['publish', build, '--tftp-root', tftpRoot, '--http-boot', 'tftp'])).code, 1);
});

test('server-config prints absolute paths, reads the server address and subnet from --interface, and rejects an unknown server', { timeout: 60_000 }, async () => {
  const build = await makeBuildDir();
  const { tftpRoot, loaderDir } = await makeRoots();
  assert.equal((await run(['publish', build, '--tftp-root', tftpRoot, '--pxelinux-dir', loaderDir, '--no-ipxe'])).code, 0);
  const rel = relative(process.cwd(), tftpRoot);
  const lo = await run(['server-config', 'dnsmasq', rel, '--interface', 'lo']);
  assert.equal(lo.code, 0, lo.stderr);
  assert.match(lo.stdout, new RegExp(`^tftp-root=${tftpRoot}$`, 'mu'));
  assert.match(lo.stdout, /^dhcp-range=127\.0\.0\.1,127\.127\.255\.255,255\.0\.0\.0,12h$|^dhcp-range=127\.128\.0\.0,127\.255\.255\.254,255\.0\.0\.0,12h$/mu);
  assert.match(lo.stderr, /no x64 UEFI boot loader/u);
  const bad = await run(['server-config', 'apache', tftpRoot, '--server-ip', '10.0.0.1']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /unknown server "apache": expected dnsmasq, isc, tftpd-hpa, nginx/u);
});
