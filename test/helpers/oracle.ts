/**
 * Independent oracles: GNU cpio's own listing of an archive, and the real
 * decompressors. Used to check remaster's listings and segment boundaries.
 */
import { execFileSync } from 'node:child_process';
import { formatMode } from '../../src/cpio/mode.ts';

/** One `cpio -tv --numeric-uid-gid` line reduced to comparable fields: mode, nlink, uid, gid, size, name. */
export function gnuListing(archive: Uint8Array): string[] {
  const out = execFileSync('cpio', ['-tv', '--numeric-uid-gid', '--quiet'], { input: archive, maxBuffer: 1 << 30 }).toString();
  return out
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      // "-rw-r--r--   1 0        0               3 Nov 23 00:43 etc/a" (devices: "5,   1" in the size column)
      const m = /^(\S{10})\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+(?:,\s+\d+)?)\s+\S+\s+\d+\s+\S+\s(.*)$/.exec(l);
      if (!m) throw new Error(`cannot parse cpio -tv line: ${l}`);
      return `${m[1]} ${m[2]} ${m[3]} ${m[4]} ${(m[5] as string).replace(/,\s+/, ',')} ${m[6]}`;
    });
}

/** The same fields from one of our entries. */
export function ourListing(e: { header: { mode: number; nlink: number; uid: number; gid: number; fileSize: number; rdevMajor: number; rdevMinor: number }; name: string; linkTarget?: string }): string {
  const h = e.header;
  const t = h.mode & 0o170000;
  const size = t === 0o020000 || t === 0o060000 ? `${h.rdevMajor},${h.rdevMinor}` : String(h.fileSize);
  return `${formatMode(h.mode)} ${h.nlink} ${h.uid} ${h.gid} ${size} ${e.name}${e.linkTarget !== undefined ? ` -> ${e.linkTarget}` : ''}`;
}

const DECOMPRESSORS: Record<string, string[]> = {
  gzip: ['gzip', '-dc'],
  xz: ['xz', '-dc'],
  lzma: ['xz', '--format=lzma', '-dc'],
  zstd: ['zstd', '-dcq'],
  lz4: ['lz4', '-dcq'],
  bzip2: ['bzip2', '-dc'],
  lzo: ['lzop', '-dcq'],
};

/** Decompress exactly `bytes` with the real tool for `format` ('cpio' returns the bytes). */
export function realDecompress(format: string, bytes: Uint8Array): Uint8Array {
  if (format === 'cpio') return bytes;
  const cmd = DECOMPRESSORS[format];
  if (!cmd) throw new Error(`no oracle decompressor for ${format}`);
  return new Uint8Array(execFileSync(cmd[0] as string, cmd.slice(1), { input: bytes, maxBuffer: 2 ** 31 }));
}
