// Defects (issue 10 items 13 and 14): `add --append` to an lzma (CentOS 6 style) or bzip2 initrd exited
// 0 and the kernel saw the new file, but remaster read the lzma/bzip2 member "to the end of the image"
// and swallowed the appended segment; an lzop image got a gzip segment after an lzop member read to
// the end. Every codec now reports the exact end of its member, so the segment after it is listed,
// and the new segment uses the codec of the segment being edited. Base images are written by the
// real CLIs; the appended segment is checked with the codec's own CLI and GNU cpio.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readInitrdTree, scanInitrd, type AddSpec, type Compression } from '../../src/index.ts';
import { makeCpio } from '../helpers/make-cpio.ts';
import { editBytes } from '../helpers/edit.ts';
import { gnuListing, realDecompress } from '../helpers/oracle.ts';
import { requireTool, runTool } from '../helpers/tools.ts';

const enc = new TextEncoder();
const payload = makeCpio([
  { name: '.', mode: 0o40755 },
  { name: 'etc', mode: 0o40755 },
  { name: 'etc/hostname', data: 'installer\n' },
  { name: 'init', mode: 0o100755, data: `#!/bin/sh\n${'echo filler line for a realistic member\n'.repeat(4000)}` },
]);

/** How each distribution tool writes the codec (reference 01 §8), as [tool, args]. */
const WRITERS: [Compression, string, string[]][] = [
  ['gzip', 'gzip', ['-n', '-9', '-c']],
  ['xz', 'xz', ['--check=crc32', '--lzma2=dict=1MiB', '-c']],
  ['lzma', 'xz', ['--format=lzma', '-9', '-c']], // RHEL 6 mk-images: xz -9 --format=lzma
  ['zstd', 'zstd', ['-q', '-19', '-c']],
  ['lz4', 'lz4', ['-q', '-l', '-9', '-c']],
  ['bzip2', 'bzip2', ['-9', '-c']],
  ['lzo', 'lzop', ['-9', '-c', '-q']],
];

const added: AddSpec = { path: 'etc/remaster/added.txt', type: 'file', data: enc.encode('appended\n'), size: 9 };

for (const [codec, tool, args] of WRITERS) {
  test(`an append to a ${codec} image is listed after it, in ${codec}`, async (t) => {
    if (!requireTool(t, tool, 'cpio')) return;
    const base = runTool(tool, args, payload);
    const { bytes, plan } = await editBytes(base, { add: [added] }, { mode: 'append', sourceDateEpoch: 1700000000 });
    assert.equal(plan.compression, codec, 'the new segment uses the codec of the segment being edited');
    const index = await scanInitrd([bytes]);
    assert.deepEqual(index.segments.map((s) => s.format), [codec, codec]);
    const [first, second] = index.segments;
    assert.equal(first?.length, base.length, 'the first member ends where the tool ended it');
    assert.equal(index.entries.filter((e) => e.segment === 2).map((e) => e.name).join(' '), 'etc/remaster etc/remaster/added.txt');
    const tree = await readInitrdTree([bytes]);
    assert.ok(tree.get('etc/remaster/added.txt'), 'the appended file is in the unpacked tree');
    assert.ok(tree.get('init'), 'and so is the original payload');
    // Oracle: the second segment alone, decoded by the codec's CLI, is a cpio GNU cpio lists.
    const member = bytes.subarray(second!.offset, second!.offset + second!.length);
    assert.match(gnuListing(realDecompress(codec, member)).join('\n'), /etc\/remaster\/added\.txt/);
  });
}
