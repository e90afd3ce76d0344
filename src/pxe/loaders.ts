/**
 * Boot loader binaries and where Debian and RHEL install them (reference 07
 * §1.1, reference 10 "Packages"): pxelinux.0 needs ldlinux.c32 from the same
 * SYSLINUX build; menu.c32 needs libutil.c32 (readelf -d, reference 07).
 * GRUB's network image comes from grub-mknetdir's output, or, for Secure
 * Boot, from Debian's signed shim (shim-signed) and signed network GRUB
 * (grub-efi-amd64-signed): shim is the boot file, loads `grubx64.efi` from
 * its own TFTP directory, and that GRUB's built-in prefix is `/grub` with a
 * memdisk config that sources `$prefix/grub.cfg` (strings of
 * grubnetx64.efi.signed 2.06-13+deb12u2). iPXE from the `ipxe` package. A
 * missing binary is TOOL_MISSING naming the package.
 */
import { RemasterError } from '../errors.ts';
import { digestFile, listTreeFiles } from '../fsx/index.ts';
import type { LoaderFile } from './plan.ts';

/** Which loaders to publish and from where. */
export interface LoaderOptions {
  /** Copy pxelinux.0 + ldlinux.c32 (+ menu modules): true (default) from Debian's paths, a directory holding them, or false. */
  pxelinux?: boolean | string;
  /** A grub-mknetdir `--net-directory` output's prefix directory (the one holding `x86_64-efi/`). */
  grubNetDir?: string;
  /** undionly.kpxe / ipxe.efi: 'auto' (default: copy when the ipxe package is installed), a directory, or false. */
  ipxe?: boolean | 'auto' | string;
  /**
   * Secure Boot chain `shimx64.efi` → `grubx64.efi` at the TFTP root: true takes Debian's signed
   * binaries from their installed paths, a string names a directory holding `shimx64.efi` and
   * `grubx64.efi` (each may also be named as Debian ships it). Needs the GRUB prefix `grub`.
   */
  grubSigned?: boolean | string;
}

/** The prefix Debian's signed network GRUB has built in (its grub.cfg and per-MAC files go here). */
export const SIGNED_GRUB_DIR = 'grub';

/** The signed chain's boot file, the one UEFI clients are pointed at. */
export const SHIM_FILE = 'shimx64.efi';

const SIGNED_FILES: readonly [name: string, debianPath: string, pkg: string][] = [
  [SHIM_FILE, '/usr/lib/shim/shimx64.efi.signed', 'shim-signed'],
  ['grubx64.efi', '/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed', 'grub-efi-amd64-signed'],
];

/**
 * Where distributions install one SYSLINUX build's BIOS PXE files. pxelinux.0 and ldlinux.c32 must come
 * from the same build (pxelinux refuses a mismatched ldlinux.c32), so a layout is taken whole: the first
 * one whose pxelinux.0 exists. Debian/Ubuntu: pxelinux + syslinux-common; RHEL/Fedora 8+:
 * syslinux-tftpboot (/tftpboot); RHEL 7: syslinux (/usr/share/syslinux).
 */
export const PXELINUX_LAYOUTS: readonly { name: string; packages: string; files: Record<string, string> }[] = [
  {
    name: 'Debian', packages: 'pxelinux and syslinux-common',
    files: { 'pxelinux.0': '/usr/lib/PXELINUX/pxelinux.0', 'ldlinux.c32': '/usr/lib/syslinux/modules/bios/ldlinux.c32', 'libutil.c32': '/usr/lib/syslinux/modules/bios/libutil.c32', 'menu.c32': '/usr/lib/syslinux/modules/bios/menu.c32' },
  },
  {
    name: 'RHEL 8+/Fedora', packages: 'syslinux-tftpboot',
    files: { 'pxelinux.0': '/tftpboot/pxelinux.0', 'ldlinux.c32': '/tftpboot/ldlinux.c32', 'libutil.c32': '/tftpboot/libutil.c32', 'menu.c32': '/tftpboot/menu.c32' },
  },
  {
    name: 'RHEL 7', packages: 'syslinux',
    files: { 'pxelinux.0': '/usr/share/syslinux/pxelinux.0', 'ldlinux.c32': '/usr/share/syslinux/ldlinux.c32', 'libutil.c32': '/usr/share/syslinux/libutil.c32', 'menu.c32': '/usr/share/syslinux/menu.c32' },
  },
];
const PXELINUX_NAMES = ['pxelinux.0', 'ldlinux.c32', 'libutil.c32', 'menu.c32'] as const;
/** iPXE images: Debian's ipxe package, then RHEL's ipxe-bootimgs(-x86). */
const IPXE_FILES: readonly [name: string, candidates: readonly string[]][] = [
  ['undionly.kpxe', ['/usr/lib/ipxe/undionly.kpxe', '/usr/share/ipxe/undionly.kpxe']],
  ['ipxe.efi', ['/usr/lib/ipxe/ipxe.efi', '/usr/share/ipxe/ipxe-x86_64.efi', '/usr/share/ipxe/ipxe.efi']],
];

async function loaderFile(path: string, source: string, missing: () => RemasterError): Promise<LoaderFile> {
  const d = await digestFile(source);
  if (d === undefined) throw missing();
  return { path, source, ...d };
}

/** Hash the first of `sources` that exists, published as `path`; undefined when none does. */
async function firstExisting(path: string, sources: readonly string[]): Promise<LoaderFile | undefined> {
  for (const source of sources) {
    const d = await digestFile(source);
    if (d !== undefined) return { path, source, ...d };
  }
  return undefined;
}

