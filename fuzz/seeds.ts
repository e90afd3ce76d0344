/**
 * Seed corpora, built in code from the library's own writers and the test
 * helpers (tiny, a few KB each) plus the small text fixtures in the repo.
 * CLI-only codecs (xz, lzma, lz4, bzip2) are compressed once here with the
 * system tools; their seeds are skipped with a note when a tool is missing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import { writeCpio, CPIO_MAGIC_CRC, type CpioWriteEntry } from '../src/cpio/index.ts';
import { encodeKmodIndex } from '../src/kmod/index.ts';
import { encodeBootEntry, encodeSectionHeader, encodeValidationEntry } from '../src/iso/index.ts';
import { makeCpio } from '../test/helpers/make-cpio.ts';
import { makeIso, type MadeIso } from '../test/helpers/make-iso.ts';
import { demoTags, makeAr, makeRpm } from '../test/unit/package/make-package.ts';
import { makeTar } from '../test/unit/package/tar-fixture.ts';
import { makeElf } from '../test/unit/elf/make-elf.ts';
import { buildProxyReply, classifyDhcpClient, decodeDhcpPacket, encodeDhcpPacket } from '../src/net/dhcp/index.ts';
import { EDK2, IPXE_BIOS, IPXE_EFI } from '../test/unit/net/dhcp/captured.ts';

export const ROOT = join(import.meta.dirname, '..');
const enc = new TextEncoder();

async function collect(it: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of it) parts.push(c.slice());
  return Uint8Array.from(Buffer.concat(parts));
}

function entry(name: string, mode: number, data = '', extra: Partial<CpioWriteEntry['header']> = {}): CpioWriteEntry {
  const body = enc.encode(data);
  return {
    name,
    header: { ino: 1, mode, uid: 0, gid: 0, nlink: 1, mtime: 1_700_000_000, fileSize: body.length, devMajor: 0, devMinor: 0, rdevMajor: 0, rdevMinor: 0, ...extra },
    body: [body],
  } as CpioWriteEntry;
}

/** Small newc/crc archives: files, dirs, a symlink, a device, hard links. */
export async function cpioSeeds(): Promise<Uint8Array[]> {
  const entries = [
    entry('.', 0o040755),
    entry('bin', 0o040755),
    entry('bin/sh', 0o100755, '#!/bin/sh\necho hi\n'),
    entry('sbin', 0o120777, 'bin'),
    entry('dev/console', 0o020600, '', { rdevMajor: 5, rdevMinor: 1 }),
    entry('init', 0o100755, 'exec /bin/sh\n'.repeat(8)),
  ];
  return [
    makeCpio([{ name: 'x', data: 'hello' }]),
    makeCpio([{ name: 'dir', mode: 0o040755 }, { name: 'dir/file', data: 'abc' }, { name: 'link', mode: 0o120777, data: 'dir/file' }]),
    makeCpio([{ name: 'a', ino: 7, nlink: 2, data: '' }, { name: 'b', ino: 7, nlink: 2, data: 'shared data' }]),
    makeCpio([{ name: 'kernel/x86/microcode/GenuineIntel.bin', data: 'ucode'.repeat(10), magic: '070702' }]),
    makeCpio([{ name: 'no-trailer', data: 'x' }], { trailer: false }),
    await collect(writeCpio(entries)),
    await collect(writeCpio(entries.slice(0, 3), { magic: CPIO_MAGIC_CRC })),
  ];
}

/** A whole image: segments wrapped in codecs, 4-aligned, optional NUL padding. */
export function assemble(segments: { bytes: Uint8Array; padding: number }[]): Uint8Array {
  const parts: Buffer[] = [];
  let length = 0;
  for (const s of segments) {
    const pad = s.padding + ((4 - ((length + s.padding) % 4)) % 4);
    parts.push(Buffer.alloc(pad), Buffer.from(s.bytes));
    length += pad + s.bytes.length;
  }
  return Uint8Array.from(Buffer.concat(parts));
}

export function gzip(bytes: Uint8Array): Uint8Array {
  return Uint8Array.from(gzipSync(bytes, { level: 6 }));
}

export function zstd(bytes: Uint8Array): Uint8Array {
  return Uint8Array.from(zstdCompressSync(bytes));
}

/** Multi-segment images over the in-process codecs (raw cpio, gzip, zstd). */
export async function initrdSeeds(): Promise<Uint8Array[]> {
  const [a, b, c] = (await cpioSeeds()) as [Uint8Array, Uint8Array, Uint8Array];
  return [
    a,
    assemble([{ bytes: a, padding: 0 }, { bytes: gzip(b), padding: 0 }]),
    assemble([{ bytes: c, padding: 0 }, { bytes: zstd(b), padding: 512 }]),
    assemble([{ bytes: gzip(a), padding: 0 }, { bytes: gzip(c), padding: 4 }]),
    assemble([{ bytes: zstd(Buffer.concat([a, b])), padding: 0 }]),
    gzip(Buffer.concat([a, new Uint8Array(16), c])),
  ];
}

