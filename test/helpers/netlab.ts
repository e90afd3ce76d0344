/**
 * A boot network for tests with real servers, on top of netns.ts: a LAN
 * (a bridge in its own namespace, named after this process) with the boot
 * server as one host on it (10.99.0.1/24 on its eth0), one tap per QEMU
 * client, and the daemons under test (dnsmasq, dhcpd, in.tftpd, nginx)
 * started on the server host, or on a peer (another host on the segment,
 * e.g. the site's own DHCP server beside a proxyDHCP server, which could
 * not share port 67 with it on one host), on configuration files the test
 * wrote. The fixed subnet exists only inside these namespaces; nothing is
 * configured on the machine's own network, and everything goes away when
 * the test ends.
 *
 * Needs root (namespaces, taps) and iproute2's `ip` and `ss`: openNetLab(t)
 * skips locally and fails under CI=true when one is missing. Waits are
 * bounded: a daemon that does not bind its port within DAEMON_READY_MS is
 * an error with its log.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { createLan, requireNetns, waitFor, type Lan, type NetnsHost } from './netns.ts';
import { bootTap, makeNonce, type BootResult } from './qemu.ts';
import { requireTool } from './tools.ts';

const LAB_PREFIX = '10.99.0';
/** The boot server's address on the lab network. */
export const LAB_SERVER_IP = `${LAB_PREFIX}.1`;
export const LAB_SUBNET = `${LAB_PREFIX}.0/24`;
/** The boot server's interface on the lab network (inside its namespace). */
export const LAB_IFACE = 'eth0';
const DAEMON_READY_MS = 10_000;

/** A daemon running in the lab. */
export interface LabDaemon {
  name: string;
  /** Everything it wrote on stdout and stderr so far. */
  log(): string;
  stop(): Promise<void>;
}

/** One QEMU client on the lab network. */
export interface LabClient {
  name: string;
  firmware: 'bios' | 'uefi' | 'uefi-secure';
  mac: string;
  /** NIC model and options: `virtio-net-pci` carries QEMU's iPXE ROM; `virtio-net-pci,romfile=` leaves OVMF its own PXE. */
  nic: string;
  /** A local disk, tried after the network (bootindex 2). */
  disk?: string;
  /** Regexps the console must show ("NONCE" is replaced by `nonce`). */
  expect: RegExp[];
  nonce?: string;
  timeoutMs: number;
}

/** True when something in `host`'s namespace listens on `port`. */
function listening(host: NetnsHost, proto: 'udp' | 'tcp', port: number): boolean {
  const r = spawnSync('ip', ['netns', 'exec', host.ns, 'ss', '-H', proto === 'udp' ? '-uln' : '-tln', `sport = :${port}`], { encoding: 'utf8', timeout: 10_000 });
  return r.status === 0 && r.stdout.trim() !== '';
}

/** Stop a daemon: SIGTERM, SIGKILL after 3 s. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await gone;
  clearTimeout(timer);
}

/** A LAN with the boot server, peers, daemons and QEMU clients. */
export class NetLab {
  readonly lan: Lan;
  readonly server: NetnsHost;
  readonly dir: string;
  #peers = 0;

  private constructor(lan: Lan, server: NetnsHost, dir: string) {
    this.lan = lan;
    this.server = server;
    this.dir = dir;
  }

  /** Create the LAN and the server host; both go away when the test ends. */
  static async create(t: TestContext): Promise<NetLab> {
    const lan = createLan(t, { prefix: LAB_PREFIX });
    const server = await lan.addHost('srv', 1);
    const dir = await mkdtemp(join(tmpdir(), `remaster-lab-${process.pid}-`));
    t.after(() => rm(dir, { recursive: true, force: true }));
    return new NetLab(lan, server, dir);
  }

  /** Command prefix that runs a program on the server host. */
  get exec(): string[] {
    return ['ip', 'netns', 'exec', this.server.ns];
  }

  /** Add another machine on the segment with address <prefix>.`lastOctet`. */
  addPeer(lastOctet: number): Promise<NetnsHost> {
    return this.lan.addHost(`p${this.#peers++}`, lastOctet);
  }

  /** Start `command` on the server (or on `on`); resolve when it listens on `port` (udp or tcp). */
  async start(name: string, command: string[], ready: { proto: 'udp' | 'tcp'; port: number }, on: NetnsHost = this.server): Promise<LabDaemon> {
    const logFile = join(this.dir, `${name}.log`);
    const fd = openSync(logFile, 'a');
    const child = on.spawn(command[0] as string, command.slice(1), { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    const log = (): string => readFileSync(logFile, 'utf8');
    const daemon: LabDaemon = { name, log, stop: () => stopChild(child) };
    try {
      await waitFor(() => {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited during start-up`);
        return listening(on, ready.proto, ready.port) ? true : undefined;
      }, DAEMON_READY_MS, `${name} to listen on ${ready.proto} port ${ready.port}`);
    } catch (err) {
      await daemon.stop();
      throw new Error(`${(err as Error).message}:\n${log()}`);
    }
    return daemon;
  }

  /** Boot one client on a fresh tap; the network first, then its disk. */
  boot(client: LabClient): Promise<BootResult> {
    return bootTap({
      netns: this.lan.ns, tap: this.lan.addTap(), mac: client.mac, nic: client.nic,
      uefi: client.firmware !== 'bios', secureBoot: client.firmware === 'uefi-secure',
      ...(client.disk === undefined ? {} : { disk: client.disk }),
      expect: client.expect, timeoutMs: client.timeoutMs, nonce: client.nonce ?? makeNonce(),
    });
  }
}

/** Open a lab torn down when the test ends; skip (locally) or fail (CI=true) without root, ip or ss. */
export async function openNetLab(t: TestContext): Promise<NetLab | undefined> {
  if (!requireNetns(t) || !requireTool(t, 'ss')) return undefined;
  return NetLab.create(t);
}
