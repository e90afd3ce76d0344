/**
 * A private boot network for tests with real servers: a network namespace
 * named after this process (`rlab-<pid>-<n>`) holding a bridge with the
 * server address 10.99.0.1/24, one tap per QEMU client, and the daemons
 * under test (dnsmasq, dhcpd, in.tftpd, nginx), each started inside the
 * namespace on configuration files the test wrote. addPeer() adds another
 * machine on the same segment (a second namespace joined to the bridge by a
 * veth pair), e.g. the site's own DHCP server beside a proxyDHCP server,
 * which could not share port 67 with it on one host. Nothing is configured
 * outside the namespace: no address, route or firewall rule of the machine
 * changes, and the namespace (with everything in it) goes away in close(),
 * on process exit too.
 *
 * Needs root (namespaces, taps) and iproute2's `ip` and `ss`; a test calls
 * openNetLab(t), which skips locally and fails under CI=true when either is
 * missing. Waits are bounded: a daemon that does not bind its port within
 * DAEMON_READY_MS is an error with its log.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { makeNonce, ovmfArgs, runQemu, type BootResult } from './qemu.ts';
import { hasTool } from './tools.ts';

/** The server's address on the lab network. */
export const LAB_SERVER_IP = '10.99.0.1';
export const LAB_SUBNET = '10.99.0.0/24';
export const LAB_BRIDGE = 'rbr0';
const DAEMON_READY_MS = 10_000;
const POLL_MS = 100;

let labs = 0;

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

function runIp(args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')} failed: ${r.stderr}`);
}

