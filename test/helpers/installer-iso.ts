/**
 * A small layout-A installer-like ISO (isolinux + GRUB in an El Torito EFI
 * FAT image, isohybrid MBR + GPT) around a real kernel and an initrd, built
 * with the real tools, for boot tests. Menus time out at once and print on
 * the serial console.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFile, link, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const LABEL = 'REMASTER-BOOT-TEST';

const ISOLINUX_CFG = `serial 0 115200
default linux
prompt 0
timeout 1
label linux
  kernel vmlinuz
  append initrd=initrd.img console=ttyS0 panic=-1
`;

const GRUB_CFG = `serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set timeout=0
set default=0
search --no-floppy --set=root -l '${LABEL}'
menuentry 'remaster boot test' {
	linux /images/pxeboot/vmlinuz console=ttyS0 panic=-1
	initrd /images/pxeboot/initrd.img
}
`;

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
}

/** Build a layout-A installer-like ISO around `kernel` and `initrd`. */
export async function buildIso(dir: string, kernel: string, initrd: string): Promise<string> {
  const root = join(dir, 'root');
  for (const d of ['isolinux', 'images/pxeboot', 'EFI/BOOT', 'efi/EFI/BOOT']) await mkdir(join(root, d), { recursive: true });
  await copyFile(kernel, join(root, 'images/pxeboot/vmlinuz'));
  await copyFile(initrd, join(root, 'images/pxeboot/initrd.img'));
  await link(join(root, 'images/pxeboot/vmlinuz'), join(root, 'isolinux/vmlinuz'));
  await link(join(root, 'images/pxeboot/initrd.img'), join(root, 'isolinux/initrd.img'));
  await copyFile('/usr/lib/ISOLINUX/isolinux.bin', join(root, 'isolinux/isolinux.bin'));
  await copyFile('/usr/lib/syslinux/modules/bios/ldlinux.c32', join(root, 'isolinux/ldlinux.c32'));
  await writeFile(join(root, 'isolinux/isolinux.cfg'), ISOLINUX_CFG);
  await writeFile(join(root, 'EFI/BOOT/grub.cfg'), GRUB_CFG);
  const efi = join(dir, 'BOOTX64.EFI');
  run('grub-mkimage', ['-O', 'x86_64-efi', '-p', '/EFI/BOOT', '-o', efi, 'normal', 'linux', 'configfile', 'search', 'search_label', 'fat', 'iso9660', 'part_gpt', 'part_msdos', 'serial', 'terminal', 'echo']);
  const img = join(root, 'images/efiboot.img');
  run('mkfs.vfat', ['-C', '-n', 'ANACONDA', img, '4096']);
  run('mmd', ['-i', img, '::/EFI', '::/EFI/BOOT']);
  run('mcopy', ['-i', img, efi, join(root, 'EFI/BOOT/grub.cfg'), '::/EFI/BOOT/']);
  const iso = join(dir, 'in.iso');
  run('xorriso', ['-as', 'mkisofs', '-o', iso, '-V', LABEL, '-R', '-J', '-isohybrid-mbr', '/usr/lib/ISOLINUX/isohdpfx.bin',
    '-b', 'isolinux/isolinux.bin', '-c', 'isolinux/boot.cat', '-no-emul-boot', '-boot-load-size', '4', '-boot-info-table',
    '-eltorito-alt-boot', '-e', 'images/efiboot.img', '-no-emul-boot', '-isohybrid-gpt-basdat', '-m', 'efi', root]);
  return iso;
}


const GRUB2_BIOS_CFG = `serial --unit=0 --speed=115200
terminal_input serial
terminal_output serial
set timeout=0
set default=0
search --no-floppy --set=root -l '${LABEL}'
menuentry 'remaster boot test (BIOS GRUB2)' {
	linux /images/pxeboot/vmlinuz console=ttyS0 panic=-1
	initrd /images/pxeboot/initrd.img
}
`;

/**
 * Build a layout-B installer-like ISO (lorax ≥ 37.3, reference 03 §7): BIOS
 * boots GRUB2 from images/eltorito.img (i386-pc-eltorito, /boot/grub2/grub.cfg),
 * UEFI boots GRUB from a FAT image that is not a file of the ISO but GPT
 * partition 2 appended after the volume (EFI System Partition), which the El
 * Torito EFI entry points into. Protective MBR with GRUB's boot_hybrid.img.
 */
