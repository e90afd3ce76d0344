/**
 * Boot tests under QEMU (TCG: no KVM needed). The guest's serial console is
 * captured and matched against expectations; a random nonce put on the kernel
 * command line (remaster.nonce=...) proves a marker comes from this run: every
 * "NONCE" in an expectation's source is replaced by it. QEMU is killed at the
 * timeout, or shortly after every expectation matched when the guest does not
 * power off by itself. The only network a guest ever gets is QEMU's user-mode
 * stack with restrict=on (built-in DHCP and TFTP; nothing leaves the process).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const QEMU = 'qemu-system-x86_64';
const BASE_ARGS = ['-accel', 'tcg', '-nographic', '-no-reboot'];
const DEFAULT_TIMEOUT_MS = 120_000;
const DEFAULT_MEMORY_MIB = 512;
/** Time a guest gets to power off by itself after the last expectation matched. */
const POWEROFF_GRACE_MS = 3_000;

/** Outcome of one QEMU run. */
export interface BootResult {
  /** Every expectation matched the console log. */
  passed: boolean;
  /** Serial console and QEMU messages, CR/LF normalised to LF. */
  log: string;
  durationMs: number;
  /** QEMU's exit code; null when it was killed. */
  exitCode: number | null;
  timedOut: boolean;
  /** The nonce substituted for NONCE in the expectations. */
  nonce: string;
  /** Expectations (after substitution) that never matched. */
  missing: RegExp[];
}

interface CommonOptions {
  /** Regexps the console log must match; "NONCE" in a source is replaced by the nonce. */
  expect: RegExp | RegExp[];
  timeoutMs?: number;
  memoryMiB?: number;
  /** Use this nonce instead of a random one (needed when the caller writes it into a boot config). */
  nonce?: string;
  extraArgs?: string[];
  /** Run QEMU inside this network namespace (ip netns exec), e.g. to reach a tap device there. */
  netns?: string;
}

export interface BootKernelOptions extends CommonOptions {
  kernel: string;
  initrd: string;
  /** Appended to "console=ttyS0 panic=-1"; remaster.nonce=<nonce> is added last. */
  append?: string;
  /** Give the guest QEMU's restricted user-mode network (DHCP) and serve this directory at GUEST_HTTP_URL. */
  httpRoot?: string;
  httpLog?: string;
  /**
   * Instead of httpRoot: the guest's GUEST_HTTP_URL reaches this TCP port on the host's loopback (a server
   * of the test, such as `remaster serve`), through test/helpers/tcp-stdio.ts; its request lines go to httpLog.
   */
  forwardPort?: number;
  /** The guest NIC's MAC (with httpRoot or forwardPort). */
  mac?: string;
}

export interface BootPxeOptions extends CommonOptions {
  /** Directory served by QEMU's built-in TFTP server. */
  tftpRoot: string;
  /** File the DHCP reply names (pxelinux.0, boot.ipxe, core.efi ...), relative to tftpRoot. */
  bootfile: string;
  mac?: string;
  /** Boot through OVMF instead of SeaBIOS + the iPXE option ROM. */
  uefi?: boolean;
  /** With uefi: OVMF's Secure Boot build with Microsoft's keys enrolled, enforcing (q35 with SMM). */
  secureBoot?: boolean;
  /** NIC model; virtio-net-pci unless given (e1000 for iPXE script tests). */
  nic?: string;
  /**
   * Serve this directory at http://10.0.2.100/ inside the guest: QEMU's guestfwd runs
   * test/helpers/http-stdio.ts for every connection (no socket on the host). Requests are
   * appended to `httpLog` as "<status> <path>" lines.
   */
  httpRoot?: string;
  httpLog?: string;
}

/** The guest address where BootPxeOptions.httpRoot is served. */
export const GUEST_HTTP_URL = 'http://10.0.2.100';

export interface BootIsoOptions extends CommonOptions {
  iso: string;
  firmware: 'bios' | 'uefi';
  /** El Torito from a CD-ROM drive, or the hybrid image as a (read-only) disk. */
  as: 'cdrom' | 'disk';
}

/** Return a fresh random nonce for the kernel command line. */
export function makeNonce(): string {
  return randomBytes(8).toString('hex');
}

function withNonce(expect: RegExp | RegExp[], nonce: string): RegExp[] {
  // drop g/y: a stateful lastIndex would make repeated test() calls flaky
  return [expect].flat().map((re) => new RegExp(re.source.replaceAll('NONCE', nonce), re.flags.replace(/[gy]/g, '')));
}

