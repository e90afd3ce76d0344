/**
 * readDeb and readRpm against the packaging tools as oracles: our listing of
 * real Debian packages equals `dpkg-deb -c` (names, modes, owners, sizes,
 * link targets) and the bytes equal `dpkg-deb -x`; our listing of rpms built
 * here by rpmbuild (gzip, xz and zstd payloads) equals `rpm -qlvp` and
 * `rpm2cpio | cpio -tv`, and the bytes equal what `rpm2cpio | cpio -i` writes.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { formatMode, modeBitsOf } from '../../src/cpio/index.ts';
import { readFileChunks } from '../../src/io/index.ts';
import { readDeb, readRpm, type PackageEntry } from '../../src/package/index.ts';
import { collect } from '../helpers/chunked.ts';
import { buildRpm, ensurePackages, RPM_PAYLOADS } from '../helpers/packages.ts';
import { requireTool, runTool } from '../helpers/tools.ts';

const text = (b: Uint8Array): string => new TextDecoder().decode(b);
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

function typeMode(e: PackageEntry): string {
  const type = e.type === 'hardlink' ? 'file' : e.type;
  return formatMode(modeBitsOf(type) | e.mode);
}

/** Render an entry the way dpkg-deb -c (tar -tv) does, without the date. */
function tarLine(e: PackageEntry): string {
  const name = e.path === '.' ? './' : `./${e.path}${e.type === 'dir' ? '/' : ''}`;
  const link = e.type === 'symlink' ? ` -> ${e.linkTarget}` : e.type === 'hardlink' ? ` link to ./${e.linkTarget}` : '';
  return `${e.type === 'hardlink' ? 'h' + typeMode(e).slice(1) : typeMode(e)} ${e.user}/${e.group} ${e.size} ${name}${link}`;
}

function dpkgLines(deb: string): string[] {
  return text(runTool('dpkg-deb', ['-c', deb]))
    .trim()
    .split('\n')
    .map((l) => {
      const m = /^(\S+) (\S+)\s+(\d+) \S+ \S+ (.*)$/.exec(l);
      assert.ok(m, l);
      return `${m[1]} ${m[2]} ${m[3]} ${m[4]}`;
    });
}

describe('readDeb matches dpkg-deb', () => {
  for (const pkg of ['mdadm', 'libudev1', 'libc6'] as const) {
    it(`lists ${pkg}.deb like dpkg-deb -c and extracts the same bytes as dpkg-deb -x`, async (t) => {
      if (!requireTool(t, 'dpkg-deb')) return;
      const pkgs = await ensurePackages(t);
      if (!pkgs) return;
      const deb = await readDeb(readFileChunks(pkgs[pkg]));
      assert.equal(deb.control.Package, pkg);
      assert.equal(deb.control.Version, text(runTool('dpkg-deb', ['-f', pkgs[pkg], 'Version'])).trim());
      const lines: string[] = [];
      for await (const e of deb.entries) {
        lines.push(tarLine(e));
        if (e.type === 'file' && e.size > 0) assert.equal(sha(await collect(e.body)), sha(readFileSync(join(pkgs.sysroot, e.path))), e.path);
      }
      assert.deepEqual(lines, dpkgLines(pkgs[pkg]));
    });
  }

  it('reads debs rebuilt with gzip, xz, zstd and no compression', async (t) => {
    if (!requireTool(t, 'dpkg-deb')) return;
    const pkgs = await ensurePackages(t);
    if (!pkgs) return;
    const dir = mkdtempSync(join(tmpdir(), 'remaster-deb-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const tree = join(dir, 'tree');
    runTool('dpkg-deb', ['-R', pkgs.mdadm, tree]);
    for (const z of ['gzip', 'xz', 'zstd', 'none']) {
      const out = join(dir, `mdadm-${z}.deb`);
      runTool('dpkg-deb', ['--root-owner-group', `-Z${z}`, '-b', tree, out]);
      const deb = await readDeb(readFileChunks(out));
      assert.equal(deb.dataCompression, z);
      const lines: string[] = [];
      for await (const e of deb.entries) lines.push(tarLine(e));
      assert.deepEqual(lines, dpkgLines(out), z);
    }
  });
});

describe('readRpm matches rpm and rpm2cpio', () => {
  const dir = mkdtempSync(join(tmpdir(), 'remaster-rpm-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const payload of Object.keys(RPM_PAYLOADS) as (keyof typeof RPM_PAYLOADS)[]) {
    it(`reads a ${payload} rpm like rpm -qlvp, rpm2cpio | cpio -tv and cpio -i`, async (t) => {
      if (!requireTool(t, 'rpmbuild', 'rpm', 'rpm2cpio', 'cpio')) return;
      const file = buildRpm(dir, payload);
      const rpm = await readRpm(readFileChunks(file));
      const q = (fmt: string): string => text(runTool('rpm', ['-qp', '--nosignature', '--qf', fmt, file]));
      assert.equal(`${rpm.header.name} ${rpm.header.version} ${rpm.header.release} ${rpm.header.arch} ${rpm.header.payloadCompressor}`, q('%{NAME} %{VERSION} %{RELEASE} %{ARCH} %{PAYLOADCOMPRESSOR}'));
      const qlv = text(runTool('rpm', ['-qlvp', '--nosignature', file])).trim().split('\n').map((l) => l.split(/\s+/));
      assert.deepEqual(rpm.header.files.map((f) => [formatMode(f.mode), f.user, f.group, String(f.size), `/${f.path}`]), qlv.map((c) => [c[0], c[2], c[3], c[4], c[8]]));
      const cpioBytes = runTool('rpm2cpio', [file]);
      const tv = text(runTool('cpio', ['-tv', '--quiet'], cpioBytes)).trim().split('\n').map((l) => l.split(/\s+/));
      const extract = join(dir, `x-${payload}`);
      runTool('sh', ['-c', `mkdir -p ${extract} && cd ${extract} && cpio -idm --quiet`], cpioBytes);
      const ours: string[][] = [];
      for await (const e of rpm.entries) {
        // cpio -tv prints a symlink's target length as its size; PackageEntry.size is 0 for links.
        const size = e.type === 'symlink' ? new TextEncoder().encode(e.linkTarget).length : e.size;
        ours.push([typeMode(e), String(size), `./${e.path}${e.linkTarget !== undefined ? ` -> ${e.linkTarget}` : ''}`]);
        if (e.type === 'file') assert.equal(sha(await collect(e.body)), sha(readFileSync(join(extract, e.path))), e.path);
      }
      assert.deepEqual(ours, tv.map((c) => [c[0] as string, c[4] as string, c.slice(8).join(' ')]));
    });
  }
});
