/**
 * TFTP throughput: remaster's server against tftpd-hpa and dnsmasq serving the same file (the
 * Debian installer initrd, 40 MB) in the same run, fetched by atftp (the client here that speaks
 * windowsize). Run by bench/run.ts inside its own network namespace (`unshare --net`, root), so
 * dnsmasq can have port 69 on a loopback nobody else uses:
 *
 *   unshare --net -- node bench/tftp.ts <file> <workdir>     prints JSON on stdout
 *
 * Servers: remaster (one server, one thread, as createTftpServer runs), remaster ×N (one server per
 * core in worker threads sharing the port with reusePort), tftpd-hpa (a process per transfer) and
 * dnsmasq (one process).
 *
 * Scenarios, each repeated BENCH_RUNS times with the servers interleaved per run:
 * - one client: no options (512-byte lock-step), blksize 1468, blksize 1468 + windowsize 16;
 * - 50 clients at once, blksize 1468 with and without windowsize 16.
 * tftpd-hpa and dnsmasq do not implement windowsize (RFC 7440) and leave it out of their OACK,
 * so against them the windowsize rows run lock-step: that is the comparison the goal asks for.
 * Each single-client download is checked byte for byte (sha256); in the 50-client runs the first
 * client's file is checked and the others write to /dev/null. Server CPU time is read from
 * /proc (utime+stime) for remaster and dnsmasq; in.tftpd forks a child per transfer that it does
 * not wait for, so its CPU time is not measured (reported as –).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';

const [file, work] = process.argv.slice(2) as [string, string];
const RUNS = Math.max(1, Number.parseInt(process.env.BENCH_RUNS ?? '3', 10) || 3);
const PARALLEL = 50;
const ROOT = resolve(work, 'tftp-root');
const NAME = 'initrd.gz';
const TICK = 100; // USER_HZ

interface Server {
  name: string;
  port: number;
  proc: ChildProcess;
  /** CPU seconds used so far by the server process (NaN when not measurable). */
  cpu(): number;
}

interface Row {
  scenario: 'single' | 'parallel';
  variant: string;
  server: string;
  seconds: number[];
  median: number;
  /** Server CPU seconds per run, median. */
  cpu: number;
  /** MB/s over all bytes delivered (one file, or 50). */
  mbps: number;
}