/** Locate OVMF; pflash CODE + a private copy of VARS when split, else the combined image. */
async function ovmfArgs(scratch: string, secureBoot = false): Promise<string[]> {
  if (secureBoot) {
    // Debian's ovmf: the SMM-protected Secure Boot build and variables with Microsoft's keys
    // enrolled and Secure Boot on (what shim-signed is signed for); SMM needs q35.
    const code = '/usr/share/OVMF/OVMF_CODE_4M.secboot.fd';
    const vars = '/usr/share/OVMF/OVMF_VARS_4M.ms.fd';
    if (!existsSync(code) || !existsSync(vars)) throw new Error('OVMF Secure Boot images not found (apt-get install ovmf)');
    const myVars = join(scratch, 'OVMF_VARS_4M.ms.fd');
    await copyFile(vars, myVars);
    return [
      '-machine', 'q35,smm=on', '-global', 'driver=cfi.pflash01,property=secure,value=on',
      '-drive', `if=pflash,format=raw,unit=0,readonly=on,file=${code}`,
      '-drive', `if=pflash,format=raw,unit=1,file=${myVars}`,
    ];
  }
  const code = '/usr/share/OVMF/OVMF_CODE.fd';
  const vars = '/usr/share/OVMF/OVMF_VARS.fd';
  if (existsSync(code) && existsSync(vars)) {
    const myVars = join(scratch, 'OVMF_VARS.fd');
    await copyFile(vars, myVars);
    return [
      '-drive', `if=pflash,format=raw,readonly=on,file=${code}`,
      '-drive', `if=pflash,format=raw,file=${myVars}`,
    ];
  }
  if (existsSync('/usr/share/ovmf/OVMF.fd')) return ['-bios', '/usr/share/ovmf/OVMF.fd'];
  throw new Error('OVMF not found (apt-get install ovmf)');
}

/** A run that ended early with no verdict from the guest (seen once under TCG on a loaded 2-core machine). */
function inconclusive(r: BootResult): boolean {
  return !r.passed && !r.timedOut && !/Kernel panic|Initramfs unpacking failed|not syncing|REMASTER-/.test(r.log);
}

/** Run QEMU; an inconclusive early exit is retried once, and says so on stderr. */
async function runQemu(args: string[], options: CommonOptions, nonce: string): Promise<BootResult> {
  const first = await runQemuOnce(args, options, nonce);
  if (!inconclusive(first)) return first;
  process.stderr.write(`[qemu] run ended after ${first.durationMs} ms (exit ${first.exitCode}) without a verdict; retrying once\n`);
  return runQemuOnce(args, options, nonce);
}

