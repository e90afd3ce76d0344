/**
 * Boot proof for rebuildIso() (reference 10): a RHEL-layout ISO (layout A:
 * isolinux for BIOS, images/efiboot.img with GRUB for UEFI, isohybrid MBR +
 * GPT) holding the real Debian kernel and a busybox initrd written by our own
 * writeCpio + gzip codec, rebuilt with an added kernel argument, then booted
 * under QEMU TCG from a CD-ROM: SeaBIOS → isolinux, and OVMF → GRUB from the
 * El Torito EFI image (whose grub.cfg only mtools could edit). The guest's
 * /init prints the nonce it finds on /proc/cmdline, so the marker proves
 * the new argument reached the kernel through each firmware path.
 */
import assert from 'node:assert/strict';
import { lstat, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test, type TestContext } from 'node:test';
import { bootConfigEditor, createIsoWorkdir, getCodec, rebuildIso, writeCpio, type CpioWriteEntry } from '../../src/index.ts';
import { ensureFixtures } from '../helpers/fixtures.ts';
import { bootIso, makeNonce } from '../helpers/qemu.ts';
import { requireTool } from '../helpers/tools.ts';
import { buildIso } from '../helpers/installer-iso.ts';

const BOOT_TIMEOUT_MS = 300_000;

/** Walk a host tree into cpio entries (owner root, sorted names). */
async function treeEntries(root: string, prefix = ''): Promise<CpioWriteEntry[]> {
  const out: CpioWriteEntry[] = [];
  for (const name of (await readdir(join(root, prefix))).sort()) {
    const rel = prefix ? `${prefix}/${name}` : name;
    const st = await lstat(join(root, rel));
    const header = { ino: out.length + 1 + prefix.length * 1000, mode: st.mode, uid: 0, gid: 0, nlink: st.isDirectory() ? 2 : 1, mtime: 1_700_000_000, fileSize: 0, devMajor: 0, devMinor: 0, rdevMajor: 0, rdevMinor: 0 };
    if (st.isDirectory()) {
      out.push({ name: rel, header });
      out.push(...(await treeEntries(root, rel)));
    } else if (st.isSymbolicLink()) {
      const target = new TextEncoder().encode(await readlink(join(root, rel)));
      out.push({ name: rel, header: { ...header, fileSize: target.length }, body: target });
    } else {
      const data = new Uint8Array(await readFile(join(root, rel)));
      out.push({ name: rel, header: { ...header, fileSize: data.length }, body: data });
    }
  }
  return out;
}

async function buildInitrd(root: string, output: string): Promise<void> {
  const entries = (await treeEntries(root)).map((e, i) => ({ ...e, header: { ...e.header, ino: i + 1 } }));
  const parts: Uint8Array[] = [];
  for await (const c of getCodec('gzip').compress(writeCpio(entries))) parts.push(c);
  await writeFile(output, Buffer.concat(parts));
}

/** Build and rebuild once per process; both boot tests use the result. */
let sharedDir: string | undefined;
// Registered at the top level so the image outlives the first test and goes when the file's tests end.
after(() => (sharedDir ? rm(sharedDir, { recursive: true, force: true }) : undefined));
let prepared: Promise<{ iso: string; nonce: string }> | undefined;

async function prepare(t: TestContext): Promise<{ iso: string; nonce: string } | undefined> {
  if (!requireTool(t, 'qemu-system-x86_64', 'xorriso', 'mtype', 'mcopy', 'mdir', 'mmd', 'mkfs.vfat', 'grub-mkimage')) return undefined;
  const fx = await ensureFixtures(t);
  if (fx === undefined) return undefined;
  prepared ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'remaster-boot-'));
    sharedDir = dir;
    const initrd = join(dir, 'initrd.img');
    await buildInitrd(fx.small.root, initrd);
    const input = await buildIso(dir, fx.kernel.vmlinuz, initrd);
    const nonce = makeNonce();
    const output = join(dir, 'out.iso');
    const result = await rebuildIso({
      input, output, createWorkdir: createIsoWorkdir, strict: true,
      editConfig: bootConfigEditor({ kernelArgs: { add: [`remaster.nonce=${nonce}`, 'remaster.rebuilt=yes'] } }),
    });
    assert.deepEqual(result.configs.map((c) => [c.path, c.changes]), [['/isolinux/isolinux.cfg', 1], ['/EFI/BOOT/grub.cfg', 1], ['/images/efiboot.img:/EFI/BOOT/grub.cfg', 1]]);
    return { iso: output, nonce };
  })();
  return prepared;
}

const PATHS = {
  'bios cdrom': 'from CD-ROM under SeaBIOS via isolinux',
  'uefi cdrom': 'from CD-ROM under OVMF via GRUB from the El Torito EFI image',
  'bios disk': 'as a USB disk under SeaBIOS via the isohybrid MBR',
  'uefi disk': 'as a USB disk under OVMF via the EFI system partition of the hybrid GPT',
} as const;

for (const [key, how] of Object.entries(PATHS)) {
  const [firmware, as] = key.split(' ') as ['bios' | 'uefi', 'cdrom' | 'disk'];
  test(`the rebuilt ISO boots ${how} with the added kernel argument`, { timeout: BOOT_TIMEOUT_MS + 60_000 }, async (t) => {
    const ready = await prepare(t);
    if (ready === undefined) return;
    const result = await bootIso({
      iso: ready.iso, firmware, as, nonce: ready.nonce, timeoutMs: BOOT_TIMEOUT_MS,
      expect: [/REMASTER-MARKER init=main nonce=NONCE /, /REMASTER-CMDLINE .*remaster\.rebuilt=yes/],
    });
    t.diagnostic(`${key} boot took ${result.durationMs} ms, qemu exit ${result.exitCode}`);
    const tail = result.log.split('\n').slice(-30).join('\n');
    assert.ok(result.passed, `missing ${result.missing.join(', ')}; console tail:\n${tail}`);
    assert.equal(result.log.split(`remaster.nonce=${ready.nonce}`).length - 1 >= 1, true);
  });
}