function procCpu(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  // After the ")" comes field 3 (state): utime and stime, fields 14 and 15, are at 11 and 12 here.
  return (Number(fields[11]) + Number(fields[12])) / TICK;
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function waitReady(proc: ChildProcess, what: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start`)), 10_000);
    proc.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) {
        clearTimeout(timer);
        resolvePromise();
      }
    });
    proc.on('exit', (code) => reject(new Error(`${what} exited (${code})`)));
  });
}

/** Poll a server with a tiny download until it answers. */
async function answers(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      execFileSync('atftp', ['-g', '-r', 'ready', '-l', '/dev/null', '127.0.0.1', String(port)], { stdio: 'ignore', timeout: 2000 });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`nothing answers on port ${port}`);
}

/** Every server process started, killed when this process ends however it ends. */
const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

async function startServers(): Promise<Server[]> {
  const remaster = spawn(process.execPath, [join(import.meta.dirname, 'tftp-serve.ts'), ROOT, '127.0.0.1', '6969', '64'], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(remaster);
  await waitReady(remaster, 'remaster');
  // The same with one server per core (worker threads sharing the port with SO_REUSEPORT).
  const threads = String(Math.max(2, cpus().length));
  const remasterMt = spawn(process.execPath, [join(import.meta.dirname, 'tftp-serve.ts'), ROOT, '127.0.0.1', '6971', '64', threads], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(remasterMt);
  await waitReady(remasterMt, 'remaster (threads)');
  // -L foreground, -s chroot to the root (what tftpd-hpa's Debian default does), -a address:port.
  const hpa = spawn('in.tftpd', ['-L', '-s', ROOT, '-a', '127.0.0.1:6970'], { stdio: 'ignore' });
  // DNS off (--port=0); TFTP only, on 127.0.0.1:69 of this namespace; as many transfers as clients.
  children.push(hpa);
  const dnsmasq = spawn('dnsmasq', ['--keep-in-foreground', '--conf-file=/dev/null', '--port=0', '--enable-tftp', `--tftp-root=${ROOT}`, '--tftp-max=64', '--listen-address=127.0.0.1', '--bind-interfaces', '--user=root', '--pid-file=', '--quiet-tftp', '--log-facility=/dev/null'], { stdio: 'ignore' });
  children.push(dnsmasq);
  const servers: Server[] = [
    { name: 'remaster', port: 6969, proc: remaster, cpu: () => procCpu(remaster.pid as number) },
    { name: `remaster ×${threads}`, port: 6971, proc: remasterMt, cpu: () => procCpu(remasterMt.pid as number) },
    { name: 'tftpd-hpa', port: 6970, proc: hpa, cpu: () => Number.NaN },
    { name: 'dnsmasq', port: 69, proc: dnsmasq, cpu: () => procCpu(dnsmasq.pid as number) },
  ];
  for (const s of servers) await answers(s.port);
  return servers;
}

function atftp(port: number, options: string[], out: string): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const args = [...options.flatMap((o) => ['--option', o]), '-g', '-r', NAME, '-l', out, '127.0.0.1', String(port)];
    const p = spawn('atftp', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    p.on('exit', (code) => (code === 0 ? resolvePromise(0) : reject(new Error(`atftp ${args.join(' ')} exited ${code}: ${err.slice(0, 300)}`))));
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

async function main(): Promise<void> {
  execFileSync('ip', ['link', 'set', 'lo', 'up']);
  // in.tftpd resolves its -a address with AI_ADDRCONFIG, which finds no IPv4 in a namespace that
  // has only loopback and fails (exit 66): give the namespace a veth pair with an address.
  execFileSync('ip', ['link', 'add', 'rmb0', 'type', 'veth', 'peer', 'name', 'rmb1']);
  execFileSync('ip', ['addr', 'add', '10.255.0.1/24', 'dev', 'rmb0']);
  for (const dev of ['rmb0', 'rmb1']) execFileSync('ip', ['link', 'set', dev, 'up']);
  mkdirSync(ROOT, { recursive: true });
  const target = join(ROOT, NAME);
  if (!existsSync(target) || statSync(target).size !== statSync(file).size) copyFileSync(file, target);
  copyFileSync(join(import.meta.dirname, 'tftp-serve.ts'), join(ROOT, 'ready'));
  const expected = sha256(target);
  const size = statSync(target).size;
  const servers = await startServers();
  const rows: Row[] = [];
  const variants: [string, string[]][] = [['512 lock-step', []], ['blksize 1468', ['blksize 1468']], ['blksize 1468 + windowsize 16', ['blksize 1468', 'windowsize 16']]];
  const scenarios = [
    ...variants.map(([v, o]) => ({ scenario: 'single' as const, variant: v, options: o })),
    ...variants.slice(1).map(([v, o]) => ({ scenario: 'parallel' as const, variant: v, options: o })),
  ];
  const out = join(work, 'tftp-out');
  try {
    for (const sc of scenarios) {
      const samples = new Map(servers.map((s) => [s.name, { seconds: [] as number[], cpu: [] as number[] }]));
      for (let r = 0; r < RUNS; r++) {
        for (const s of servers) {
          rmSync(out, { force: true });
          const cpu0 = s.cpu();
          const t0 = performance.now();
          if (sc.scenario === 'single') await atftp(s.port, sc.options, out);
          else await Promise.all(Array.from({ length: PARALLEL }, (_, i) => atftp(s.port, sc.options, i === 0 ? out : '/dev/null')));
          const dt = (performance.now() - t0) / 1000;
          const cpu = s.cpu() - cpu0;
          if (sha256(out) !== expected) throw new Error(`${s.name} ${sc.variant}: the downloaded file differs`);
          samples.get(s.name)!.seconds.push(dt);
          samples.get(s.name)!.cpu.push(cpu);
          process.stderr.write(`  tftp ${sc.scenario.padEnd(8)} ${sc.variant.padEnd(28)} ${s.name.padEnd(12)} ${dt.toFixed(3)} s  server cpu ${Number.isNaN(cpu) ? '–' : `${cpu.toFixed(2)} s`}\n`);
        }
      }
      for (const s of servers) {
        const { seconds, cpu } = samples.get(s.name)!;
        const m = median(seconds);
        const bytes = size * (sc.scenario === 'single' ? 1 : PARALLEL);
        rows.push({ scenario: sc.scenario, variant: sc.variant, server: s.name, seconds, median: m, cpu: median(cpu), mbps: bytes / m / 1e6 });
      }
    }
  } finally {
    for (const s of servers) s.proc.kill('SIGTERM');
    rmSync(out, { force: true });
  }
  process.stdout.write(`${JSON.stringify({ size, parallel: PARALLEL, runs: RUNS, rows, versions: versions() })}\n`);
}

function versions(): Record<string, string> {
  const q = (pkg: string): string => execFileSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' }).trim();
  return { 'tftpd-hpa': q('tftpd-hpa'), dnsmasq: q('dnsmasq-base'), atftp: q('atftp'), node: process.version };
}

await main();
