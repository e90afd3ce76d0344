/**
 * `diff` and `iso diff` against independent oracles: two directory trees are archived by GNU
 * cpio (and compressed by gzip / xz), and the expected changes come from
 * GNU find (type, mode, owner, size, link target, mtime) and sha256sum over
 * the trees themselves, never from remaster's reader.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, link, mkdir, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { diffTrees, readFileChunks, readInitrdTree } from '../../src/index.ts';
import { expectedChanges, oracleFacts } from '../helpers/tree-oracle.ts';
import { ensureIsoFixtures } from '../helpers/make-iso.ts';
import { runCli } from '../helpers/run-cli.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';
import { requireTool } from '../helpers/tools.ts';

/** Archive a tree with GNU cpio (newc) and compress it with `codec`; return the image path. */
function archive(root: string, out: string, codec: string[]): string {
  execFileSync('bash', ['-o', 'pipefail', '-c', `find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet | ${codec.join(' ')} > '${out}'`], { cwd: root });
  return out;
}

async function actualChanges(fileA: string, fileB: string, mtime: boolean): Promise<string[]> {
  const a = await readInitrdTree(readFileChunks(fileA));
  const b = await readInitrdTree(readFileChunks(fileB));
  return diffTrees(a, b, { mtime }).map((c) => (c.kind === 'changed' ? `~ ${c.path} ${c.fields.join(',')}` : `${c.kind === 'added' ? '+' : '-'} ${c.path}`));
}

