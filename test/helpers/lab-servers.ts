/**
 * Running the configurations `remaster server-config` prints, the way an
 * operator's distribution would: each file goes where the package reads it
 * and is used unchanged. What the harness adds is only what the package's
 * own start-up supplies (Debian's nginx.conf around an included server
 * block, the init script's in.tftpd command line around
 * /etc/default/tftpd-hpa, lease and pid files in the lab directory) and
 * the foreground flag that lets the test supervise the daemon.
 */
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { publishTree, type LoaderOptions, type PxeHttpUse } from '../../src/index.ts';
import { LAB_SERVER_IP, type LabDaemon, type NetLab } from './netlab.ts';
import type { NetnsHost } from './netns.ts';
import { runCli } from './run-cli.ts';

/** Run `remaster server-config <args>`; fail with its stderr when it does not exit 0. */
export async function serverConfig(args: string[]): Promise<{ text: string; warnings: string }> {
  const r = await runCli(['server-config', ...args]);
  if (r.code !== 0) throw new Error(`remaster server-config ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return { text: r.stdout, warnings: r.stderr };
}

/** Write `text` under the lab directory and return the path. */
export async function labFile(lab: NetLab, name: string, text: string): Promise<string> {
  const path = join(lab.dir, name);
  await writeFile(path, text);
  return path;
}

/** Start dnsmasq on printed configuration files (plus files the operator keeps, such as dhcp-host lines). */
export function startDnsmasq(lab: NetLab, name: string, confFiles: string[]): Promise<LabDaemon> {
  const leases = join(lab.dir, `${name}.leases`);
  return lab.start(name, [
    'dnsmasq', '--keep-in-foreground', '--log-dhcp', '--log-facility=-', `--dhcp-leasefile=${leases}`, `--pid-file=${join(lab.dir, `${name}.pid`)}`,
    ...confFiles.map((f) => `--conf-file=${f}`),
  ], { proto: 'udp', port: 67 });
}

/** Start ISC dhcpd on a dhcpd.conf for `iface` (on the lab server, or on a peer from lab.addPeer()). */
export async function startDhcpd(lab: NetLab, name: string, conf: string, iface: string, on: NetnsHost = lab.server): Promise<LabDaemon> {
  const leases = await labFile(lab, `${name}.leases`, '');
  return lab.start(name, ['dhcpd', '-4', '-f', '-d', '-cf', conf, '-lf', leases, '-pf', join(lab.dir, `${name}.pid`), iface], { proto: 'udp', port: 67 }, on);
}

/** Parse a shell variable file like /etc/default/tftpd-hpa (KEY="value" lines). */
export function parseDefaults(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/^([A-Z_]+)="([^"]*)"$/gmu)) out[m[1] as string] = m[2] as string;
  return out;
}

/** Start in.tftpd as Debian's init script does from /etc/default/tftpd-hpa, in the foreground. */
export function startTftpdHpa(lab: NetLab, defaults: string): Promise<LabDaemon> {
  const v = parseDefaults(defaults);
  const options = (v.TFTP_OPTIONS ?? '').split(/\s+/u).filter(Boolean);
  // /etc/init.d/tftpd-hpa: in.tftpd --listen --user $TFTP_USERNAME --address $TFTP_ADDRESS $TFTP_OPTIONS $TFTP_DIRECTORY
  return lab.start('in.tftpd', ['in.tftpd', '--foreground', '--listen', '--user', v.TFTP_USERNAME ?? '', '--address', v.TFTP_ADDRESS ?? '', ...options, v.TFTP_DIRECTORY ?? ''], { proto: 'udp', port: 69 });
}

/** Debian's nginx.conf, reduced to what a test needs, including the printed server block. */
export async function nginxMainConfig(lab: NetLab, serverBlock: string): Promise<string> {
  const d = lab.dir;
  return labFile(lab, 'nginx.conf', [
    'user www-data;',
    'worker_processes 1;',
    'daemon off;',
    `pid ${join(d, 'nginx.pid')};`,
    `error_log ${join(d, 'nginx-error.log')};`,
    'events { worker_connections 64; }',
    'http {',
    '    include /etc/nginx/mime.types;',
    `    access_log ${join(d, 'nginx-access.log')};`,
    `    client_body_temp_path ${join(d, 'nginx-body')};`,
    `    include ${serverBlock};`,
    '}',
    '',
  ].join('\n'));
}

/** `nginx -t` on a main configuration, inside the lab (it checks that the listen address exists); return its status and output. */
export function nginxTest(lab: NetLab, mainConf: string): { status: number | null; output: string } {
  const r = spawnSync(lab.exec[0] as string, [...lab.exec.slice(1), 'nginx', '-t', '-e', join(lab.dir, 'nginx-test.log'), '-c', mainConf], { encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** Start nginx in the foreground inside the lab. */
export function startNginx(lab: NetLab, mainConf: string): Promise<LabDaemon> {
  return lab.start('nginx', ['nginx', '-e', join(lab.dir, 'nginx-error.log'), '-c', mainConf], { proto: 'tcp', port: 80 });
}

/** Fetch a file over TFTP from the lab server with tftp-hpa's client; return its bytes' length or the error text. */
export function tftpGet(lab: NetLab, remote: string, local: string): { ok: boolean; output: string } {
  const r = spawnSync(lab.exec[0] as string, [...lab.exec.slice(1), 'tftp', '-m', 'binary', LAB_SERVER_IP, '-c', 'get', remote, local], { encoding: 'utf8', timeout: 30_000 });
  return { ok: r.status === 0 && !/Error|timed out/iu.test(`${r.stdout}${r.stderr}`), output: `${r.stdout}${r.stderr}` };
}

/** GET a URL from inside the lab with curl; return the HTTP status. */
export function httpStatus(lab: NetLab, url: string): number {
  const r = spawnSync(lab.exec[0] as string, [...lab.exec.slice(1), 'curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '10', url], { encoding: 'utf8' });
  return Number(r.stdout);
}

/** The armed machine, and another one that DHCP gives the armed machine's address (the wrong-machine case). */
export const ARMED_MAC = '52:54:00:12:34:56';
export const OTHER_MAC = '52:54:00:99:88:77';
export const ARMED_IP = '10.99.0.50';

/** The installer reached userspace with this tree's nonce. */
export const INSTALLS = /REMASTER-MARKER init=main nonce=NONCE /;
/** The kernel never started. */
export const NO_KERNEL = /Linux version|REMASTER-MARKER/u;

/** Make a world-readable directory, removed after the test, for trees the servers read after dropping privileges (tftp, www-data, dnsmasq). */
export async function sharedDir(t: TestContext, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await chmod(dir, 0o755);
  return dir;
}

/** Publish `kernel` + `initrd` with ARMED_MAC armed (and its IP), into `<base>/tftp` (+ `<base>/www` with `httpUrl`). */
export async function publishLabTree(base: string, o: { kernel: string; initrd: string; nonce: string; httpUrl?: string; http?: PxeHttpUse; loaders: LoaderOptions }): Promise<{ tftpRoot: string; httpRoot: string }> {
  const tftpRoot = join(base, 'tftp');
  const httpRoot = join(base, 'www');
  await mkdir(tftpRoot, { mode: 0o755 });
  await mkdir(httpRoot, { mode: 0o755 });
  await publishTree({
    tftpRoot, ...(o.httpUrl !== undefined ? { httpRoot, httpUrl: o.httpUrl } : {}), ...(o.http !== undefined ? { http: o.http } : {}),
    kernel: o.kernel, initrd: o.initrd, label: 'lab', cmdline: ['console=ttyS0', 'panic=-1', `remaster.nonce=${o.nonce}`],
    hosts: [{ mac: ARMED_MAC, ip: ARMED_IP }], loaders: o.loaders,
  });
  return { tftpRoot, httpRoot };
}

/** Run grub-mknetdir for x86_64-efi into `base` and return the prefix directory to publish. */
export function grubNetDir(base: string, subdir = 'boot/grub'): string {
  const made = spawnSync('grub-mknetdir', [`--net-directory=${join(base, 'grubnet')}`, `--subdir=${subdir}`, '-d', '/usr/lib/grub/x86_64-efi'], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`grub-mknetdir failed: ${made.stderr}`);
  return join(base, 'grubnet', subdir);
}

/** Run `jobs` with at most `limit` at a time (QEMU boots on a 2-core machine), keeping the order of results. */
export async function inPool<T>(limit: number, jobs: (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < jobs.length; i = next++) out[i] = await (jobs[i] as () => Promise<T>)();
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return out;
}
