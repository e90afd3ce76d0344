/**
 * Make the demo material with remaster's own writer: OUTDIR/initrd.img, an
 * uncompressed early-microcode archive followed by a gzip main archive with
 * /init, a usr-merged lib -> usr/lib link and a modules tree (the layout real
 * installer initrds have), plus a static busybox so it boots, and
 * OUTDIR/vmlinuz, a real Debian kernel (scripts/fetch-demo-kernel.sh).
 * The modules tree is named after the kernel's own release, read from its
 * bzImage header the way `remaster verify` reads it, so whichever kernel
 * package apt provides, the demo's kernel and initrd agree and a published
 * demo build verifies.
 * Usage: node scripts/make-demo.ts OUTDIR --kernel VMLINUZ --busybox BUSYBOX
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeKernelRelease, getCodec, KERNEL_HEAD_SIZE, writeCpio, writeFileAtomic, S_IFDIR, S_IFLNK, S_IFREG, S_IFCHR, type CpioWriteEntry } from '../src/index.ts';

const [outDir, ...rest] = process.argv.slice(2);
const flag = (name: string) => {
  const i = rest.indexOf(name);
  return i >= 0 ? rest[i + 1] : undefined;
};
const kernel = flag('--kernel');
const busybox = flag('--busybox');
if (!outDir || !kernel || !busybox) throw new Error('usage: make-demo.ts OUTDIR --kernel VMLINUZ --busybox BUSYBOX');
const mtime = Number(process.env.SOURCE_DATE_EPOCH ?? 1700000000);
const kernelBytes = new Uint8Array(readFileSync(kernel));
const release = decodeKernelRelease(kernelBytes.subarray(0, KERNEL_HEAD_SIZE));
if (release === undefined) throw new Error(`${kernel}: no kernel release in its bzImage header; is it a Linux kernel?`);
const enc = new TextEncoder();
let ino = 0;

function entry(name: string, mode: number, data?: string | Uint8Array, rdev: [number, number] = [0, 0]): CpioWriteEntry {
  const body = data === undefined ? undefined : typeof data === 'string' ? enc.encode(data) : data;
  const e: CpioWriteEntry = {
    name,
    header: { ino: ++ino, mode, uid: 0, gid: 0, nlink: (mode & S_IFDIR) === S_IFDIR && (mode & 0o170000) === S_IFDIR ? 2 : 1, mtime, fileSize: body?.length ?? 0, devMajor: 0, devMinor: 0, rdevMajor: rdev[0], rdevMinor: rdev[1] },
  };
  if (body) e.body = body;
  return e;
}

const dir = (name: string) => entry(name, S_IFDIR | 0o755);
const early = [dir('kernel'), dir('kernel/x86'), dir('kernel/x86/microcode'), entry('kernel/x86/microcode/GenuineIntel.bin', S_IFREG | 0o644, 'demo microcode, not a real update\n')];
ino = 0;
const main = [
  dir('.'),
  dir('bin'),
  entry('bin/busybox', S_IFREG | 0o755, new Uint8Array(readFileSync(busybox))),
  entry('bin/sh', S_IFLNK | 0o777, 'busybox'),
  dir('dev'),
  entry('dev/console', S_IFCHR | 0o600, undefined, [5, 1]),
  dir('etc'),
  entry('etc/os-release', S_IFREG | 0o644, 'NAME="remaster demo"\nID=demo\nVERSION_ID=1\n'),
  entry('init', S_IFREG | 0o755, '#!/bin/sh\nbusybox mount -t proc proc /proc\necho "remaster demo initrd on $(busybox uname -r)"\n[ -f /etc/remaster/motd ] && busybox cat /etc/remaster/motd\nbusybox poweroff -f\n'),
  entry('lib', S_IFLNK | 0o777, 'usr/lib'),
  dir('proc'),
  dir('usr'),
  dir('usr/lib'),
  dir('usr/lib/modules'),
  dir(`usr/lib/modules/${release}`),
  entry(`usr/lib/modules/${release}/modules.dep`, S_IFREG | 0o644, ''),
];

async function* image(): AsyncGenerator<Uint8Array> {
  yield* writeCpio(early);
  yield* getCodec('gzip').compress(writeCpio(main));
}

mkdirSync(outDir, { recursive: true });
await writeFileAtomic(join(outDir, 'initrd.img'), image());
await writeFileAtomic(join(outDir, 'vmlinuz'), [kernelBytes]);
process.stdout.write(`made ${join(outDir, 'initrd.img')} (modules for ${release}) and ${join(outDir, 'vmlinuz')}\n`);
