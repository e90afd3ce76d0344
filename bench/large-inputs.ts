/**
 * Generated bench inputs that are too large (or too many) to commit: written into bench/out/ once and
 * reused. Entries are written with a tiny newc writer of its own (not remaster's), so the inputs do not
 * depend on the code being measured, and compressed with the real CLIs.
 *
 *   many-entries-2M.img  2,000,000 empty files in 2,000 directories, one zstd -3 segment (issue 10 item 9)
 *   tiny-xz-10k.img      10,000 xz segments (CRC32), each a cpio with one 16-byte file (issue 10 item 9)
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const MTIME = 1700000000;

function hex8(n: number): string {
  return n.toString(16).toUpperCase().padStart(8, '0');
}

/** One newc entry (header, name, padding, data, padding) as bytes. */
function newcEntry(name: string, mode: number, ino: number, data: Uint8Array = new Uint8Array(0)): Buffer {
  const nameBytes = Buffer.from(`${name}\0`, 'utf8');
  const header = `070701${hex8(ino)}${hex8(mode)}${hex8(0)}${hex8(0)}${hex8(mode >= 0o40000 && mode < 0o100000 ? 2 : 1)}${hex8(MTIME)}${hex8(data.length)}${hex8(0)}${hex8(0)}${hex8(0)}${hex8(0)}${hex8(nameBytes.length)}${hex8(0)}`;
  const namePad = (4 - ((110 + nameBytes.length) % 4)) % 4;
  const dataPad = (4 - (data.length % 4)) % 4;
  return Buffer.concat([Buffer.from(header, 'latin1'), nameBytes, Buffer.alloc(namePad), data, Buffer.alloc(dataPad)]);
}

function trailer(): Buffer {
  return newcEntry('TRAILER!!!', 0, 0);
}

/** Write `count` empty files (1,000 per directory) as one zstd -3 segment; return the image path. */
export async function manyEntriesInitrd(outDir: string, count = 2_000_000): Promise<string> {
  const img = join(outDir, `many-entries-${count / 1e6}M.img`);
  if (existsSync(img)) return img;
  mkdirSync(outDir, { recursive: true });
  const tmp = `${img}.tmp`;
  const zstd = spawn('zstd', ['-q', '-3', '-T0', '-c'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const sink = createWriteStream(tmp);
  zstd.stdout.pipe(sink);
  let ino = 1;
  let batch: Buffer[] = [newcEntry('.', 0o40755, ino++)];
  const flush = async (): Promise<void> => {
    if (!zstd.stdin.write(Buffer.concat(batch))) await once(zstd.stdin, 'drain');
    batch = [];
  };
  for (let d = 0; d < Math.ceil(count / 1000); d++) {
    const dir = `d${String(d).padStart(4, '0')}`;
    batch.push(newcEntry(dir, 0o40755, ino++));
    for (let f = 0; f < 1000 && d * 1000 + f < count; f++) batch.push(newcEntry(`${dir}/f${String(f).padStart(7, '0')}`, 0o100644, ino++));
    await flush();
  }
  batch.push(trailer());
  await flush();
  zstd.stdin.end();
  await Promise.all([once(zstd, 'close'), once(sink, 'close')]);
  if (zstd.exitCode !== 0) throw new Error(`zstd failed (${zstd.exitCode})`);
  renameSync(tmp, img);
  return img;
}

/** Write `count` xz segments (one process compresses every file), each holding one 16-byte file. */
export function tinyXzSegmentsInitrd(outDir: string, count = 10_000): string {
  const img = join(outDir, `tiny-xz-${count / 1000}k.img`);
  if (existsSync(img)) return img;
  const work = join(outDir, 'tiny-xz-work');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = `s${String(i).padStart(5, '0')}.cpio`;
    const data = Buffer.from(`segment ${String(i).padStart(7, '0')}\n`);
    writeFileSync(join(work, name), Buffer.concat([newcEntry(`etc/seg/${String(i).padStart(5, '0')}`, 0o100644, 1, data), trailer()]));
    names.push(name);
  }
  // xz takes every file in one process; each .xz is one stream whose size is a multiple of 4 (xz spec §2.1).
  const r = spawnSync('bash', ['-c', 'ls | xargs xz --check=crc32 -q'], { cwd: work, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('xz failed');
  const parts = readdirSync(work).filter((n) => n.endsWith('.xz')).sort().map((n) => readFileSync(join(work, n)));
  writeFileSync(`${img}.tmp`, Buffer.concat(parts));
  renameSync(`${img}.tmp`, img);
  rmSync(work, { recursive: true, force: true });
  return img;
}