export async function buildIsoLayoutB(dir: string, kernel: string, initrd: string): Promise<string> {
  const root = join(dir, 'root-b');
  for (const d of ['images/pxeboot', 'boot/grub2', 'EFI/BOOT']) await mkdir(join(root, d), { recursive: true });
  await copyFile(kernel, join(root, 'images/pxeboot/vmlinuz'));
  await copyFile(initrd, join(root, 'images/pxeboot/initrd.img'));
  await writeFile(join(root, 'boot/grub2/grub.cfg'), GRUB2_BIOS_CFG);
  await writeFile(join(root, 'EFI/BOOT/grub.cfg'), GRUB_CFG);
  run('grub-mkimage', ['-O', 'i386-pc-eltorito', '-p', '/boot/grub2', '-o', join(root, 'images/eltorito.img'),
    'biosdisk', 'iso9660', 'normal', 'linux', 'search', 'search_label', 'serial', 'terminal', 'configfile', 'echo']);
  const efi = join(dir, 'BOOTX64-b.EFI');
  run('grub-mkimage', ['-O', 'x86_64-efi', '-p', '/EFI/BOOT', '-o', efi, 'normal', 'linux', 'configfile', 'search', 'search_label', 'fat', 'iso9660', 'part_gpt', 'part_msdos', 'serial', 'terminal', 'echo']);
  await copyFile(efi, join(root, 'EFI/BOOT/BOOTX64.EFI'));
  const img = join(dir, 'efiboot-b.img');
  run('mkfs.vfat', ['-C', '-n', 'ANACONDA', img, '4096']);
  run('mmd', ['-i', img, '::/EFI', '::/EFI/BOOT']);
  run('mcopy', ['-i', img, efi, '::/EFI/BOOT/BOOTX64.EFI']);
  run('mcopy', ['-i', img, join(root, 'EFI/BOOT/grub.cfg'), '::/EFI/BOOT/grub.cfg']);
  const iso = join(dir, 'in-b.iso');
  run('xorriso', ['-as', 'mkisofs', '-o', iso, '-R', '-J', '-V', LABEL,
    '--grub2-mbr', '/usr/lib/grub/i386-pc/boot_hybrid.img', '-partition_offset', '16',
    '-appended_part_as_gpt', '-append_partition', '2', 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B', img,
    '-iso_mbr_part_type', 'EBD0A0A2-B9E5-4433-87C0-68B6B72699C7',
    '-c', 'boot.cat', '--boot-catalog-hide', '-b', 'images/eltorito.img', '-no-emul-boot', '-boot-load-size', '4',
    '-boot-info-table', '--grub2-boot-info',
    '-eltorito-alt-boot', '-e', '--interval:appended_partition_2:all::', '-no-emul-boot', root]);
  return iso;
}

/** Label of the root-layout ISO. */
export const ROOT_LAYOUT_LABEL = 'REMASTER-MINI';

/** Build a mini.iso-like ISO; its menus wait for a key (prompt 1 + timeout 0, GRUB timeout -1). */
const MINI_ISOLINUX_CFG = `serial 0 115200
include txt.cfg
default install
prompt 1
timeout 0
`;

const MINI_TXT_CFG = `label install
	menu label ^Install
	kernel /linux
	append vga=788 initrd=/initrd.gz console=ttyS0 panic=-1 --- quiet
`;

const MINI_GRUB_CFG = `serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set timeout=-1
menuentry 'Install' {
	linux /linux vga=788 console=ttyS0 panic=-1 --- quiet
	initrd /initrd.gz
}
`;

/**
 * The EFI GRUB's built-in config, as Debian's gcdx64.efi has (reference 07 §2.1): GRUB started from the El
 * Torito image sees the whole CD as its device, so it finds the medium by /.disk/mini-info and reads
 * /boot/grub/grub.cfg from it.
 */
const MINI_EFI_EMBEDDED_CFG = `search --no-floppy --set=root --file /.disk/mini-info
set prefix=($root)/boot/grub
`;

/**
 * Build an ISO laid out like Debian's netboot mini.iso: kernel (`/linux`),
 * initrd (`/initrd.gz`), isolinux.bin, ldlinux.c32 and the ISOLINUX configs
 * (`/isolinux.cfg` including `/txt.cfg`) at the root; `/boot/grub/grub.cfg`;
 * a FAT `/boot/grub/efi.img` as the El Torito EFI image whose GRUB finds the
 * medium by `/.disk/mini-info` and reads `/boot/grub/grub.cfg`; isohybrid MBR + GPT. Real
 * boot files: Debian's isolinux.bin and ldlinux.c32, GRUB built by
 * grub-mkimage from grub-efi-amd64-bin. The menus wait for a key press.
 */