function tool(command: string, args: string[], input: Uint8Array): Uint8Array | undefined {
  try {
    return Uint8Array.from(execFileSync(command, args, { input, maxBuffer: 1 << 24, stdio: ['pipe', 'pipe', 'ignore'] }));
  } catch {
    return undefined;
  }
}

/** Segments compressed by the CLI-backed codecs (each decode spawns a process). */
export async function initrdCliSeeds(): Promise<{ seeds: Uint8Array[]; missing: string[] }> {
  const [a, b] = (await cpioSeeds()) as [Uint8Array, Uint8Array];
  const plain = Buffer.concat([a, b]);
  const wraps: [string, string, string[]][] = [
    ['xz', 'xz', ['--check=crc32', '-c']],
    ['lzma', 'xz', ['--format=lzma', '-c']],
    ['lz4', 'lz4', ['-l', '-c']],
    ['bzip2', 'bzip2', ['-c']],
  ];
  const seeds: Uint8Array[] = [];
  const missing: string[] = [];
  for (const [name, command, args] of wraps) {
    const packed = tool(command, args, plain);
    if (packed === undefined) {
      missing.push(name);
      continue;
    }
    seeds.push(packed, assemble([{ bytes: a, padding: 0 }, { bytes: packed, padding: 0 }]));
  }
  return { seeds, missing };
}

/** Tiny ISOs with Rock Ridge, nested dirs, a symlink, a multi-extent file and an El Torito catalog. */
export function isoSeeds(): MadeIso[] {
  const catalog = new Uint8Array(2048);
  catalog.set(encodeValidationEntry(0, 'fuzz'), 0);
  catalog.set(encodeBootEntry({ sectorCount: 4, lba: 24 }), 32);
  catalog.set(encodeSectionHeader(0xef, 1, true, 'efi'), 64);
  catalog.set(encodeBootEntry({ sectorCount: 1, lba: 25 }), 96);
  return [
    makeIso([{ name: 'hello.txt', data: enc.encode('hello\n') }]),
    makeIso([
      { name: 'boot', dir: [{ name: 'vmlinuz', data: new Uint8Array(100).fill(0x4b) }, { name: 'initrd.img', data: makeCpio([{ name: 'x', data: 'y' }]) }] },
      { name: 'isolinux', dir: [{ name: 'isolinux.cfg', data: enc.encode('default linux\nlabel linux\n  kernel /boot/vmlinuz\n') }] },
      { name: 'link', linkTarget: 'boot/vmlinuz' },
    ], { bootCatalog: catalog }),
    makeIso([{ name: 'a', dir: [{ name: 'b', dir: [{ name: 'c', dir: [{ name: 'deep.txt', data: enc.encode('deep') }] }] }] }, { name: 'multi', parts: [enc.encode('part1'), enc.encode('part2')] }]),
    makeIso([{ name: 'PLAIN.TXT', data: enc.encode('no rock ridge') }, { name: 'DIR', dir: [{ name: 'F.TXT', data: enc.encode('f') }] }], { rockRidge: false }),
  ];
}

/** Byte ranges worth mutating in an ISO: descriptors, directory sectors, the boot catalog. */
export function isoHotSectors(made: MadeIso): number[] {
  const hot = new Set<number>([16, 17, 18]);
  for (const lba of made.lba.values()) hot.add(lba);
  if (made.catalogLba !== undefined) hot.add(made.catalogLba);
  return [...hot].filter((s) => s * 2048 < made.bytes.length).sort((x, y) => x - y);
}

export function textFiles(dir: string, suffixes: string[]): Uint8Array[] {
  return readdirSync(dir)
    .filter((n) => suffixes.some((s) => n.endsWith(s)))
    .sort()
    .map((n) => Uint8Array.from(readFileSync(join(dir, n))));
}

export function kickstartSeeds(): Uint8Array[] {
  return [...textFiles(join(ROOT, 'fixtures/kickstart'), ['.ks', '.tmpl']), enc.encode('text\n%post --nochroot\necho "a b" \\\n  c\n%end\n%include /tmp/x\n')];
}

export function recipeSeeds(): Uint8Array[] {
  return [...textFiles(join(ROOT, 'recipes'), ['.yaml']), enc.encode('name: x\nsource: a.img\nsteps:\n  - files:\n      - { from: a, to: /b }\n')];
}