async function pxelinuxFiles(option: true | string, root: string): Promise<LoaderFile[]> {
  if (option !== true) {
    const files: LoaderFile[] = [];
    for (const name of PXELINUX_NAMES) {
      const source = `${option}/${name}`;
      files.push(await loaderFile(name, source, () => new RemasterError('TOOL_MISSING', `${name} not found (the directory was given for the pxelinux loader)`, { file: source })));
    }
    return files;
  }
  for (const layout of PXELINUX_LAYOUTS) {
    if ((await digestFile(`${root}${layout.files['pxelinux.0']}`)) === undefined) continue;
    // One after the other, so the first missing file in PXELINUX_NAMES order is the one named.
    const files: LoaderFile[] = [];
    for (const name of PXELINUX_NAMES) {
      const source = `${root}${layout.files[name]}`;
      files.push(await loaderFile(name, source, () => new RemasterError('TOOL_MISSING', `${name} not found next to ${layout.name}'s pxelinux.0 (install ${layout.packages}, or pass a directory holding all four files)`, { file: source })));
    }
    return files;
  }
  const tried = PXELINUX_LAYOUTS.map((l) => `${l.files['pxelinux.0']} (${l.name}: ${l.packages})`).join(', ');
  throw new RemasterError('TOOL_MISSING', `pxelinux.0 not found in ${tried}; install one of those packages or pass a directory holding pxelinux.0, ldlinux.c32, libutil.c32 and menu.c32`, { file: `${root}${PXELINUX_LAYOUTS[0]?.files['pxelinux.0']}` });
}

async function ipxeFiles(option: true | 'auto' | string, root: string): Promise<LoaderFile[]> {
  const out: LoaderFile[] = [];
  for (const [name, candidates] of IPXE_FILES) {
    const sources = option === true || option === 'auto' ? candidates.map((c) => `${root}${c}`) : [`${option}/${name}`];
    const found = await firstExisting(name, sources);
    if (found !== undefined) out.push(found);
    else if (option !== 'auto') throw new RemasterError('TOOL_MISSING', `${name} not found (install the package ipxe (Debian) or ipxe-bootimgs (RHEL), or pass a directory holding it)`, { file: sources[0] as string });
  }
  return out;
}

async function grubFiles(dir: string, grubDir: string): Promise<LoaderFile[]> {
  const names = (await listTreeFiles(dir)).filter((n) => n !== 'grub.cfg' && !n.startsWith('grub.cfg-'));
  if (!names.some((n) => n.endsWith('/core.efi') || n.endsWith('/core.0'))) {
    throw new RemasterError('INPUT_NOT_FOUND', 'no GRUB network image (x86_64-efi/core.efi or i386-pc/core.0) here; make one with grub-mknetdir --net-directory=DIR --subdir=boot/grub (Debian packages grub-common + grub-efi-amd64-bin)', { file: dir });
  }
  return Promise.all(names.map((n) => loaderFile(`${grubDir}/${n}`, `${dir}/${n}`, () => new RemasterError('INPUT_NOT_FOUND', 'vanished while publishing', { file: `${dir}/${n}` }))));
}

async function signedGrubFiles(option: true | string, grubDir: string, root: string): Promise<LoaderFile[]> {
  if (grubDir !== SIGNED_GRUB_DIR) {
    throw new RemasterError('USAGE', `the signed network GRUB reads its menus from /${SIGNED_GRUB_DIR} (its built-in prefix), not /${grubDir}: leave the GRUB directory at its default or set it to ${SIGNED_GRUB_DIR}`);
  }
  const out: LoaderFile[] = [];
  for (const [name, debian, pkg] of SIGNED_FILES) {
    const candidates = option === true ? [`${root}${debian}`] : [`${option}/${name}`, `${option}/${debian.slice(debian.lastIndexOf('/') + 1)}`];
    const found = await firstExisting(name, candidates);
    const hint = option === true ? `install the Debian package ${pkg}, or pass a directory holding ${name}` : `the directory was given for the signed GRUB chain`;
    if (found === undefined) throw new RemasterError('TOOL_MISSING', `${name} not found (${hint})`, { file: candidates[0] as string });
    out.push(found);
  }
  return out;
}

/**
 * Locate and hash every loader file the options ask for. `root` prefixes the distribution paths
 * (default: this system; a directory holding another system's files works too).
 */
export async function collectLoaders(options: LoaderOptions, grubDir: string, root = ''): Promise<LoaderFile[]> {
  const pxelinux = options.pxelinux ?? true;
  const ipxe = options.ipxe ?? 'auto';
  const signed = options.grubSigned ?? false;
  return [
    ...(pxelinux === false ? [] : await pxelinuxFiles(pxelinux, root)),
    ...(ipxe === false ? [] : await ipxeFiles(ipxe, root)),
    ...(options.grubNetDir === undefined ? [] : await grubFiles(options.grubNetDir, grubDir)),
    ...(signed === false ? [] : await signedGrubFiles(signed, grubDir, root)),
  ];
}

/** The GRUB a UEFI client of a published tree boots: the signed chain's shim, else grub-mknetdir's core.efi; undefined when the tree has neither. */
export function uefiGrubBootFile(manifest: { loaders: readonly string[]; grubDir: string }): string | undefined {
  return [SHIM_FILE, `${manifest.grubDir}/x86_64-efi/core.efi`].find((p) => manifest.loaders.includes(p));
}
