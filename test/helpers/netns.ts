/**
 * Private Ethernet segments for network tests: a "LAN" network namespace
 * holding a bridge, "hosts" (one namespace each, joined to the bridge by a
 * veth pair, eth0 inside) and tap devices for QEMU guests. Every name carries
 * the test process's pid, so parallel runs and other sessions never collide;
 * nothing is attached to the machine's own network, so no packet leaves.
 * Processes started through a host are killed, and every namespace deleted,
 * when the test ends (t.after) or close() is called. Needs root and `ip`
 * (iproute2): locally a test without them is skipped with a notice, under
 * CI=true it fails.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { requireTool } from './tools.ts';

let counter = 0;

/** Result of a command run to completion inside a namespace. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** A namespace on the LAN with an address on eth0. */
export interface NetnsHost {
  ns: string;
  address: string;
  /** The interface inside the host's namespace. */
  iface: string;
  /** MAC of eth0 (lowercase, colons). */
  mac: string;
  /** Start a long-running process inside the namespace; killed at cleanup. */
  spawn(cmd: string, args: string[], options?: SpawnOptions): ChildProcess;
  /** Run a command inside the namespace to completion (killed after timeoutMs, default 30 s). */
  run(cmd: string, args: string[], options?: { timeoutMs?: number }): Promise<RunResult>;
}

/** A bridged segment; hosts and QEMU taps plug into it. */
export interface Lan {
  /** Namespace holding the bridge and the taps (run QEMU here). */
  ns: string;
  bridge: string;
  /** First three octets of the /24 (e.g. "10.77.3"). */
  prefix: string;
  /** Add a host namespace with `<prefix>.<lastOctet>/24` on eth0. */
  addHost(name: string, lastOctet: number): Promise<NetnsHost>;
  /** Add a tap device on the bridge for a QEMU guest; return its name. */
  addTap(): string;
  /** Start a process in the LAN namespace (QEMU with the tap); killed at cleanup. */
  spawn(cmd: string, args: string[], options?: SpawnOptions): ChildProcess;
  /** Kill the processes started here and delete every namespace. */
  close(): Promise<void>;
}

function ip(args: string[]): string {
  const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** Return true when network namespaces can be made here; skip (local) or fail (CI) otherwise. */
export function requireNetns(t: TestContext): boolean {
  if (!requireTool(t, 'ip')) return false;
  if (process.getuid?.() === 0) return true;
  const msg = 'needs root to create network namespaces';
  if (process.env.CI === 'true') throw new Error(`${msg}; CI runs as root`);
  t.diagnostic(`SKIPPED: ${msg}`);
  t.skip(msg);
  return false;
}

function killAndWait(child: ChildProcess, timeoutMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGKILL');
  });
}

