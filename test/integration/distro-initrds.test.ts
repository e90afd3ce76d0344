/**
 * Initrds written by the distributions' own generators (issue 10): Debian's
 * mkinitramfs with every COMPRESS value and dracut with every compressor and
 * --no-compress, each dracut image led by dracut's early uncompressed cpio
 * with an ACPI table override (fixtures/distro-initrds.sh). For each image,
 * with the built CLI:
 *  - `remaster inspect` finds the generator's archives (dracut: early cpio +
 *    main; mkinitramfs: one), the last in the codec it was told to use;
 *  - `remaster ls` lists exactly what lsinitramfs lists, in the same order;
 *  - `remaster extract`, as root, leaves the tree unmkinitramfs (GNU cpio)
 *    leaves once its archives are laid over each other in order: type, mode
 *    (the generators' setuid mount included), owner, size, link target,
 *    content, mtime of every regular file;
 *  - `remaster add` appends a probe segment after the original bytes, kept
 *    as they were; `remaster ls` of the result lists the oracle's listing
 *    of the original and then what the codec's own CLI + GNU cpio list in
 *    the appended tail (lsinitramfs reads one compressed archive after the
 *    early ones, so it cannot list an appended image whole); the Debian
 *    kernel under QEMU unpacks every segment: the probe (rdinit) finds a file of each archive
 *    and the setuid bit, and for dracut the early cpio's ACPI table installed
 *    by the kernel (its OEM ids under /sys/firmware/acpi/tables).
 * Each image boots once. Needs root (mkinitramfs runs in a private mount
 * namespace; extraction applies owners).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { test, type TestContext } from 'node:test';
import { ensureFixtures, fixturesDir } from '../helpers/fixtures.ts';
import { bootKernel, makeNonce } from '../helpers/qemu.ts';
import { runCli } from '../helpers/run-cli.ts';
import { requireFile, requireTool } from '../helpers/tools.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';
import { expectedChanges, oracleFacts, type Fact } from '../helpers/tree-oracle.ts';

const SCRIPT = resolve(import.meta.dirname, '../../fixtures/distro-initrds.sh');
const IMAGES: { file: string; generator: 'mkinitramfs' | 'dracut'; codec: string }[] = [
  ...['gzip', 'bzip2', 'lz4', 'lzma', 'lzop', 'xz', 'zstd'].map((c) => ({ file: `mk-${c}.img`, generator: 'mkinitramfs' as const, codec: c })),
  ...['gzip', 'bzip2', 'lzma', 'xz', 'lzop', 'lz4', 'zstd', 'no'].map((c) => ({ file: `dr-${c}.img`, generator: 'dracut' as const, codec: c })),
];
/** remaster's name for the codec a generator was asked for. */
const FORMAT: Record<string, string> = { lzop: 'lzo', no: 'cpio' };
const ACPI = 'kernel/firmware/acpi/ssdt1.aml';
/** The real decompressor for an appended segment in the codec of the generator's last archive. */
const DECOMPRESS: Record<string, string> = {
  gzip: 'gzip -dc', bzip2: 'bzip2 -dc', lz4: 'lz4 -dc', lzma: 'xz --format=lzma -dc', lzop: 'lzop -dc', xz: 'xz -dc', zstd: 'zstd -dc',
};

const SKIPCPIO = '/usr/lib/dracut/skipcpio';
const CPIO_IN = 'cpio -i -d --preserve-modification-time --no-absolute-filenames --quiet';
const lines = (text: string) => text.split('\n').filter(Boolean);
const sh = (script: string, img: string, cwd?: string) => execFileSync('sh', ['-c', script, 'sh', img], { encoding: 'utf8', maxBuffer: 64 << 20, cwd });

/**
 * What the distributions' tools list. unmkinitramfs/lsinitramfs take every uncompressed archive after
 * the first for the start of a compressed one and stop with "premature end of archive" on dracut's
 * --no-compress image (early cpio + uncompressed main): there dracut's own skipcpio splits the two and
 * GNU cpio reads each.
 */
const uncompressedPair = (img: string) => img.endsWith('dr-no.img');
const oracleList = (img: string) => (uncompressedPair(img)
  ? lines(sh(`cpio -t --quiet < "$1" && ${SKIPCPIO} "$1" | cpio -t --quiet`, img))
  : lines(execFileSync('lsinitramfs', [img], { encoding: 'utf8', maxBuffer: 64 << 20 })));