/** Run QEMU with `args` until it exits, the timeout, or all expectations matched plus a grace period. */
async function runQemuOnce(args: string[], options: CommonOptions, nonce: string): Promise<BootResult> {
  const expectations = withNonce(options.expect, nonce);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const memory = String(options.memoryMiB ?? DEFAULT_MEMORY_MIB);
  const started = performance.now();
  const qemuArgs = [...BASE_ARGS, '-m', memory, ...args, ...(options.extraArgs ?? [])];
  // `ip netns exec` execs QEMU in place, so killing the child kills QEMU
  const child = options.netns === undefined
    ? spawn(QEMU, qemuArgs, { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn('ip', ['netns', 'exec', options.netns, QEMU, ...qemuArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  let raw = '';
  let timedOut = false;
  let graceTimer: NodeJS.Timeout | undefined;
  // Firmware and loaders position the cursor with ANSI CSI sequences (pxelinux prints
  // "PXELINUX \e[25;09H\e[25;10H6.04" on some terminals): match the text a person would read.
  const log = () => raw.replace(/\r\n?/g, '\n').replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
  const missing = () => {
    const text = log();
    return expectations.filter((re) => !re.test(text));
  };
  const onData = (chunk: Buffer) => {
    raw += chunk.toString('latin1');
    if (graceTimer === undefined && missing().length === 0) {
      graceTimer = setTimeout(() => child.kill('SIGKILL'), POWEROFF_GRACE_MS);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const timeout = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  const exitCode = await new Promise<number | null>((done, fail) => {
    child.on('error', fail);
    child.on('close', (code) => done(code));
  }).finally(() => {
    clearTimeout(timeout);
    clearTimeout(graceTimer);
  });
  const left = missing();
  return {
    passed: left.length === 0,
    log: log(),
    durationMs: Math.round(performance.now() - started),
    exitCode,
    timedOut,
    nonce,
    missing: left,
  };
}

/** Boot a kernel and initrd directly (-kernel/-initrd) with the console on the serial port. */
export async function bootKernel(options: BootKernelOptions): Promise<BootResult> {
  const nonce = options.nonce ?? makeNonce();
  const append = ['console=ttyS0', 'panic=-1', options.append, `remaster.nonce=${nonce}`].filter(Boolean).join(' ');
  const log = options.httpLog ?? join(tmpdir(), `remaster-http-${nonce}.log`);
  const forward = options.httpRoot !== undefined ? httpForward(options.httpRoot, log) : options.forwardPort !== undefined ? tcpForward(options.forwardPort, log) : undefined;
  const nic = forward === undefined
    ? ['-nic', 'none']
    : ['-netdev', `user,id=n0,restrict=on,${forward}`, '-device', `virtio-net-pci,netdev=n0${options.mac !== undefined ? `,mac=${options.mac}` : ''}`];
  const args = [...nic, '-kernel', options.kernel, '-initrd', options.initrd, '-append', append];
  return runQemu(args, options, nonce);
}

/** Network-boot from a TFTP directory through QEMU's restricted user-mode network. */
export async function bootPxe(options: BootPxeOptions): Promise<BootResult> {
  const nonce = options.nonce ?? makeNonce();
  const scratch = await mkdtemp(join(tmpdir(), 'remaster-qemu-'));
  try {
    const firmware = options.uefi === true ? await ovmfArgs(scratch, options.secureBoot === true) : [];
    const http = options.httpRoot === undefined ? [] : [httpForward(options.httpRoot, options.httpLog ?? join(scratch, 'http.log'))];
    for (const part of [options.tftpRoot, options.bootfile, ...http]) {
      // a comma would end the -netdev option value and start a new one
      if (part.includes(',')) throw new Error(`bootPxe: "${part}" must not contain a comma`);
    }
    const nic = [options.nic ?? 'virtio-net-pci', 'netdev=n0', ...(options.mac ? [`mac=${options.mac}`] : [])];
    const args = [
      ...firmware,
      '-boot', 'n',
      // restrict=on isolates the guest; explicit forwarding rules (guestfwd) still apply
      '-netdev', [`user,id=n0,restrict=on,tftp=${options.tftpRoot},bootfile=${options.bootfile}`, ...http].join(','),
      '-device', nic.join(','),
    ];
    return await runQemu(args, options, nonce);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

export interface BootTapOptions extends CommonOptions {
  /** Namespace holding the tap (test/helpers/netns.ts Lan.ns). */
  netns: string;
  tap: string;
  mac: string;
  uefi?: boolean;
  /** OVMF with Microsoft's keys enrolled and Secure Boot enforcing (implies uefi). */
  secureBoot?: boolean;
  /** NIC device; virtio-net-pci (with QEMU's iPXE ROM) unless given; add ",romfile=" for the firmware's own PXE stack. */
  nic?: string;
  /** SMBIOS system UUID (sent by PXE clients as option 97). */
  uuid?: string;
  /** A raw disk image the firmware tries after the network (bootindex 2); writes go to a snapshot, never to the file. */
  disk?: string;
}

/** Network-boot from a tap device on a namespace bridge: the DHCP and TFTP servers are whatever the test runs there. */
export async function bootTap(options: BootTapOptions): Promise<BootResult> {
  const nonce = options.nonce ?? makeNonce();
  const scratch = await mkdtemp(join(tmpdir(), 'remaster-qemu-'));
  try {
    const firmware = options.uefi === true || options.secureBoot === true ? await ovmfArgs(scratch, options.secureBoot === true) : [];
    if (options.disk?.includes(',') === true) throw new Error(`bootTap: "${options.disk}" must not contain a comma`);
    const order = options.disk === undefined
      ? { boot: ['-boot', 'n'], nic: '', disk: [] }
      : { boot: [], nic: ',bootindex=1', disk: ['-drive', `file=${options.disk},format=raw,if=none,id=disk0,snapshot=on`, '-device', 'virtio-blk-pci,drive=disk0,bootindex=2'] };
    const args = [
      ...firmware,
      ...(options.uuid === undefined ? [] : ['-uuid', options.uuid]),
      ...order.boot,
      '-netdev', `tap,id=n0,ifname=${options.tap},script=no,downscript=no`,
      '-device', `${options.nic ?? 'virtio-net-pci'},netdev=n0,mac=${options.mac}${order.nic}`,
      ...order.disk,
    ];
    return await runQemu(args, options, nonce);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function tcpForward(port: number, log: string): string {
  const bridge = fileURLToPath(new URL('./tcp-stdio.ts', import.meta.url));
  if (log.includes(',')) throw new Error(`bootKernel: "${log}" must not contain a comma`);
  return `guestfwd=tcp:10.0.2.100:80-cmd:${process.execPath} ${bridge} ${port} ${log}`;
}

function httpForward(root: string, log: string): string {
  const server = fileURLToPath(new URL('./http-stdio.ts', import.meta.url));
  return `guestfwd=tcp:10.0.2.100:80-cmd:${process.execPath} ${server} ${root} ${log}`;
}

/** Boot an ISO through SeaBIOS or OVMF, from a CD-ROM drive or as a hybrid disk image. */
export async function bootIso(options: BootIsoOptions): Promise<BootResult> {
  const nonce = options.nonce ?? makeNonce();
  const scratch = await mkdtemp(join(tmpdir(), 'remaster-qemu-'));
  try {
    const firmware = options.firmware === 'uefi' ? await ovmfArgs(scratch) : [];
    if (options.iso.includes(',')) throw new Error(`bootIso: "${options.iso}" must not contain a comma`);
    const media =
      options.as === 'cdrom'
        ? ['-drive', `file=${options.iso},format=raw,media=cdrom,readonly=on`, '-boot', 'd']
        : ['-drive', `file=${options.iso},format=raw,if=virtio,readonly=on`, '-boot', 'c'];
    return await runQemu(['-nic', 'none', ...firmware, ...media], options, nonce);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