/** True when something in the namespace `on` runs listens on `port`. */
function listening(on: string[], proto: 'udp' | 'tcp', port: number): boolean {
  const r = spawnSync(on[0] as string, [...on.slice(1), 'ss', '-H', proto === 'udp' ? '-uln' : '-tln', `sport = :${port}`], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() !== '';
}

/** A network namespace with a bridge, taps, daemons and QEMU clients. */
export class NetLab {
  readonly ns: string;
  readonly dir: string;
  #taps = 0;
  #peers: string[] = [];
  #daemons: { name: string; child: ChildProcess; logFile: string }[] = [];
  #closed = false;
  readonly #onExit = (): void => this.#removeSync();

  private constructor(ns: string, dir: string) {
    this.ns = ns;
    this.dir = dir;
  }

  /** Create the namespace, the bridge and its address. */
  static async create(): Promise<NetLab> {
    const ns = `rlab-${process.pid}-${++labs}`;
    const lab = new NetLab(ns, await mkdtemp(join(tmpdir(), `${ns}-`)));
    process.on('exit', lab.#onExit);
    try {
      runIp(['netns', 'add', ns]);
      runIp(['-n', ns, 'link', 'set', 'lo', 'up']);
      runIp(['-n', ns, 'link', 'add', LAB_BRIDGE, 'type', 'bridge']);
      runIp(['-n', ns, 'addr', 'add', `${LAB_SERVER_IP}/24`, 'dev', LAB_BRIDGE]);
      runIp(['-n', ns, 'link', 'set', LAB_BRIDGE, 'up']);
    } catch (err) {
      await lab.close();
      throw err;
    }
    return lab;
  }

  /** Command prefix that runs a program inside the namespace. */
  get exec(): string[] {
    return ['ip', 'netns', 'exec', this.ns];
  }

  /** Add a tap on the bridge and return its name. */
  addTap(): string {
    const name = `rtap${this.#taps++}`;
    runIp(['-n', this.ns, 'tuntap', 'add', name, 'mode', 'tap']);
    runIp(['-n', this.ns, 'link', 'set', name, 'master', LAB_BRIDGE]);
    runIp(['-n', this.ns, 'link', 'set', name, 'up']);
    return name;
  }

  /** Add another machine on the segment with address `ip`/24 and return the command prefix that runs programs on it. */
  addPeer(ip: string): string[] {
    const peer = `${this.ns}-p${this.#peers.length}`;
    const veth = `rveth${this.#peers.length}`;
    runIp(['netns', 'add', peer]);
    this.#peers.push(peer);
    runIp(['-n', this.ns, 'link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', peer]);
    runIp(['-n', this.ns, 'link', 'set', veth, 'master', LAB_BRIDGE]);
    runIp(['-n', this.ns, 'link', 'set', veth, 'up']);
    runIp(['-n', peer, 'addr', 'add', `${ip}/24`, 'dev', 'eth0']);
    runIp(['-n', peer, 'link', 'set', 'eth0', 'up']);
    runIp(['-n', peer, 'link', 'set', 'lo', 'up']);
    return ['ip', 'netns', 'exec', peer];
  }

  /** Start `command` inside the namespace (or on a peer); resolve when it listens on `port` (udp or tcp). */
  async start(name: string, command: string[], ready: { proto: 'udp' | 'tcp'; port: number }, on: string[] = this.exec): Promise<LabDaemon> {
    const logFile = join(this.dir, `${name}.log`);
    const fd = openSync(logFile, 'a');
    const child = spawn(on[0] as string, [...on.slice(1), ...command], { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    const entry = { name, child, logFile };
    this.#daemons.push(entry);
    const log = (): string => readFileSync(logFile, 'utf8');
    const daemon: LabDaemon = { name, log, stop: () => this.#stop(entry) };
    let exited = false;
    child.on('exit', () => { exited = true; });
    for (let waited = 0; waited < DAEMON_READY_MS; waited += POLL_MS) {
      if (exited) throw new Error(`${name} exited during start-up:\n${log()}`);
      if (listening(on, ready.proto, ready.port)) return daemon;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    await daemon.stop();
    throw new Error(`${name} did not listen on ${ready.proto} port ${ready.port} within ${DAEMON_READY_MS} ms:\n${log()}`);
  }

  async #stop(entry: { child: ChildProcess }): Promise<void> {
    const { child } = entry;
    this.#daemons = this.#daemons.filter((d) => d !== entry);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    await gone;
    clearTimeout(timer);
  }

  /** Boot one client on a fresh tap; the network first, then its disk. */
  async boot(client: LabClient): Promise<BootResult> {
    const tap = this.addTap();
    const scratch = await mkdtemp(join(this.dir, `${client.name.replace(/[^a-z0-9]+/giu, '-')}-`));
    const firmware = client.firmware === 'bios' ? [] : await ovmfArgs(scratch, client.firmware === 'uefi-secure');
    const disk = client.disk === undefined ? [] : ['-drive', `file=${client.disk},format=raw,if=none,id=disk0,snapshot=on`, '-device', 'virtio-blk-pci,drive=disk0,bootindex=2'];
    const args = [
      ...firmware,
      '-netdev', `tap,id=n0,ifname=${tap},script=no,downscript=no`,
      '-device', `${client.nic},netdev=n0,mac=${client.mac},bootindex=1`,
      ...disk,
    ];
    return runQemu(args, { expect: client.expect, timeoutMs: client.timeoutMs, wrapper: this.exec }, client.nonce ?? makeNonce());
  }

  /** Stop every daemon and delete the namespace and the scratch directory. */
  async close(): Promise<void> {
    if (this.#closed) return;
    for (const d of [...this.#daemons]) await this.#stop(d);
    this.#removeSync();
    process.off('exit', this.#onExit);
    await rm(this.dir, { recursive: true, force: true });
  }

  #removeSync(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const d of this.#daemons) d.child.kill('SIGKILL');
    for (const ns of [...this.#peers, this.ns]) spawnSync('ip', ['netns', 'delete', ns], { stdio: 'ignore' });
  }
}

/** Open a lab closed when the test ends; skip (locally) or fail (CI=true) without root, ip or ss. */
export async function openNetLab(t: TestContext): Promise<NetLab | undefined> {
  const missing = [...(process.getuid?.() === 0 ? [] : ['root (network namespaces)']), ...['ip', 'ss'].filter((n) => !hasTool(n))];
  if (missing.length > 0) {
    const msg = `needs ${missing.join(', ')}`;
    if (process.env.CI === 'true') throw new Error(`${msg}; CI must provide it`);
    t.diagnostic(`SKIPPED: ${msg}`);
    t.skip(msg);
    return undefined;
  }
  const lab = await NetLab.create();
  t.after(() => lab.close());
  return lab;
}