/** unmkinitramfs's archives laid over each other in order (early, early2, …, main), as the kernel would. */
function oracleTree(img: string, dir: string): string {
  const split = join(dir, 'split');
  if (uncompressedPair(img)) {
    execFileSync('mkdir', ['-p', join(split, 'early'), join(split, 'main')]);
    sh(`${CPIO_IN} < "$1"`, img, join(split, 'early'));
    sh(`${SKIPCPIO} "$1" | ${CPIO_IN}`, img, join(split, 'main'));
  } else {
    execFileSync('unmkinitramfs', [img, split]);
  }
  const parts = readdirSync(split).filter((n) => /^(early\d*|main)$/u.test(n));
  if (parts.length === 0) return split;
  const order = parts.sort((a, b) => (a === 'main' ? 1 : b === 'main' ? -1 : a.localeCompare(b, 'en', { numeric: true })));
  const merged = join(dir, 'merged');
  execFileSync('mkdir', [merged]);
  for (const p of order) execFileSync('cp', ['-a', '--remove-destination', `${join(split, p)}/.`, merged]);
  return merged;
}

/**
 * GNU cpio sets no mtime on symlinks (the kernel does, with lutimes semantics, and so does remaster) and
 * directory mtimes move while later archives are laid over: those are not compared.
 */
const comparable = (facts: Map<string, Fact>) => new Map([...facts].map(([p, f]) => [p, f.type === 'dir' || f.type === 'symlink' ? { ...f, mtime: 0 } : f]));

