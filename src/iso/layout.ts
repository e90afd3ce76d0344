/**
 * Installer media layouts (see reference 04): RHEL/CentOS 7+, Rocky, Alma,
 * Fedora via `.treeinfo`; CentOS/RHEL 5–6 (`isolinux/vmlinuz`,
 * `images/pxeboot/`, `.discinfo`); Debian (`install.<arch>/`, `.disk/info`);
 * Ubuntu live-server (`casper/`). Pure over an IsoImage and a text reader,
 * so it never touches bytes beyond the few small files it asks for.
 */
import type { IsoImage, IsoNode } from './iso-image.ts';
import { parseDiscinfo, parseTreeinfo, type TreeInfo } from './treeinfo.ts';

/** Kinds of boot configuration files. */
export type BootConfigKind = 'isolinux' | 'grub' | 'grub-efi-image';

/** A detected installer layout. Paths are absolute image paths (`/images/pxeboot/vmlinuz`). */
export interface InstallerLayout {
  /** `boot-config`: no known layout; kernels and initrds are what the boot menus load. */
  family: 'rhel' | 'rhel-legacy' | 'debian' | 'ubuntu' | 'boot-config' | 'unknown';
  distro: string;
  version: string;
  arch: string;
  /** Every kernel path, hard-linked and copied duplicates included. */
  kernels: string[];
  /** Every initrd path, hard-linked and copied duplicates included. */
  initrds: string[];
  /** `isPrimary`: the ISOLINUX config the loader reads first (its search order from the El Torito image's directory). */
  bootConfigs: { path: string; kind: BootConfigKind; isPrimary?: boolean }[];
  efiImage?: string;
  /**
   * Layout B (reference 03 §7): the El Torito EFI image is not a file but a
   * partition appended after the ISO volume (xorriso -append_partition).
   * Start and size in 512-byte sectors; `typeCode` is what xorriso's
   * -append_partition takes (a GPT type GUID, or `0xef` for an MBR slot).
   */
  efiPartition?: AppendedEfiPartition;
  /** Volume label (PVD volume identifier). */
  label: string;
  /** Lines of boot configs that name the label (`inst.stage2=hd:LABEL=…`, `search -l '…'`). */
  labelReferences: { path: string; line: number; text: string }[];
}

/** An appended partition holding the El Torito EFI image. */
export interface AppendedEfiPartition {
  /** Partition number as xorriso's -append_partition counts it (GPT entry or MBR slot). */
  index: number;
  source: 'mbr' | 'gpt';
  start: number;
  sectors: number;
  typeCode: string;
}

/**
 * Return the partition the El Torito EFI entry points into when that entry
 * is not a file of the tree (layout B). Matched by start sector among all
 * GPT entries (the ESP first) and MBR slots, not only `hybrid.appendedPartitions`:
 * with `-partition_offset 16` xorriso 1.5.4 records a volume space size that
 * covers the appended partitions, so "starts past the volume" misses them.
 */
export function findAppendedEfiPartition(image: IsoImage): AppendedEfiPartition | undefined {
  const entry = image.bootCatalog?.entries.find((e) => e.platform === 'efi' && e.imagePath === undefined);
  if (entry === undefined) return undefined;
  const start = entry.lba * 4;
  const gpt = image.hybrid.gptPartitions
    .filter((p) => p.firstLba === start && p.lastLba >= p.firstLba)
    .sort((a, b) => Number(b.isEfiSystem) - Number(a.isEfiSystem))[0];
  if (gpt !== undefined) return { index: gpt.index, source: 'gpt', start, sectors: gpt.lastLba - gpt.firstLba + 1, typeCode: gpt.typeGuid };
  const mbr = image.hybrid.mbrPartitions.find((p) => p.start === start && p.sectors > 0 && p.type !== 0xee);
  if (mbr !== undefined) return { index: mbr.index, source: 'mbr', start, sectors: mbr.sectors, typeCode: `0x${mbr.type.toString(16).padStart(2, '0')}` };
  return undefined;
}