export async function buildRootLayoutIso(dir: string, kernel: string, initrd: string): Promise<string> {
  const root = join(dir, 'root-mini');
  for (const d of ['boot/grub', '.disk']) await mkdir(join(root, d), { recursive: true });
  await copyFile(kernel, join(root, 'linux'));
  await copyFile(initrd, join(root, 'initrd.gz'));
  await copyFile('/usr/lib/ISOLINUX/isolinux.bin', join(root, 'isolinux.bin'));
  await copyFile('/usr/lib/syslinux/modules/bios/ldlinux.c32', join(root, 'ldlinux.c32'));
  await writeFile(join(root, 'isolinux.cfg'), MINI_ISOLINUX_CFG);
  await writeFile(join(root, 'txt.cfg'), MINI_TXT_CFG);
  await writeFile(join(root, 'boot/grub/grub.cfg'), MINI_GRUB_CFG);
  await writeFile(join(root, '.disk/mini-info'), 'remaster test mini.iso\n');
  const efi = join(dir, 'BOOTX64-mini.EFI');
  const embedded = join(dir, 'efi-embedded-mini.cfg');
  await writeFile(embedded, MINI_EFI_EMBEDDED_CFG);
  run('grub-mkimage', ['-O', 'x86_64-efi', '-c', embedded, '-p', '/boot/grub', '-o', efi, 'normal', 'linux', 'configfile', 'search', 'search_fs_file', 'fat', 'iso9660', 'part_gpt', 'part_msdos', 'serial', 'terminal', 'echo', 'gzio']);
  const img = join(root, 'boot/grub/efi.img');
  run('mkfs.vfat', ['-C', '-n', 'MINI-EFI', img, '4096']);
  run('mmd', ['-i', img, '::/EFI', '::/EFI/BOOT']);
  run('mcopy', ['-i', img, efi, '::/EFI/BOOT/BOOTX64.EFI']);
  const iso = join(dir, 'mini.iso');
  run('xorriso', ['-as', 'mkisofs', '-o', iso, '-V', ROOT_LAYOUT_LABEL, '-R', '-J', '-isohybrid-mbr', '/usr/lib/ISOLINUX/isohdpfx.bin',
    '-b', 'isolinux.bin', '-c', 'boot.cat', '-no-emul-boot', '-boot-load-size', '4', '-boot-info-table',
    '-eltorito-alt-boot', '-e', 'boot/grub/efi.img', '-no-emul-boot', '-isohybrid-gpt-basdat', root]);
  return iso;
}

/** Volume label of the casper-layout ISO (Ubuntu's own shape: spaces included). */
export const CASPER_LABEL = 'Ubuntu-Server 22.04.4 LTS amd64';

/**
 * boot/grub/grub.cfg in the shape Ubuntu 22.04/24.04 live-server ships (reference 04 §4.1): a 30 s menu,
 * the installer entry with `---` and no other argument, the HWE kernel entry, and a platform switch whose
 * BIOS branch has a `linux16` memtest entry (not a Linux kernel with an initrd).
 */
const CASPER_GRUB_CFG = `set timeout=30

set menu_color_normal=white/black
set menu_color_highlight=black/light-gray

menuentry "Try or Install Ubuntu Server" {
	set gfxpayload=keep
	linux	/casper/vmlinuz  ---
	initrd	/casper/initrd
}
menuentry "Ubuntu Server with the HWE kernel" {
	set gfxpayload=keep
	linux	/casper/hwe-vmlinuz  ---
	initrd	/casper/hwe-initrd
}
if [ "$grub_platform" = "efi" ]; then
menuentry 'Boot from next volume' {
	exit 1
}
menuentry 'UEFI Firmware Settings' {
	fwsetup
}
else
menuentry 'Test memory' {
	linux16 /boot/memtest86+x64.bin
}
fi
`;

/** boot/grub/loopback.cfg (booting the ISO file from another GRUB), as Ubuntu ships it. */
const CASPER_LOOPBACK_CFG = `menuentry "Try or Install Ubuntu Server" {
	set gfxpayload=keep
	linux	/casper/vmlinuz  iso-scan/filename=\${iso_path} ---
	initrd	/casper/initrd
}
menuentry "Ubuntu Server with the HWE kernel" {
	set gfxpayload=keep
	linux	/casper/hwe-vmlinuz  iso-scan/filename=\${iso_path} ---
	initrd	/casper/hwe-initrd
}
`;

