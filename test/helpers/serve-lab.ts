/**
 * `remaster serve` from the built CLI in a host namespace of a LAN (test/helpers/netns.ts) for the serve
 * QEMU labs: TFTP on 69, HTTP on 8080, ProxyDHCP on the host's address. The site's dnsmasq is netns.ts's
 * startSiteDhcp.
 */
import type { ChildProcess } from 'node:child_process';
import { waitFor, type NetnsHost } from './netns.ts';
import { CLI } from './run-cli.ts';

/** A server process and what it wrote so far. */
export interface LabProcess {
  child: ChildProcess;
  /** Its stderr (serve's JSON log lines, dnsmasq's --log-dhcp lines). */
  log(): string;
}

/**
 * Start `remaster serve <tftpRoot> --proxy-dhcp` on `host` with its state in `stateDir` and `options.args`
 * (e.g. `--ui`); resolve once its stdout shows `options.ready` (default "serving").
 */
export async function startServe(host: NetnsHost, tftpRoot: string, stateDir: string, options: { args?: string[]; ready?: string } = {}): Promise<LabProcess & { url: string }> {
  const child = host.spawn(process.execPath, [CLI, 'serve', tftpRoot, ...(options.args ?? []), '--listen', host.address, '--tftp-port', '69', '--http-port', '8080', '--proxy-dhcp', host.address, '--state', stateDir]);
  let out = '';
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  await waitFor(() => (out.includes(options.ready ?? 'serving') ? true : undefined), 30_000, `remaster serve to start: ${out}${log}`);
  return { child, log: () => log, url: `http://${host.address}:8080` };
}
