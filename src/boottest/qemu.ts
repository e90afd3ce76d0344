/**
 * Run QEMU with the serial console captured (reference 10: command lines
 * measured on these machines). KVM when /dev/kvm is usable, TCG otherwise;
 * networking only through QEMU's user-mode stack with restrict=on (DHCP and
 * TFTP inside the QEMU process, no packet leaves it). The run ends when the
 * guest powers off (-no-reboot turns a reboot or panic=-1 into an exit), when
 * the stop pattern appears, or at the timeout.
 */
import { spawn } from 'node:child_process';
import { RemasterError } from '../errors.ts';
import { canUseKvm, copyFileTo, pathExists } from '../fsx/index.ts';

/** SeaBIOS; OVMF; OVMF's Secure Boot build with Microsoft's keys enrolled and Secure Boot enforcing. */
export type Firmware = 'bios' | 'uefi' | 'uefi-secure';

/** What to boot. */
export type QemuTarget =
  | { kind: 'kernel'; kernel: string; initrd: string; append: string }
  | { kind: 'pxe'; tftpRoot: string; bootfile: string; mac?: string; firmware: Firmware }
  | { kind: 'iso'; iso: string; firmware: Firmware; as: 'cdrom' | 'disk' };

/** Options for runQemu. */
export interface QemuOptions {
  timeoutMs: number;
  memoryMiB?: number;
  /** Kill QEMU shortly after this appears on the console. */
  stopOn?: RegExp;
  /** Directory for the private OVMF variable store. */
  scratch: string;
  signal?: AbortSignal;
  /** Binary to run (default qemu-system-x86_64). */
  qemu?: string;
  /** Called when the console shows the next boot phase, with the time since QEMU started. */
  onPhase?: (phase: BootPhase, elapsedMs: number) => void;
}

/** Boot phases as the serial console shows them. */
export type BootPhase = 'firmware' | 'loader' | 'kernel' | 'userspace';