async function makeTrees(t: TestContext): Promise<{ dir: string; a: string; b: string }> {
  const dir = await tmpDir(t, 'remaster-diff-');
  const a = join(dir, 'a');
  await mkdir(join(a, 'etc/conf.d'), { recursive: true });
  await mkdir(join(a, 'usr/bin'), { recursive: true });
  await mkdir(join(a, 'old'), { recursive: true });
  await writeFile(join(a, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  await writeFile(join(a, 'etc/conf.d/net'), 'ip=dhcp\n');
  await writeFile(join(a, 'etc/same-size'), 'AAAA\n');
  await writeFile(join(a, 'usr/bin/tool'), '#!/bin/sh\necho one\n', { mode: 0o755 });
  await writeFile(join(a, 'old/gone'), 'bye\n');
  await writeFile(join(a, 'usr/bin/busybox'), 'busybox v1\n', { mode: 0o755 });
  await link(join(a, 'usr/bin/busybox'), join(a, 'usr/bin/sh')); // hard link group: data on one link only
  await symlink('usr/bin', join(a, 'bin'));
  await writeFile(join(a, 'becomes-dir'), 'file\n');
  execFileSync('mkfifo', [join(a, 'etc/fifo')]);
  execFileSync('touch', ['-h', '-d', '2024-01-02T03:04:05Z', ...['etc/passwd', 'etc/conf.d/net', 'etc/same-size', 'usr/bin/tool', 'old/gone', 'usr/bin/busybox', 'bin', 'becomes-dir', 'etc/fifo'].map((p) => join(a, p))]);
  const b = join(dir, 'b');
  execFileSync('cp', ['-a', a, b]);
  await writeFile(join(b, 'etc/same-size'), 'BBBB\n'); // same size, new content
  await utimes(join(b, 'etc/same-size'), new Date('2024-01-02T03:04:05Z'), new Date('2024-01-02T03:04:05Z')); // only content differs
  await writeFile(join(b, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nop:x:1000:1000::/home/op:/bin/sh\n');
  await chmod(join(b, 'usr/bin/tool'), 0o700);
  await rm(join(b, 'old'), { recursive: true });
  await writeFile(join(b, 'usr/bin/busybox'), 'busybox v2 with more applets\n'); // both hard links change
  await rm(join(b, 'bin'));
  await symlink('usr/sbin', join(b, 'bin'));
  await rm(join(b, 'becomes-dir'));
  await mkdir(join(b, 'becomes-dir'));
  await mkdir(join(b, 'opt/vendor'), { recursive: true });
  await writeFile(join(b, 'opt/vendor/hpssacli'), 'ELF?\n', { mode: 0o755 });
  return { dir, a, b };
}

test('diff of two GNU cpio images (gzip vs xz) equals find + sha256sum on the trees they were made from', async (t) => {
  if (!requireTool(t, 'cpio', 'gzip', 'xz', 'find', 'sha256sum', 'mkfifo')) return;
  const { dir, a, b } = await makeTrees(t);
  const imgA = archive(a, join(dir, 'a.img'), ['gzip', '-n9']);
  const imgB = archive(b, join(dir, 'b.img'), ['xz', '--check=crc32']);
  const factsA = oracleFacts(a);
  const factsB = oracleFacts(b);
  for (const mtime of [false, true]) {
    const expected = expectedChanges(factsA, factsB, mtime);
    assert.deepEqual(await actualChanges(imgA, imgB, mtime), expected, `mtime=${mtime}`);
  }
  // the fixture exercises every kind of change it claims to
  const expected = expectedChanges(factsA, factsB, false).join('\n');
  for (const want of ['~ usr/bin/sh content,size', '~ usr/bin/busybox content,size', '~ etc/same-size content\n', '~ bin size,target', '~ becomes-dir type,perm', '~ usr/bin/tool perm', '- old/gone', '+ opt/vendor/hpssacli']) {
    assert.ok(`${expected}\n`.includes(want), `oracle diff has "${want.trim()}":\n${expected}`);
  }
  assert.deepEqual(await actualChanges(imgA, imgA, true), [], 'an image against itself');
});

test('diff sees through segments and compression: an appended overlay shows as its changes only, a rebuild as none', async (t) => {
  if (!requireTool(t, 'cpio', 'gzip', 'xz', 'find', 'sha256sum', 'mkfifo')) return;
  const { dir, a } = await makeTrees(t);
  const base = archive(a, join(dir, 'base.img'), ['gzip', '-n9']);
  // an overlay archive made by GNU cpio, appended as a second (xz) segment after NUL padding to 4 bytes
  const overlay = join(dir, 'overlay');
  await mkdir(join(overlay, 'etc'), { recursive: true });
  await writeFile(join(overlay, 'etc/passwd'), 'replaced\n');
  await writeFile(join(overlay, 'etc/motd'), 'hello\n');
  execFileSync('touch', ['-d', '2024-01-02T03:04:05Z', join(overlay, 'etc')]);
  execFileSync('chmod', [(await readMode(join(a, 'etc'))).toString(8), join(overlay, 'etc')]);
  const over = archive(overlay, join(dir, 'overlay.xz'), ['xz', '--check=crc32']);
  const baseBytes = await readFile(base);
  const pad = new Uint8Array((4 - (baseBytes.length % 4)) % 4);
  const stacked = join(dir, 'stacked.img');
  await writeFile(stacked, Buffer.concat([baseBytes, pad, await readFile(over)]));
  assert.deepEqual(await actualChanges(base, stacked, false), ['+ etc/motd', '~ etc/passwd content,size']);
  // remaster's own rebuild of the stacked image into one zstd segment unpacks to the same tree
  const rebuilt = join(dir, 'rebuilt.img');
  const r = await runCli(['repack', stacked, '-o', rebuilt, '-c', 'zstd']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await actualChanges(stacked, rebuilt, true), []);
  // the CLI: lines, exit codes
  const same = await runCli(['diff', '--exit-code', stacked, rebuilt]);
  assert.equal(same.code, 0, same.stderr);
  assert.equal(same.stdout, '');
  const differ = await runCli(['diff', '--exit-code', base, stacked]);
  assert.equal(differ.code, 1, differ.stderr);
  assert.match(differ.stdout, /^\+ file +0644 \d+:\d+ +6 etc\/motd\n~ etc\/passwd: content [0-9a-f]{12} → [0-9a-f]{12}, size 30 → 9\n$/u);
  assert.match(differ.stderr, /1 added, 0 removed, 1 changed/u);
  const json = await runCli(['diff', '--json', base, stacked]);
  assert.equal(json.code, 0);
  const motd = JSON.parse(json.stdout.split('\n')[0] as string) as { kind: string; b: { sha256: string; segment: number } };
  assert.equal(motd.kind, 'added');
  assert.equal(motd.b.segment, 2);
  assert.equal(motd.b.sha256, execFileSync('sha256sum', [join(overlay, 'etc/motd')], { encoding: 'utf8' }).slice(0, 64));
});

async function readMode(path: string): Promise<number> {
  const { stat } = await import('node:fs/promises');
  return (await stat(path)).mode & 0o7777;
}

test('iso diff of an ISO and its rebuild equals find + sha256sum on what xorriso extracts from each, boot data by meaning; label and boot entries', async (t) => {
  if (!requireTool(t, 'xorriso', 'mtype', 'mcopy', 'find', 'sha256sum')) return;
  const fixtures = await ensureIsoFixtures();
  const dir = await tmpDir(t, 'remaster-iso-diff-');
  const before = join(fixtures, 'rhel9.iso');
  const after = join(dir, 'after.iso');
  await writeFile(join(dir, 'ks.cfg'), 'text\nreboot\n');
  const made = await runCli(['iso', 'rebuild', before, '-o', after, '--add', `${join(dir, 'ks.cfg')}:/ks.cfg`, '--kernel-arg', 'inst.ks=hd:LABEL=DIFFTEST:/ks.cfg', '--volume-label', 'DIFFTEST']);
  assert.equal(made.code, 0, made.stderr);
  const extract = async (iso: string, name: string): Promise<string> => {
    const to = join(dir, name);
    execFileSync('xorriso', ['-osirrox', 'on', '-indev', iso, '-extract', '/', to], { stdio: 'ignore' });
    execFileSync('chmod', ['-R', 'u+rwX', to]); // xorriso keeps read-only modes; find and sha256sum need to read
    return to;
  };
  const xBefore = await extract(before, 'x-before');
  const xAfter = await extract(after, 'x-after');
  const raw = expectedChanges(oracleFacts(xBefore), oracleFacts(xAfter), false);
  // Boot data is compared by meaning (#16): the oracle sees the rebuilt isolinux.bin differ only in its boot-info
  // table (bytes 8-63, re-patched for its new place) and the catalog differ only in LBAs, while xorriso reports
  // the same boot images; those two are no difference.
  const bin = [await readFile(join(xBefore, 'isolinux/isolinux.bin')), await readFile(join(xAfter, 'isolinux/isolinux.bin'))] as const;
  assert.ok(bin[0].length === bin[1].length && bin[0].every((x, i) => x === bin[1][i] || (i >= 8 && i < 64)), 'isolinux.bin differs only in its boot-info table');
  const eltorito = (iso: string) => execFileSync('xorriso', ['-indev', iso, '-report_el_torito', 'plain'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    .split('\n').filter((l) => l.startsWith('El Torito')).map((l) => (l.startsWith('El Torito boot img') ? l.replace(/\s+\d+\s*$/u, '') : l)).filter((l) => !/cat path|catalog/u.test(l));
  assert.deepEqual(eltorito(after), eltorito(before));
  const expected = raw.filter((x) => !/^~ isolinux\/(boot\.cat|isolinux\.bin) content$/u.test(x));
  assert.equal(raw.length - expected.length, 2, raw.join('\n'));
  const r = await runCli(['iso', 'diff', '--json', before, after]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { kind: string; path?: string; fields?: string[]; what?: string; a?: unknown; b?: unknown });
  const files = lines.filter((l) => l.path !== undefined).map((c) => (c.kind === 'changed' ? `~ ${c.path} ${(c.fields ?? []).join(',')}` : `${c.kind === 'added' ? '+' : '-'} ${c.path}`));
  // xorriso restores modes, so read-only files were made writable above: compare everything but perm
  const noPerm = (xs: string[]) => xs.map((x) => x.replace(/(^~ \S+ )(.*)$/u, (_m, head: string, f: string) => head + f.split(',').filter((k) => k !== 'perm').join(','))).filter((x) => !/^~ \S+ $/u.test(x));
  assert.deepEqual(noPerm(files), noPerm(expected));
  assert.ok(files.includes('+ ks.cfg') && files.some((f) => f.startsWith('~ isolinux/isolinux.cfg content')), files.join('\n'));
  const pvd = (iso: string) => /Volume Id\s*:\s*(\S+)/u.exec(execFileSync('xorriso', ['-indev', iso, '-pvd_info'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }))?.[1];
  assert.deepEqual(lines.find((l) => l.what === 'volume label'), { kind: 'changed', what: 'volume label', a: pvd(before), b: pvd(after) });
  assert.equal(lines.filter((l) => l.what === 'boot entry').length, 0, 'a replayed boot setup boots the same files');
  const same = await runCli(['iso', 'diff', '--exit-code', after, after]);
  assert.equal(same.code, 0, same.stderr);
  assert.equal(same.stdout, '');
  const differ = await runCli(['iso', 'diff', '--exit-code', before, join(fixtures, 'fedora40.iso')]);
  assert.equal(differ.code, 1, differ.stderr);
  assert.match(differ.stdout, /^- \[boot\] bios, no emulation, bootable, loads 4 sectors of \/isolinux\/isolinux\.bin$/mu);
  assert.match(differ.stdout, /^\+ \[boot\] efi, no emulation, bootable, loads \d+ sectors of a non-file image of \d+ bytes, sha256 [0-9a-f]{12}$/mu);
});
