/**
 * Listing an uncompressed archive from a file seeks over entry bodies
 * (readFileSeekable + ByteReader.skip, as 3cpio's SeekForward and bsdtar do)
 * and gives exactly what reading every byte gives: same entries, same
 * offsets, same truncation errors; crc archives still read bodies to check
 * their sums.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ByteReader, fileRangeSource, readCpio, readFileSeekable, readInitrd, type SeekableChunks, type Warning } from '../../../src/index.ts';
import { makeCpio } from '../../helpers/make-cpio.ts';
import { tmpDir } from '../../helpers/tmp-dir.ts';

const BIG = 300_000;

function entries(): Parameters<typeof makeCpio>[0] {
  return [
    { name: 'dir', mode: 0o40755 },
    { name: 'dir/big-1', data: new Uint8Array(BIG).fill(1) },
    { name: 'dir/small', data: 'small file\n' },
    { name: 'dir/link', mode: 0o120777, data: 'small' },
    { name: 'dir/big-2', data: new Uint8Array(BIG * 3).fill(2) },
    { name: 'last', data: 'end\n' },
  ];
}

/** Count the bytes the source hands out, forwarding seeks. */
function counting(inner: SeekableChunks): { source: SeekableChunks; read: () => number } {
  let read = 0;
  const it = inner[Symbol.asyncIterator]();
  return {
    read: () => read,
    source: {
      [Symbol.asyncIterator]: () => ({
        next: async () => {
          const r = await it.next();
          if (!r.done) read += r.value.length;
          return r;
        },
        return: async () => (await it.return?.()) ?? { done: true, value: undefined },
      }),
      seekForward: (n) => inner.seekForward(n),
    },
  };
}

async function list(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<string[]> {
  const out: string[] = [];
  for await (const e of readInitrd(source)) out.push(`${e.segment} ${e.offset} ${e.name} ${e.header.fileSize} ${e.linkTarget ?? ''}`);
  return out;
}

test('listing a cpio file seeks over the bodies and lists what reading every byte lists', async (t) => {
  const dir = await tmpDir(t);
  const bytes = makeCpio(entries());
  const file = join(dir, 'a.cpio');
  await writeFile(file, bytes);
  const counted = counting(readFileSeekable(file));
  assert.deepEqual(await list(counted.source), await list([bytes]));
  assert.ok(counted.read() < bytes.length / 3, `read ${counted.read()} of ${bytes.length} bytes`);
  assert.deepEqual(await list(fileRangeSource(file).open()), await list([bytes]));
});

test('blocking positioned reads (the CLI\'s) seek and list the same, ranges included', async (t) => {
  const dir = await tmpDir(t);
  const bytes = makeCpio(entries());
  const file = join(dir, 'a.cpio');
  await writeFile(file, bytes);
  const counted = counting(readFileSeekable(file, {}, { blocking: true }));
  assert.deepEqual(await list(counted.source), await list([bytes]));
  assert.ok(counted.read() < bytes.length / 3, `read ${counted.read()} of ${bytes.length} bytes`);
  const half = { start: 0, end: bytes.length - 200 };
  const chunks: Uint8Array[] = [];
  for await (const c of fileRangeSource(file, { blocking: true }).open(half)) chunks.push(c);
  assert.deepEqual(Buffer.concat(chunks), Buffer.from(bytes.subarray(half.start, half.end)));
  await assert.rejects(async () => {
    for await (const c of readFileSeekable(join(dir, 'missing'), {}, { blocking: true })) void c;
  }, { code: 'INPUT_NOT_FOUND' });
});

test('a body cut short is CPIO_TRUNCATED at the same entry and offset whether the file is read or seeked', async (t) => {
  const dir = await tmpDir(t);
  const bytes = makeCpio(entries());
  const cut = bytes.subarray(0, bytes.indexOf(2) + 1000);
  const file = join(dir, 'cut.cpio');
  await writeFile(file, cut);
  const errorOf = async (source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>) => {
    try {
      await list(source);
    } catch (err) {
      return err as { code: string; offset: number; entry: string; message: string };
    }
    return undefined;
  };
  const read = await errorOf([cut]);
  const seeked = await errorOf(readFileSeekable(file));
  assert.equal(seeked?.code, 'CPIO_TRUNCATED');
  assert.deepEqual([seeked?.offset, seeked?.entry, seeked?.message], [read?.offset, read?.entry, read?.message]);
});

test('crc archives still read unread bodies from a file to check their sums', async (t) => {
  const dir = await tmpDir(t);
  const bytes = makeCpio(entries().map((e) => ({ ...e, magic: '070702' })));
  const file = join(dir, 'crc.cpio');
  await writeFile(file, bytes);
  const warnings: Warning[] = [];
  for await (const e of readCpio(new ByteReader(readFileSeekable(file)), { onWarning: (w) => warnings.push(w) })) void e;
  assert.deepEqual(warnings.map((w) => w.entry), ['dir/big-1', 'dir/small', 'dir/big-2', 'last']);
});

test('seekForward stops at the end of the range and reports how far it moved', async (t) => {
  const dir = await tmpDir(t);
  const file = join(dir, 'range');
  await writeFile(file, new Uint8Array(1000).map((_, i) => i & 0xff));
  const src = readFileSeekable(file, { start: 100, end: 600 });
  const it = src[Symbol.asyncIterator]();
  assert.equal(await src.seekForward(450), 450);
  const first = await it.next();
  assert.deepEqual([...(first.value as Uint8Array)], Array.from({ length: 50 }, (_, i) => (550 + i) & 0xff));
  assert.equal(await src.seekForward(10), 0);
  assert.equal((await it.next()).done, true);
});