async function checkImage(t: TestContext, img: string, image: (typeof IMAGES)[number], kernel: string): Promise<void> {
  const dir = await tmpDir(t, 'remaster-distro-');
  // segments: the generator's archives, the last in the codec it was told to use
  const info = await runCli(['inspect', '--json', img]);
  assert.equal(info.code, 0, info.stderr);
  const segments = (JSON.parse(info.stdout) as { segments: { format: string; archives: number }[] }).segments;
  const oracle = oracleTree(img, dir);
  // dracut writes its early cpio and then the main archive, mkinitramfs (no microcode hooks here) one archive
  const archives = image.generator === 'dracut' ? 2 : 1;
  assert.equal(segments.reduce((n, s) => n + s.archives, 0), archives, `archives: ${JSON.stringify(segments)}`);
  assert.equal(segments.at(-1)?.format, FORMAT[image.codec] ?? image.codec);
  if (image.generator === 'dracut') assert.equal(segments[0]?.format, 'cpio', 'dracut\'s early cpio leads');

  // the listing
  const listed = oracleList(img);
  const ls = await runCli(['ls', '--json', img]);
  assert.equal(ls.code, 0, ls.stderr);
  assert.deepEqual(ls.stdout.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { name: string }).name), listed);

  // extraction as root against GNU cpio's
  const ours = join(dir, 'ours');
  const ex = await runCli(['extract', img, ours]);
  assert.equal(ex.code, 0, ex.stderr);
  const want = oracleFacts(oracle);
  const setuid = [...want].filter(([, f]) => f.type === 'file' && (f.perm & 0o4000) !== 0).map(([p]) => p);
  assert.ok(setuid.length > 0, `${image.file} holds a setuid file (the generator copied the host's mount)`);
  assert.deepEqual(expectedChanges(comparable(want), comparable(oracleFacts(ours)), true), []);

  // append a probe segment; lsinitramfs lists the original listing, then the probe
  const nonce = makeNonce();
  const shell = existsSync(join(ours, 'usr/bin/sh')) || existsSync(join(ours, 'bin/sh')) ? '/bin/sh' : undefined;
  assert.ok(shell !== undefined, 'the image has a shell for the probe');
  const mainFile = [...want].find(([p, f]) => f.type === 'file' && p.startsWith('usr/') && !setuid.includes(p))?.[0] as string;
  const checks = [mainFile, ...(image.generator === 'dracut' ? [ACPI] : [])];
  const probe = join(dir, 'probe');
  await writeFile(probe, [
    '#!/bin/sh',
    'bad=',
    ...checks.map((p) => `[ -f "/${p}" ] || bad="$bad missing:/${p}"`),
    ...setuid.map((p) => `[ -u "/${p}" ] || bad="$bad not-setuid:/${p}"`),
    // the kernel installed the early cpio's table: its OEM ids are in /sys/firmware/acpi/tables
    ...(image.generator === 'dracut' ? [
      'mount -t sysfs sysfs /sys',
      'acpi=',
      `for f in /sys/firmware/acpi/tables/SSDT*; do case "$(tr -d '\\000' < "$f")" in *REMASTREMASTER*) acpi=yes ;; esac; done`,
      '[ -n "$acpi" ] || bad="$bad acpi-table-not-installed"',
    ] : []),
    `if [ -z "$bad" ]; then echo "REMASTER-DISTRO ok nonce=${nonce}"; else echo "REMASTER-DISTRO bad$bad"; fi`,
    '',
  ].join('\n'), { mode: 0o755 });
  const out = join(dir, 'appended.img');
  const add = await runCli(['add', img, `${probe}:/remaster-probe`, '-o', out]);
  assert.equal(add.code, 0, add.stderr);
  // lsinitramfs/unmkinitramfs read one compressed archive after the early ones, so the appended image is
  // judged in parts: the original bytes unchanged, the tail listed by the codec's own CLI and GNU cpio,
  // remaster's listing of the whole = the oracle's listing of the original + the tail's; then the kernel.
  const [before, whole] = [await readFile(img), await readFile(out)];
  assert.ok(whole.subarray(0, before.length).equals(before), 'the original bytes are kept as they were');
  let pad = before.length;
  while (whole[pad] === 0) pad++;
  const tail = join(dir, 'tail.bin');
  await writeFile(tail, whole.subarray(pad));
  const tailList = lines(sh(`${DECOMPRESS[image.codec] ?? 'cat'} < "$1" | cpio -t --quiet`, tail));
  assert.ok(tailList.includes('remaster-probe'), `the appended segment holds the probe: ${tailList.join(' ')}`);
  const lsAfter = await runCli(['ls', '--json', out]);
  assert.equal(lsAfter.code, 0, lsAfter.stderr);
  assert.deepEqual(lsAfter.stdout.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { name: string }).name), [...listed, ...tailList]);
  // one more archive (a zstd frame appended to a zstd segment may be reported inside that segment)
  const again = JSON.parse((await runCli(['inspect', '--json', out])).stdout) as { segments: { archives: number }[] };
  assert.equal(again.segments.reduce((n, s) => n + s.archives, 0), archives + 1, `archives after the append: ${JSON.stringify(again.segments)}`);

  // the kernel unpacks every segment
  // (the kernel also prints "SSDT ACPI table found in initrd [...]", but that early serial output loses
  // characters under load: the probe reads the installed table instead)
  const r = await bootKernel({ kernel, initrd: out, append: 'rdinit=/remaster-probe', nonce, expect: [new RegExp(`REMASTER-DISTRO ok nonce=${nonce}`, 'u')], timeoutMs: 120_000 });
  t.diagnostic(`${image.file}: boot ${r.durationMs} ms`);
  assert.ok(r.passed, `missing ${r.missing.join(', ')}; console tail:\n${r.log.split('\n').slice(-25).join('\n')}`);
}

test('initrds of mkinitramfs (every COMPRESS) and dracut (every compressor, early ACPI cpio) are read, extracted as root and appended to, judged by lsinitramfs/unmkinitramfs and the kernel', { timeout: 2_400_000 }, async (t) => {
  if (!requireTool(t, 'mkinitramfs', 'dracut', 'lsinitramfs', 'unmkinitramfs', 'unshare', 'lzop', 'cpio', 'qemu-system-x86_64') || !requireFile(t, SKIPCPIO, 'dracut-core')) return;
  if (process.getuid?.() !== 0) {
    if (process.env.CI === 'true') throw new Error('needs root (CI runs as root)');
    t.diagnostic('SKIPPED: needs root');
    return t.skip('needs root');
  }
  const fx = await ensureFixtures(t);
  if (fx === undefined) return;
  const out = join(fixturesDir(), 'distro');
  await mkdir(out, { recursive: true });
  const gen = spawnSync('bash', [SCRIPT, out, fx.kernel.config, fx.kernel.modulesDir, fx.kernel.kver], { encoding: 'utf8' });
  assert.equal(gen.status, 0, `${SCRIPT}: ${gen.stderr.slice(-3000)}`);
  for (const image of IMAGES) {
    await t.test(`${image.generator} ${image.codec}`, async (st) => checkImage(st, join(out, image.file), image, fx.kernel.vmlinuz));
  }
});