/** Run a command to completion with a bound on its time. */
export function runBounded(cmd: string, args: string[], timeoutMs = 30_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

/** Wait until `check` returns a value other than undefined, polling every 50 ms, at most timeoutMs. */
export async function waitFor<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Create a LAN namespace with a bridge; it is torn down when the test ends. Subnet 10.77.<n>.0/24, or
 * `<prefix>.0/24` when given (a fixed subnet is safe: it exists only inside this LAN's namespaces).
 */
export function createLan(t: TestContext, options: { prefix?: string } = {}): Lan {
  const id = `${process.pid}-${++counter}`;
  const lanNs = `remaster-${id}-lan`;
  const prefix = options.prefix ?? `10.77.${counter % 250}`;
  const namespaces = [lanNs];
  const children: ChildProcess[] = [];
  let taps = 0;
  let veths = 0;
  ip(['netns', 'add', lanNs]);
  const inNs = (ns: string) => (cmd: string, args: string[], options: SpawnOptions = {}) => {
    const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    child.on('error', () => {}); // reported through exit codes; never crash the test runner
    children.push(child);
    return child;
  };
  const lan: Lan = {
    ns: lanNs,
    bridge: 'br0',
    prefix,
    async addHost(name, lastOctet) {
      const ns = `remaster-${id}-${name}`;
      ip(['netns', 'add', ns]);
      namespaces.push(ns);
      const port = `vh${++veths}`;
      ip(['-n', lanNs, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      ip(['-n', lanNs, 'link', 'set', port, 'master', 'br0', 'up']);
      ip(['-n', ns, 'link', 'set', 'lo', 'up']);
      ip(['-n', ns, 'addr', 'add', `${prefix}.${lastOctet}/24`, 'dev', 'eth0']);
      ip(['-n', ns, 'link', 'set', 'eth0', 'up']);
      const mac = /link\/ether ([0-9a-f:]{17})/.exec(ip(['-n', ns, 'link', 'show', 'eth0']))?.[1] ?? '';
      const spawnIn = inNs(ns);
      return {
        ns,
        address: `${prefix}.${lastOctet}`,
        iface: 'eth0',
        mac,
        spawn: spawnIn,
        run: (cmd, args, options = {}) => runBounded('ip', ['netns', 'exec', ns, cmd, ...args], options.timeoutMs),
      };
    },
    addTap() {
      const tap = `tap${++taps}`;
      ip(['-n', lanNs, 'tuntap', 'add', 'dev', tap, 'mode', 'tap']);
      ip(['-n', lanNs, 'link', 'set', tap, 'master', 'br0', 'up']);
      return tap;
    },
    spawn: inNs(lanNs),
    async close() {
      await Promise.all(children.map((c) => killAndWait(c)));
      for (const ns of namespaces.splice(0).reverse()) spawnSync('ip', ['netns', 'del', ns], { timeout: 10_000 });
    },
  };
  try {
    ip(['-n', lanNs, 'link', 'set', 'lo', 'up']);
    ip(['-n', lanNs, 'link', 'add', 'br0', 'type', 'bridge', 'forward_delay', '0', 'stp_state', '0']);
    ip(['-n', lanNs, 'link', 'set', 'br0', 'up']);
  } catch (err) {
    void lan.close();
    throw err;
  }
  t.after(() => lan.close());
  return lan;
}

/**
 * Start dnsmasq on `site`'s eth0 as a site DHCP server that hands out addresses only (<prefix>.100–150,
 * no PXE options, no boot file, no DNS) plus whatever `confFile` adds, its lease and pid files in `dir`;
 * resolve once it serves. `log()` returns what it has logged so far (--log-dhcp).
 */
export async function startSiteDhcp(lan: Lan, site: NetnsHost, dir: string, confFile?: string): Promise<{ child: ChildProcess; log: () => string }> {
  const child = site.spawn('dnsmasq', ['--no-daemon', '--conf-file=/dev/null', '--port=0', '--interface=eth0', '--bind-interfaces', '--user=root',
    `--dhcp-range=${lan.prefix}.100,${lan.prefix}.150,255.255.255.0,1h`, `--dhcp-leasefile=${join(dir, 'leases')}`, `--pid-file=${join(dir, 'dnsmasq.pid')}`,
    '--log-dhcp', '--log-facility=-', ...(confFile !== undefined ? [`--conf-file=${confFile}`] : [])]);
  let log = '';
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  await waitFor(() => (log.includes('DHCP, IP range') ? true : undefined), 15_000, 'dnsmasq to start').catch((err: Error) => {
    throw new Error(`${err.message}: ${log}`);
  });
  return { child, log: () => log };
}

/** A LAN for boot-server tests: host "site" (<prefix>.2) runs startSiteDhcp (files in `dir`); host "boot" (<prefix>.1) is the test's. */
export async function createSiteLan(t: TestContext, dir: string): Promise<{ lan: Lan; boot: NetnsHost; siteDhcp: { child: ChildProcess; log: () => string } }> {
  const lan = createLan(t);
  const site = await lan.addHost('site', 2);
  const boot = await lan.addHost('boot', 1);
  return { lan, boot, siteDhcp: await startSiteDhcp(lan, site, dir) };
}
