/**
 * Boot-test a published PXE tree: a scratch copy of the tree is served by
 * QEMU's user-mode TFTP server to a VM with the armed host's MAC, so the
 * per-MAC entry is the one exercised. In the copy only, the initrd blob is
 * replaced by its probe copy and the host's menu entries get
 * `console=ttyS0 panic=-1 remaster.nonce=…`; the published tree is never touched.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { RemasterError } from '../errors.ts';
import { editIsolinuxConfig, editGrubConfig } from '../bootcfg/index.ts';
import { copyTree, editTextInTree, makeScratchDir, pathExists, removeScratchDir, replaceFileInTree } from '../fsx/index.ts';
import { fileRangeSource } from '../io/index.ts';
import { macConfigName, normalizeMac, publishedBootFiles, readCurrentManifest, SHIM_FILE } from '../pxe/index.ts';
import { writeProbeInitrd, bootWith, type BootTestOptions, type BootTestResult } from './boot-test.ts';

/** Options for bootTestTftp. */
export interface BootTestTftpOptions extends BootTestOptions {
  /** The VM's MAC (default: the first armed host). */
  mac?: string;
}

/** Boot a published tree over PXE as an armed host: BIOS (pxelinux), UEFI (GRUB, or shim → signed GRUB when published), UEFI with Secure Boot (shim). */
export async function bootTestTftp(root: string, options: BootTestTftpOptions = {}): Promise<BootTestResult> {
  const manifest = await readCurrentManifest(root);
  if (!manifest) throw new RemasterError('INPUT_NOT_FOUND', 'not a published remaster PXE tree (no remaster/manifest.json)', { file: root });
  const mac = options.mac ?? manifest.model.hosts[0]?.mac;
  if (mac === undefined) throw new RemasterError('USAGE', 'no armed host in the tree; pass --mac of a host armed with remaster arm', { file: root });
  const scratch = await makeScratchDir('remaster-boot-test-');
  try {
    const nonce = randomBytes(8).toString('hex');
    const tree = join(scratch, 'tftp');
    await copyTree(root, tree);
    const probe = join(scratch, 'initrd-probe.img');
    await writeProbeInitrd(fileRangeSource(join(root, manifest.model.initrd.path)), options.checks ?? {}, probe, options);
    await replaceFileInTree(tree, manifest.model.initrd.path, probe);
    const args = { kernelArgs: { add: ['console=ttyS0', 'panic=-1', `remaster.nonce=${nonce}`] } };
    const name = macConfigName(mac);
    const pxelinux = `pxelinux.cfg/${name}`;
    const grub = `${manifest.grubDir}/grub.cfg-${name}`;
    if (await pathExists(join(tree, pxelinux))) await editTextInTree(tree, pxelinux, (t) => editIsolinuxConfig(t, args).text);
    if (await pathExists(join(tree, grub))) await editTextInTree(tree, grub, (t) => editGrubConfig(t, args).text);
    const runs = [];
    // The boot file each firmware gets is the one dhcp-snippet hands it (publishedBootFiles): UEFI clients get
    // the signed shim, else grub-mknetdir's core.efi, else iPXE's ipxe.efi.
    const files = publishedBootFiles(manifest);
    for (const firmware of options.firmware ?? ['bios']) {
      if (firmware === 'uefi-secure' && files.efiFile !== SHIM_FILE) throw new RemasterError('USAGE', 'a Secure Boot client needs the signed chain: publish with --grub-signed (pxe.loaders.grubSigned)', { file: root });
      const bootfile = firmware === 'bios' ? files.biosFile ?? 'pxelinux.0' : files.efiFile ?? `${manifest.grubDir}/x86_64-efi/core.efi`;
      if (!(await pathExists(join(tree, bootfile)))) throw new RemasterError('INPUT_NOT_FOUND', `the tree has no ${bootfile} for ${firmware} clients`, { file: root });
      runs.push(await bootWith(`${firmware} pxe ${normalizeMac(mac)}`, { kind: 'pxe', tftpRoot: tree, bootfile, mac: normalizeMac(mac), firmware }, nonce, scratch, options));
    }
    return { target: root, passed: runs.every((r) => r.passed), runs };
  } finally {
    await removeScratchDir(scratch);
  }
}