const ANSI_CSI = /\x1b\[[0-9;?]*[A-Za-z]/gu;

/** What each phase prints first on the serial console (boot loader banners, the kernel's first line, init starting). */
const PHASE_MARKS: readonly [BootPhase, RegExp][] = [
  ['loader', /ISOLINUX \d|SYSLINUX \d|PXELINUX \d|GNU GRUB|Welcome to GRUB|GRUB loading|iPXE \d|iPXE initialising/u],
  ['kernel', /Linux version \d|EFI stub: |Decompressing Linux/u],
  ['userspace', /Run \S+ as init process|REMASTER-PROBE/u],
];

/** How a run ended. */
export interface QemuRun {
  log: string;
  durationMs: number;
  exitCode: number | null;
  timedOut: boolean;
  accel: 'kvm' | 'tcg';
  args: string[];
}

const OVMF_SPLIT = ['/usr/share/OVMF/OVMF_CODE.fd', '/usr/share/OVMF/OVMF_VARS.fd'] as const;
const OVMF_COMBINED = '/usr/share/ovmf/OVMF.fd';
/** Debian's ovmf: SMM-protected Secure Boot code, and variables with Microsoft's keys enrolled and Secure Boot on. */
const OVMF_SECURE = ['/usr/share/OVMF/OVMF_CODE_4M.secboot.fd', '/usr/share/OVMF/OVMF_VARS_4M.ms.fd'] as const;

async function firmwareArgs(firmware: Firmware, scratch: string): Promise<string[]> {
  if (firmware === 'bios') return [];
  if (firmware === 'uefi-secure') {
    if (!(await pathExists(OVMF_SECURE[0])) || !(await pathExists(OVMF_SECURE[1]))) {
      throw new RemasterError('TOOL_MISSING', `Secure Boot firmware not found (${OVMF_SECURE.join(', ')}); install the Debian package ovmf`);
    }
    const vars = `${scratch}/OVMF_VARS_4M.ms.fd`;
    await copyFileTo(OVMF_SECURE[1], vars);
    // the Secure Boot build keeps its variables in SMM: q35 with SMM, flash writable only from SMM
    return ['-machine', 'q35,smm=on', '-global', 'driver=cfi.pflash01,property=secure,value=on',
      '-drive', `if=pflash,format=raw,unit=0,readonly=on,file=${OVMF_SECURE[0]}`, '-drive', `if=pflash,format=raw,unit=1,file=${vars}`];
  }
  if ((await pathExists(OVMF_SPLIT[0])) && (await pathExists(OVMF_SPLIT[1]))) {
    const vars = `${scratch}/OVMF_VARS.fd`;
    await copyFileTo(OVMF_SPLIT[1], vars);
    return ['-drive', `if=pflash,format=raw,readonly=on,file=${OVMF_SPLIT[0]}`, '-drive', `if=pflash,format=raw,file=${vars}`];
  }
  if (await pathExists(OVMF_COMBINED)) return ['-bios', OVMF_COMBINED];
  throw new RemasterError('TOOL_MISSING', 'UEFI firmware not found (/usr/share/OVMF/OVMF_CODE.fd); install the Debian package ovmf');
}

function noComma(value: string): string {
  // A comma ends a QEMU option value and starts another option.
  if (value.includes(',')) throw new RemasterError('USAGE', `QEMU cannot take paths with commas: ${JSON.stringify(value)}`);
  return value;
}

/** Build the QEMU arguments for a target. */
export async function qemuArgs(target: QemuTarget, scratch: string): Promise<string[]> {
  if (target.kind === 'kernel') return ['-nic', 'none', '-kernel', target.kernel, '-initrd', target.initrd, '-append', target.append];
  if (target.kind === 'pxe') {
    // Under Secure Boot, OVMF's own PXE stack loads shim (romfile= drops QEMU's iPXE ROM, whose EFI
    // PXE reports a 4 MiB size for every TFTP read, which shim's verifier rejects as malformed).
    const nic = ['virtio-net-pci', 'netdev=n0', ...(target.firmware === 'uefi-secure' ? ['romfile='] : []), ...(target.mac ? [`mac=${target.mac}`] : [])].join(',');
    return [...(await firmwareArgs(target.firmware, scratch)), '-boot', 'n', '-netdev', `user,id=n0,restrict=on,tftp=${noComma(target.tftpRoot)},bootfile=${noComma(target.bootfile)}`, '-device', nic];
  }
  const drive = target.as === 'cdrom' ? ['-drive', `file=${noComma(target.iso)},format=raw,media=cdrom,readonly=on`, '-boot', 'd'] : ['-drive', `file=${noComma(target.iso)},format=raw,if=virtio,readonly=on`, '-boot', 'c'];
  return ['-nic', 'none', ...(await firmwareArgs(target.firmware, scratch)), ...drive];
}

/** Boot a target and collect the serial console. */
export async function runQemu(target: QemuTarget, options: QemuOptions): Promise<QemuRun> {
  const accel = (await canUseKvm()) ? 'kvm' : 'tcg';
  const args = ['-accel', accel, '-nographic', '-no-reboot', '-m', String(options.memoryMiB ?? 1024), ...(await qemuArgs(target, options.scratch))];
  const qemu = options.qemu ?? 'qemu-system-x86_64';
  const started = performance.now();
  const child = spawn(qemu, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  let timedOut = false;
  let phase = 0;
  options.onPhase?.('firmware', 0);
  let stopTimer: NodeJS.Timeout | undefined;
  const onData = (chunk: Buffer) => {
    log += chunk.toString('latin1').replace(/\r\n?/g, '\n');
    if (log.length > 4 << 20) log = log.slice(-(2 << 20));
    // Later phases can show first (a direct kernel boot has no loader): report each once, in order.
    // Firmware and loaders position the cursor with ANSI CSI sequences, even between words of a banner.
    const plain = (text: string): string => text.replace(ANSI_CSI, '');
    const recent = plain(log.slice(-(chunk.length + 256)));
    for (let i = PHASE_MARKS.length - 1; i >= phase; i--) {
      if (!(PHASE_MARKS[i] as [BootPhase, RegExp])[1].test(recent)) continue;
      for (let j = phase; j <= i; j++) if (j === i || (PHASE_MARKS[j] as [BootPhase, RegExp])[1].test(plain(log))) options.onPhase?.((PHASE_MARKS[j] as [BootPhase, RegExp])[0], Math.round(performance.now() - started));
      phase = i + 1;
      break;
    }
    if (options.stopOn && stopTimer === undefined && options.stopOn.test(log)) stopTimer = setTimeout(() => child.kill('SIGKILL'), 1500);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs);
  const onAbort = () => child.kill('SIGKILL');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'ENOENT' ? new RemasterError('TOOL_MISSING', `${qemu} not found; install the Debian package qemu-system-x86`) : err));
    child.on('close', resolve);
  }).finally(() => {
    clearTimeout(timer);
    clearTimeout(stopTimer);
    options.signal?.removeEventListener('abort', onAbort);
  });
  return { log, durationMs: Math.round(performance.now() - started), exitCode, timedOut, accel, args };
}