/** Reads a small text file of the image by absolute path; undefined when absent. */
export type ReadText = (path: string) => Promise<string | undefined>;

const RHEL_CANDIDATES = { kernels: ['/images/pxeboot/vmlinuz', '/isolinux/vmlinuz'], initrds: ['/images/pxeboot/initrd.img', '/isolinux/initrd.img'] };

function abs(path: string): string {
  return path.startsWith('/') ? path : `/${path}`;
}

/** Return the existing files among `paths` plus every hard link of each, without duplicates. */
function withCopies(image: IsoImage, paths: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    const node = image.lookup(p);
    if (node?.type !== 'file') continue;
    for (const n of [node, ...image.hardLinks(node)]) if (!out.includes(n.path)) out.push(n.path);
  }
  return out;
}

function filesUnder(image: IsoImage, dir: string, pattern: RegExp): string[] {
  const root = image.lookup(dir);
  if (!root) return [];
  const out: string[] = [];
  const stack: IsoNode[] = [root];
  while (stack.length > 0) {
    const n = stack.pop() as IsoNode;
    if (n.type === 'file' && pattern.test(n.name)) out.push(n.path);
    stack.push(...(n.children ?? []));
  }
  return out.sort((a, b) => a.split('/').length - b.split('/').length || (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * ISOLINUX's config search (syslinux core/fs/iso9660 iso_open_config): the
 * directory isolinux.bin was loaded from, then /boot/isolinux, /isolinux,
 * /boot/syslinux, /syslinux and /, each for isolinux.cfg then syslinux.cfg.
 */
function findIsolinuxConfig(image: IsoImage): string | undefined {
  const bios = image.bootCatalog?.entries.find((e) => e.platform === 'bios' && e.imagePath !== undefined)?.imagePath;
  if (bios === undefined) return undefined;
  const own = bios.slice(0, bios.lastIndexOf('/')) || '/';
  for (const dir of [own, '/boot/isolinux', '/isolinux', '/boot/syslinux', '/syslinux', '/']) {
    for (const name of ['isolinux.cfg', 'syslinux.cfg']) {
      const path = `${dir === '/' ? '' : dir}/${name}`;
      if (image.lookup(path)?.type === 'file') return path;
    }
  }
  return undefined;
}

/** Find boot configuration files: ISOLINUX's own search, its directory's other configs, and the conventional places. */
function findBootConfigs(image: IsoImage, efiImage: string | undefined): InstallerLayout['bootConfigs'] {
  const configs: InstallerLayout['bootConfigs'] = [];
  const add = (path: string, kind: BootConfigKind, isPrimary = false): void => {
    if (!configs.some((c) => c.path === path)) configs.push({ path, kind, ...(isPrimary ? { isPrimary } : {}) });
  };
  const primary = findIsolinuxConfig(image);
  if (primary !== undefined) {
    add(primary, 'isolinux', true);
    const dir = primary.slice(0, primary.lastIndexOf('/')) || '/';
    const siblings = dir === '/' ? (image.root.children ?? []).filter((n) => n.type === 'file' && /\.cfg$/iu.test(n.name)).map((n) => n.path).sort() : filesUnder(image, dir, /\.cfg$/iu);
    for (const p of siblings) add(p, 'isolinux');
  }
  for (const dir of ['/isolinux', '/syslinux', '/boot/isolinux']) {
    for (const p of filesUnder(image, dir, /\.cfg$/iu)) add(p, 'isolinux');
  }
  for (const dir of ['/boot/grub', '/boot/grub2', '/EFI']) {
    for (const p of filesUnder(image, dir, /^(grub\.cfg|loopback\.cfg|BOOT(X64|IA32|AA64)?\.conf)$/iu)) add(p, 'grub');
  }
  if (efiImage !== undefined) add(efiImage, 'grub-efi-image');
  return configs;
}

/**
 * Kernels and initrds the boot menus load (entries with a Linux kernel and
 * an initrd, as `listEntries` finds them), for media of no known layout such
 * as Debian's netboot mini.iso (`/linux`, `/initrd.gz` at the root). ISOLINUX
 * resolves relative paths against the directory of the config it found.
 */
async function fromBootConfigs(image: IsoImage, configs: InstallerLayout['bootConfigs'], readText: ReadText, listEntries: ListBootEntries): Promise<Pick<InstallerLayout, 'kernels' | 'initrds'>> {
  const primary = configs.find((c) => c.isPrimary)?.path;
  const cwd = primary === undefined ? '' : primary.slice(0, primary.lastIndexOf('/'));
  const kernels: string[] = [];
  const initrds: string[] = [];
  for (const c of configs) {
    if (c.kind === 'grub-efi-image') continue;
    const text = await readText(c.path);
    if (text === undefined) continue;
    const resolvePath = (p: string): string => (p.startsWith('/') || c.kind === 'grub' ? abs(p) : `${cwd}/${p}`);
    for (const e of listEntries(text, c.kind)) {
      const initrdPaths = e.initrds.map(resolvePath);
      if (image.lookup(resolvePath(e.kernel))?.type !== 'file' || !initrdPaths.every((p) => image.lookup(p)?.type === 'file')) continue;
      kernels.push(resolvePath(e.kernel));
      initrds.push(...initrdPaths);
    }
  }
  return { kernels: withCopies(image, [...new Set(kernels)]), initrds: withCopies(image, [...new Set(initrds)]) };
}

async function findLabelReferences(label: string, configs: InstallerLayout['bootConfigs'], readText: ReadText): Promise<InstallerLayout['labelReferences']> {
  const escaped = label.replace(/[^a-zA-Z0-9#+.:=@_-]/gu, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  const refs: InstallerLayout['labelReferences'] = [];
  for (const c of configs) {
    if (c.kind === 'grub-efi-image' || label === '') continue;
    const text = await readText(c.path);
    text?.split(/\r?\n/u).forEach((line, i) => {
      if (line.includes(label) || line.includes(escaped)) refs.push({ path: c.path, line: i + 1, text: line.trim() });
    });
  }
  return refs;
}

/** The Linux entries of a boot config (bootcfg's listLinuxEntries): paths as written. */
export type ListBootEntries = (text: string, kind: 'isolinux' | 'grub') => { kernel: string; initrds: string[] }[];

/** Options for detectLayout(). */
export interface DetectLayoutOptions {
  /** When no known layout matches, take kernels and initrds from the boot menus with this parser. */
  listEntries?: ListBootEntries;
}

/** Detect the distribution layout of an installer image. */
export async function detectLayout(image: IsoImage, readText: ReadText, options: DetectLayoutOptions = {}): Promise<InstallerLayout> {
  const efiEntry = image.bootCatalog?.entries.find((e) => e.platform === 'efi' && e.imagePath !== undefined);
  let base = await detectFamily(image, readText);
  const efiImage = base.efiImage ?? efiEntry?.imagePath;
  const bootConfigs = findBootConfigs(image, efiImage);
  if (options.listEntries && (base.kernels.length === 0 || base.initrds.length === 0)) {
    const found = await fromBootConfigs(image, bootConfigs, readText, options.listEntries);
    if (found.kernels.length > 0 && found.initrds.length > 0) base = { ...base, ...found, ...(base.family === 'unknown' ? { family: 'boot-config' as const } : {}) };
  }
  const layout: InstallerLayout = {
    ...base, label: image.volume.label, bootConfigs,
    labelReferences: await findLabelReferences(image.volume.label, bootConfigs, readText),
  };
  if (efiImage !== undefined) layout.efiImage = efiImage;
  const efiPartition = efiImage === undefined ? findAppendedEfiPartition(image) : undefined;
  if (efiPartition !== undefined) layout.efiPartition = efiPartition;
  return layout;
}

type FamilyResult = Pick<InstallerLayout, 'family' | 'distro' | 'version' | 'arch' | 'kernels' | 'initrds'> & { efiImage?: string };

async function detectFamily(image: IsoImage, readText: ReadText): Promise<FamilyResult> {
  const treeinfoText = image.lookup('/.treeinfo') ? await readText('/.treeinfo') : undefined;
  if (treeinfoText !== undefined) return fromTreeinfo(image, parseTreeinfo(treeinfoText));
  const diskInfo = image.lookup('/.disk/info') ? await readText('/.disk/info') : undefined;
  // Ubuntu live-server: casper/vmlinuz + casper/initrd, and from 22.04 point releases the HWE pair (hwe-vmlinuz, hwe-initrd).
  if (image.lookup('/casper')) return fromDiskTree(image, 'ubuntu', '/casper', /^(hwe-)?(vmlinuz|initrd)/u, diskInfo);
  const installDir = image.root.children?.find((c) => c.type === 'dir' && /^install\.[a-z0-9]+$/u.test(c.name));
  if (installDir) return fromDiskTree(image, 'debian', installDir.path, /^(vmlinuz|initrd\.gz)$/u, diskInfo);
  const discinfo = image.lookup('/.discinfo') ? await readText('/.discinfo') : undefined;
  const kernels = withCopies(image, RHEL_CANDIDATES.kernels);
  if (discinfo !== undefined || kernels.length > 0) {
    const d = parseDiscinfo(discinfo ?? '');
    const version = /\d+(\.\d+)*/u.exec(d.release ?? '')?.[0] ?? '';
    return {
      family: 'rhel-legacy', distro: (d.release ?? '').replace(version, '').trim(), version, arch: d.arch ?? '',
      kernels, initrds: withCopies(image, RHEL_CANDIDATES.initrds),
    };
  }
  return { family: 'unknown', distro: '', version: '', arch: '', kernels: [], initrds: [] };
}

function fromTreeinfo(image: IsoImage, info: TreeInfo): FamilyResult {
  const major = Number.parseInt(info.version ?? '', 10);
  const isLegacy = !info.isProductmd && major <= 6;
  const result: FamilyResult = {
    family: isLegacy ? 'rhel-legacy' : 'rhel', distro: info.family ?? '', version: info.version ?? '', arch: info.arch ?? '',
    kernels: withCopies(image, [...info.kernels.map(abs), ...RHEL_CANDIDATES.kernels]),
    initrds: withCopies(image, [...info.initrds.map(abs), ...RHEL_CANDIDATES.initrds]),
  };
  if (info.efiImage !== undefined && image.lookup(abs(info.efiImage))) result.efiImage = abs(info.efiImage);
  return result;
}

function fromDiskTree(image: IsoImage, family: 'debian' | 'ubuntu', dir: string, pattern: RegExp, diskInfo: string | undefined): FamilyResult {
  // The main pair first (what the first menu entry boots), the HWE pair after it.
  const isHwe = (p: string): number => Number(/\/hwe-[^/]*$/u.test(p));
  const files = filesUnder(image, dir, pattern).sort((a, b) => isHwe(a) - isHwe(b));
  const info = (diskInfo ?? '').trim();
  const version = /\d+(\.\d+)+/u.exec(info)?.[0] ?? '';
  const distro = version ? info.slice(0, info.indexOf(version)).replace(/[-\s]+$/u, '') : info.split(/\s/u)[0] ?? '';
  const arch = /\b(amd64|arm64|i386|ppc64el|s390x|riscv64)\b/u.exec(info)?.[1] ?? /install\.([a-z0-9]+)/u.exec(dir)?.[1] ?? '';
  return {
    family, distro, version, arch: arch === 'amd' ? 'amd64' : arch,
    kernels: withCopies(image, files.filter((p) => /\/(hwe-)?vmlinuz[^/]*$/u.test(p))),
    initrds: withCopies(image, files.filter((p) => /\/(hwe-)?initrd[^/]*$/u.test(p))),
  };
}
