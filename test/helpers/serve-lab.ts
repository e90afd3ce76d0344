/**
 * The two servers of the serve QEMU labs, each in a host namespace of a LAN (test/helpers/netns.ts):
 * `remaster serve` from the built CLI (TFTP on 69, HTTP on 8080, ProxyDHCP on the host's address) and
 * the site's dnsmasq, which hands out addresses (and whatever a configuration file adds).
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { waitFor, type NetnsHost } from './netns.ts';
import { CLI } from './run-cli.ts';

/** A server process and what it wrote so far. */
export interface LabProcess {
  child: ChildProcess;
  /** Its stderr (serve's JSON log lines, dnsmasq's --log-dhcp lines). */
  log(): string;
}

/** Start `remaster serve <tftpRoot> --proxy-dhcp` on `host` with its state in `stateDir`; resolve once it serves. */
export async function startServe(host: NetnsHost, tftpRoot: string, stateDir: string): Promise<LabProcess & { url: string }> {
  const child = host.spawn(process.execPath, [CLI, 'serve', tftpRoot, '--listen', host.address, '--tftp-port', '69', '--http-port', '8080', '--proxy-dhcp', host.address, '--state', stateDir]);
  let out = '';
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  await waitFor(() => (out.includes('serving') ? true : undefined), 30_000, `remaster serve to start: ${out}${log}`);
  return { child, log: () => log, url: `http://${host.address}:8080` };
}

/** Start dnsmasq on `host` handing out `<prefix>.100`–`.150` (leases and pid file in `dir`), plus `confFile`; resolve once DHCP is up. */
export async function startSiteDnsmasq(host: NetnsHost, prefix: string, dir: string, confFile?: string): Promise<LabProcess> {
  const child = host.spawn('dnsmasq', ['--no-daemon', '--conf-file=/dev/null', '--port=0', '--interface=eth0', '--bind-interfaces', '--user=root',
    `--dhcp-range=${prefix}.100,${prefix}.150,255.255.255.0,1h`, `--dhcp-leasefile=${join(dir, 'leases')}`, `--pid-file=${join(dir, 'dnsmasq.pid')}`,
    '--log-dhcp', '--log-facility=-', ...(confFile !== undefined ? [`--conf-file=${confFile}`] : [])]);
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  await waitFor(() => (log.includes('DHCP, IP range') ? true : undefined), 15_000, `dnsmasq to start: ${log}`);
  return { child, log: () => log };
}
