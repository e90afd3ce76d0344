/** Text renderings shared by commands (listing lines, sizes, dates). */
import { formatMode, type InitrdSummary, type Segment } from '../core.ts';
import { escapeName, escapeText } from './escape.ts';

/** Return "1 segment", "3 segments" (or the given plural). */
export function countOf(n: number, noun: string, nouns = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : nouns}`;
}

let lastTime: { seconds: number; text: string } | undefined;

/** Format seconds since the epoch as "YYYY-MM-DD HH:MM" in UTC. */
export function formatTime(seconds: number): string {
  // Archives repeat a few build times thousands of times; a Date per line showed up in `ls` profiles.
  if (lastTime?.seconds !== seconds) lastTime = { seconds, text: new Date(seconds * 1000).toISOString().slice(0, 16).replace('T', ' ') };
  return lastTime.text;
}

/** Format a byte count for humans. */
export function formatSize(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

export interface ListLine {
  segment: number;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  size: number;
  rdev: [number, number];
  mtime: number;
  name: string;
  linkTarget?: string;
}

/** Render one `cpio -tv --numeric-uid-gid`-like line with a segment column. */
export function formatListLine(l: ListLine): string {
  const isDev = (l.mode & 0o170000) === 0o020000 || (l.mode & 0o170000) === 0o060000;
  const size = isDev ? `${l.rdev[0]}, ${l.rdev[1]}` : String(l.size);
  const name = l.linkTarget !== undefined ? `${escapeName(l.name)} -> ${escapeName(l.linkTarget)}` : escapeName(l.name);
  return `${String(l.segment).padStart(2)} ${formatMode(l.mode)} ${String(l.nlink).padStart(3)} ${String(l.uid).padEnd(5)} ${String(l.gid).padEnd(5)} ${size.padStart(10)} ${formatTime(l.mtime)} ${name}`;
}

/** Describe codec parameters briefly (xz check, zstd window, ...). */
export function formatParams(seg: Segment): string {
  const p = seg.params as Record<string, unknown> | undefined;
  if (!p) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(p)) {
    if (k === 'codec' || v === undefined || v === false) continue;
    parts.push(v === true ? k : `${k}=${Array.isArray(v) ? v.join('+') : String(v)}`);
  }
  return parts.join(' ');
}

/** Render the `inspect` report. */
export function formatInspect(name: string, index: InitrdSummary): string {
  const lines = [`${escapeText(name)}: ${index.size} bytes, ${countOf(index.segments.length, 'segment')}, ${countOf(index.entryCount, 'entry', 'entries')}`];
  lines.push(` #  offset      length      format  entries  uncompressed  parameters`);
  for (const s of index.segments) {
    lines.push(
      `${String(s.index).padStart(2)}  0x${s.offset.toString(16).padStart(8, '0')}  ${String(s.length).padStart(10)}  ${s.format.padEnd(6)}  ${String(s.entries).padStart(7)}  ${String(s.uncompressedSize).padStart(12)}  ${formatParams(s)}${s.hasTrailer ? '' : ' (no trailer)'}`,
    );
  }
  if (index.trailingPadding > 0) lines.push(`trailing NUL padding: ${index.trailingPadding} bytes`);
  lines.push(`kernel versions: ${index.kernelVersions.length > 0 ? index.kernelVersions.map(escapeName).join(', ') : '(none under lib/modules)'}`);
  return `${lines.join('\n')}\n`;
}
