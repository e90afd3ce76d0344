/**
 * Kernel/module compatibility: the module's `vermagic=` against the kernel's
 * release (torvalds/linux kernel/module/version.c same_magic(); reference 02
 * §5) and the kernel release read from an x86 bzImage header
 * (torvalds/linux Documentation/arch/x86/boot.rst: boot_flag 0xAA55 at
 * 0x1FE, "HdrS" at 0x202, kernel_version pointer at 0x20E, string at
 * pointer + 0x200).
 */
import { RemasterError } from '../errors.ts';
import type { ModuleInfo } from './module-info.ts';

/** The kernel a module is meant for. */
export interface KernelIdentity {
  /** `uname -r`, e.g. "6.1.0-56-amd64". */
  release: string;
  /** Full vermagic of the kernel's own modules, when known; then the flags must match too. */
  vermagic?: string;
}

/** Return the release word of a vermagic string ("6.1.0-56-amd64 SMP ..." -> "6.1.0-56-amd64"). */
export function vermagicRelease(vermagic: string): string {
  return vermagic.trim().split(/\s+/)[0] ?? '';
}

/**
 * Throw MODULE_VERMAGIC_MISMATCH unless the module's vermagic names the
 * kernel's release (and equals the kernel's full vermagic when given).
 */
export function checkVermagic(module: Pick<ModuleInfo, 'vermagic'>, kernel: KernelIdentity): void {
  const seen = module.vermagic;
  if (seen === undefined) {
    throw new RemasterError('MODULE_VERMAGIC_MISMATCH', `module has no vermagic in .modinfo, expected release "${kernel.release}"${kernel.vermagic ? ` (vermagic "${kernel.vermagic}")` : ''}`);
  }
  const wanted = kernel.vermagic ?? kernel.release;
  const ok = kernel.vermagic !== undefined ? seen.trim() === kernel.vermagic.trim() : vermagicRelease(seen) === kernel.release;
  if (!ok) {
    throw new RemasterError('MODULE_VERMAGIC_MISMATCH', `module vermagic "${seen}" does not match the kernel: expected ${kernel.vermagic !== undefined ? 'vermagic' : 'release'} "${wanted}"`);
  }
}

/** bzImage header offsets (boot.rst "The real-mode kernel header"). */
const BOOT_FLAG_OFFSET = 0x1fe;
const HEADER_MAGIC_OFFSET = 0x202;
const KERNEL_VERSION_PTR_OFFSET = 0x20e;
const SETUP_OFFSET = 0x200;
/** Longest version string read; the kernel's is under 200 characters. */
const MAX_VERSION_LENGTH = 512;

/** Return the kernel release (first word of the version string) of an x86 bzImage. */
export function kernelReleaseFromBzImage(bytes: Uint8Array): string {
  return kernelVersionFromBzImage(bytes).split(' ')[0] ?? '';
}

/** Return the full kernel version string of an x86 bzImage ("6.1.0-56-amd64 (debian-kernel@...) #1 SMP ..."). */
export function kernelVersionFromBzImage(bytes: Uint8Array): string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < KERNEL_VERSION_PTR_OFFSET + 2 || view.getUint16(BOOT_FLAG_OFFSET, true) !== 0xaa55) {
    throw new RemasterError('ELF_BAD', 'not an x86 bzImage: no boot_flag 0xAA55 at 0x1fe', { offset: BOOT_FLAG_OFFSET });
  }
  if (String.fromCharCode(...bytes.subarray(HEADER_MAGIC_OFFSET, HEADER_MAGIC_OFFSET + 4)) !== 'HdrS') {
    throw new RemasterError('ELF_BAD', 'not an x86 bzImage: no "HdrS" at 0x202 (boot protocol < 2.00)', { offset: HEADER_MAGIC_OFFSET });
  }
  const start = view.getUint16(KERNEL_VERSION_PTR_OFFSET, true) + SETUP_OFFSET;
  let end = start;
  while (end < bytes.length && end - start < MAX_VERSION_LENGTH && bytes[end] !== 0) end++;
  if (end >= bytes.length || bytes[end] !== 0 || end === start) {
    throw new RemasterError('ELF_BAD', `bzImage kernel_version string at 0x${start.toString(16)} is missing or unterminated`, { offset: KERNEL_VERSION_PTR_OFFSET });
  }
  return String.fromCharCode(...bytes.subarray(start, end));
}