export async function rpmSeeds(): Promise<Uint8Array[]> {
  const [a, b] = (await cpioSeeds()) as [Uint8Array, Uint8Array];
  return [makeRpm(demoTags('gzip'), gzip(a)), makeRpm(demoTags('zstd'), zstd(b))];
}

export async function debSeeds(): Promise<Uint8Array[]> {
  const control = await makeTar([{ name: './control', data: 'Package: demo\nVersion: 1.0\nArchitecture: amd64\nDescription: fuzz\n' }, { name: './md5sums', data: '' }]);
  const data = await makeTar([
    { name: './', type: 'directory' },
    { name: './usr/bin/tool', data: '#!/bin/sh\n' },
    { name: './usr/bin/alias', type: 'symlink', linkname: 'tool' },
    { name: './usr/bin/hard', type: 'link', linkname: './usr/bin/tool' },
  ]);
  const bin = enc.encode('2.0\n');
  return [
    makeAr([{ name: 'debian-binary', data: bin }, { name: 'control.tar.gz', data: gzip(control) }, { name: 'data.tar.gz', data: gzip(data) }]),
    makeAr([{ name: 'debian-binary', data: bin }, { name: 'control.tar.zst', data: zstd(control) }, { name: 'data.tar', data }]),
  ];
}

/** A small real kernel module, when the fixtures have been generated. */
export function smallModule(): Uint8Array | undefined {
  const base = join(ROOT, 'fixtures/out/real/modules');
  if (!existsSync(base)) return undefined;
  for (const kver of readdirSync(base).sort()) {
    const path = join(base, kver, 'kernel/net/6lowpan/nhc_ipv6.ko');
    if (existsSync(path)) return Uint8Array.from(readFileSync(path));
  }
  return undefined;
}

export function elfSeeds(): Uint8Array[] {
  const ko = smallModule();
  return [
    makeElf({ interpreter: '/lib64/ld-linux-x86-64.so.2', needed: ['libc.so.6', 'libm.so.6'], runpath: '$ORIGIN/../lib' }).bytes,
    makeElf({ class: 32, endian: 'big', needed: ['libc.so.6'], soname: 'libx.so.1', rpath: '/opt/lib' }).bytes,
    makeElf({ class: 32, needed: [] }).bytes,
    ...(ko ? [ko] : []),
  ];
}

export function kmodSeeds(): Uint8Array[] {
  const ko = smallModule();
  const index = encodeKmodIndex([
    { key: 'crc_itu_t', priority: 0, value: 'kernel/crc-itu-t.ko:' },
    { key: 'fuse', priority: 0, value: 'kernel/fuse.ko:' },
    { key: 'fusex', priority: 1, value: 'a' },
    { key: 'fusex', priority: 2, value: 'b' },
    { key: 'pci:v00008086d*', priority: 0, value: 'e1000e' },
  ]);
  return [index, Uint8Array.from(Buffer.from('b007f4570002000120000019757365000000000100000000006666c000000c', 'hex')), ...(ko ? [ko] : [])];
}

/** DHCP messages: three real firmware DISCOVERs, our ProxyDHCP offer, a 4011 REQUEST, overload and RFC 3396 cases. */
export function dhcpSeeds(): Uint8Array[] {
  const real = [IPXE_BIOS, IPXE_EFI, EDK2].map((h) => Uint8Array.from(Buffer.from(h, 'hex')));
  const discover = decodeDhcpPacket(real[2] as Uint8Array);
  const request = { ...discover, ciaddr: '10.0.0.57', options: new Map(discover.options).set(53, Uint8Array.of(3)).set(54, Uint8Array.of(10, 0, 0, 1)) };
  const offer = buildProxyReply(discover, classifyDhcpClient(discover), { nextServer: '10.0.0.1', bootFile: 'pxelinux.0' }, 'dhcp', '10.0.0.1');
  const long = { ...discover, options: new Map(discover.options).set(77, new Uint8Array(300).fill(0x41)) };
  // options continued in `file` (option 52 = 1): a second option 60 instance joined to the first
  const overloaded = encodeDhcpPacket({ ...discover, options: new Map([[53, Uint8Array.of(1)], [60, enc.encode('PXECl')]]) });
  overloaded.set([52, 1, 1, 255], 240 + 3 + 7);
  overloaded.set([60, 4, ...enc.encode('ient'), 93, 2, 0, 0, 255], 108);
  return [...real, encodeDhcpPacket(request, { maxSize: 1500 }), encodeDhcpPacket(offer), encodeDhcpPacket(long, { maxSize: 1500 }), overloaded];
}
