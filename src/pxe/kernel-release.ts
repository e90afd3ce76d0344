/**
 * The kernel release string of an x86 bzImage (reference 02; the kernel's
 * Documentation/arch/x86/boot.rst): the setup header carries "HdrS" at
 * 0x202 and, from protocol 2.00, `kernel_version` at 0x20E: an offset,
 * minus 0x200, of a NUL-terminated string "6.1.0-18-amd64 (builder) #1 …"
 * whose first word is the release (`uname -r`).
 */

/** Bytes of the image verify reads to find the release (the string sits in the setup sectors). */
export const KERNEL_HEAD_SIZE = 64 * 1024;

const HDRS = [0x48, 0x64, 0x72, 0x53];

/** Return the release of a bzImage from its first bytes, or undefined when it is not one. */
export function decodeKernelRelease(head: Uint8Array): string | undefined {
  if (head.length < 0x210 || HDRS.some((b, i) => head[0x202 + i] !== b)) return undefined;
  const pointer = (head[0x20e] as number) | ((head[0x20f] as number) << 8);
  const start = pointer + 0x200;
  if (pointer === 0 || start >= head.length) return undefined;
  let end = start;
  while (end < head.length && head[end] !== 0 && end - start < 256) end++;
  const text = new TextDecoder('latin1').decode(head.subarray(start, end));
  return text.split(/\s/u)[0] || undefined;
}