/**
 * The EFI GRUB's built-in config, as Ubuntu's signed CD GRUB has (reference 07 §2.1, gcdx64.efi): find the
 * medium by /.disk/info, then read /boot/grub/grub.cfg from it. The ESP itself holds no grub.cfg.
 */
const CASPER_EFI_EMBEDDED_CFG = `search --no-floppy --set=root --file /.disk/info
set prefix=($root)/boot/grub
`;

/** GRUB modules the test's EFI and BIOS images carry (nothing is loaded from the medium). */
const CASPER_GRUB_MODULES = ['normal', 'linux', 'configfile', 'search', 'search_fs_file', 'iso9660', 'test', 'echo', 'gzio', 'serial', 'terminal'];

/**
 * Build an ISO laid out like Ubuntu's live-server ISOs since 22.04 (reference 04 §4, 03 §7 layout B):
 * `casper/vmlinuz` + `casper/initrd` (and the HWE pair), `boot/grub/grub.cfg` and `loopback.cfg` only
 * (no ISOLINUX), `.disk/info`; BIOS boots GRUB from `boot/grub/i386-pc/eltorito.img` with a GRUB
 * `boot_hybrid.img` MBR; UEFI boots GRUB from a FAT ESP that is not a file of the ISO but GPT partition 2
 * appended after it (`-append_partition 2 0xef … -appended_part_as_gpt`), which the El Torito EFI entry
 * points into; hidden boot catalog. Real boot files: GRUB built by grub-mkimage from grub-efi-amd64-bin
 * and grub-pc-bin. The HWE files are copies of the main pair.
 */
export async function buildCasperIso(dir: string, kernel: string, initrd: string): Promise<string> {
  const root = join(dir, 'root-casper');
  for (const d of ['casper', 'boot/grub/i386-pc', '.disk']) await mkdir(join(root, d), { recursive: true });
  await copyFile(kernel, join(root, 'casper/vmlinuz'));
  await copyFile(initrd, join(root, 'casper/initrd'));
  await copyFile(kernel, join(root, 'casper/hwe-vmlinuz'));
  await copyFile(initrd, join(root, 'casper/hwe-initrd'));
  await writeFile(join(root, 'boot/grub/grub.cfg'), CASPER_GRUB_CFG);
  await writeFile(join(root, 'boot/grub/loopback.cfg'), CASPER_LOOPBACK_CFG);
  await writeFile(join(root, '.disk/info'), 'Ubuntu-Server 22.04.4 LTS "Jammy Jellyfish" - Release amd64 (20240220)');
  await writeFile(join(root, '.disk/casper-uuid-generic'), 'remaster-test-casper-uuid\n');
  run('grub-mkimage', ['-O', 'i386-pc-eltorito', '-p', '/boot/grub', '-o', join(root, 'boot/grub/i386-pc/eltorito.img'), 'biosdisk', ...CASPER_GRUB_MODULES]);
  const embedded = join(dir, 'efi-embedded-casper.cfg');
  await writeFile(embedded, CASPER_EFI_EMBEDDED_CFG);
  const efi = join(dir, 'BOOTX64-casper.EFI');
  run('grub-mkimage', ['-O', 'x86_64-efi', '-c', embedded, '-p', '/boot/grub', '-o', efi, 'fat', 'part_gpt', 'part_msdos', ...CASPER_GRUB_MODULES]);
  const esp = join(dir, 'efi-casper.img');
  run('mkfs.vfat', ['-C', '-n', 'ESP', esp, '4096']);
  run('mmd', ['-i', esp, '::/EFI', '::/EFI/boot']);
  run('mcopy', ['-i', esp, efi, '::/EFI/boot/bootx64.efi']);
  const iso = join(dir, 'ubuntu-live-server.iso');
  run('xorriso', ['-as', 'mkisofs', '-o', iso, '-r', '-J', '-V', CASPER_LABEL,
    '--grub2-mbr', '/usr/lib/grub/i386-pc/boot_hybrid.img', '-partition_offset', '16', '--mbr-force-bootable',
    '-append_partition', '2', '0xef', esp, '-appended_part_as_gpt',
    '-iso_mbr_part_type', 'a2a0d0ebe5b9334487c068b6b72699c7',
    '-c', '/boot.catalog', '-b', '/boot/grub/i386-pc/eltorito.img', '-no-emul-boot', '-boot-load-size', '4', '-boot-info-table', '--grub2-boot-info',
    '-eltorito-alt-boot', '-e', '--interval:appended_partition_2:::', '-no-emul-boot', root]);
  return iso;
}
