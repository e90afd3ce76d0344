/**
 * Edit the boot configs inside an EFI FAT image without root or a loop
 * mount (reference 03 §8: GRUB booted from CD/USB reads the grub.cfg of the
 * El Torito EFI image first). mtools works on the image file in place:
 * `mdir -/ -b` lists it, `mtype` prints a file, `mcopy -o` replaces one.
 * The caller gives a private copy of the image and the host paths of files
 * to copy in, so this module does no file I/O of its own.
 */
import { runTool, type RunToolOptions } from './xorriso.ts';

/** Names of GRUB configs looked for inside the image (case-insensitive, FAT). */
export const FAT_CONFIG_NAME = /^(grub\.cfg|BOOT(X64|IA32|AA64)?\.conf)$/iu;

/** mtools refuses images whose geometry looks odd unless told to skip the check. */
const MTOOLS_ENV = { MTOOLS_SKIP_CHECK: '1', MTOOLS_NO_VFAT: '0' };

function mtoolsOptions(options: RunToolOptions): RunToolOptions {
  return { ...options, env: { ...MTOOLS_ENV, ...options.env } };
}

/** List the GRUB config files in a FAT image as absolute paths (`/EFI/BOOT/grub.cfg`). */
export async function listFatConfigs(image: string, options: RunToolOptions = {}): Promise<string[]> {
  const { stdout } = await runTool('mdir', ['-/', '-b', '-i', image, '::/'], mtoolsOptions(options));
  return new TextDecoder()
    .decode(stdout)
    .split('\n')
    .map((l) => l.trim().replace(/^::/u, ''))
    .filter((p) => p !== '' && !p.endsWith('/') && FAT_CONFIG_NAME.test(p.slice(p.lastIndexOf('/') + 1)));
}

/** Return the text of one file of a FAT image. */
export async function readFatText(image: string, path: string, options: RunToolOptions = {}): Promise<string> {
  const { stdout } = await runTool('mtype', ['-i', image, `::${path}`], mtoolsOptions(options));
  return new TextDecoder().decode(stdout);
}

/** Overwrite one file of a FAT image with a host file. */
export async function writeFatFile(image: string, path: string, hostPath: string, options: RunToolOptions = {}): Promise<void> {
  await runTool('mcopy', ['-o', '-i', image, hostPath, `::${path}`], mtoolsOptions(options));
}
