/**
 * Local disks for "an unlisted machine boots its own disk" checks: each one
 * prints a marker line on the first serial port when the firmware (or a
 * loader's local-boot entry) starts it, so a test can tell "reached the
 * disk" from "stopped in a firmware menu" and from "started the installer".
 *
 * - BIOS: a raw disk whose MBR boot sector writes the marker to COM1 (port
 *   0x3f8) and halts. The sixteen-bit code is assembled by hand below, one
 *   instruction per line with its encoding (Intel SDM vol. 2), and loaded
 *   at 0000:7c00 by every BIOS.
 * - EFI: an MBR disk with one partition of type 0xEF (EFI system partition,
 *   UEFI 2.10 §5.2.2) holding a FAT16 file system (mkfs.fat --offset, then
 *   mtools, no root) with `\EFI\BOOT\BOOTX64.EFI`, the removable-media path
 *   every x64 firmware and remaster's GRUB local entry look for: either a
 *   grub-mkstandalone image whose built-in grub.cfg echoes the marker, or,
 *   for Secure Boot, Debian's signed shim as BOOTX64.EFI + its signed GRUB
 *   (`grubx64.efi` beside it, prefix /EFI/debian) + /EFI/debian/grub.cfg.
 */
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const SECTOR = 512;
const LOAD_ADDRESS = 0x7c00;

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
}

/** Return a 512-byte MBR boot sector that prints `text` + CRLF on COM1 and halts. */
export function biosMarkerSector(text: string): Uint8Array {
  const message = new TextEncoder().encode(`${text}\r\n\0`);
  const codeLength = 24;
  const at = LOAD_ADDRESS + codeLength;
  const code = [
    0xfa, //                    cli
    0xfc, //                    cld              (lodsb counts upwards)
    0x31, 0xc0, //              xor ax, ax
    0x8e, 0xd8, //              mov ds, ax       (the message is addressed from segment 0)
    0xbe, at & 0xff, at >> 8, // mov si, message
    0xba, 0xf8, 0x03, //        mov dx, 0x3f8    (COM1 data register)
    0xac, //              next: lodsb
    0x84, 0xc0, //              test al, al
    0x74, 0x03, //              jz done          (+3)
    0xee, //                    out dx, al
    0xeb, 0xf8, //              jmp next         (-8)
    0xf4, //              done: hlt
    0xeb, 0xfd, //              jmp done         (-3)
    0x90, //                    nop              (pads the code to codeLength)
  ];
  if (code.length !== codeLength || codeLength + message.length > 446) throw new Error('biosMarkerSector: layout');
  const sector = new Uint8Array(SECTOR);
  sector.set(code, 0);
  sector.set(message, codeLength);
  sector[510] = 0x55; // boot signature
  sector[511] = 0xaa;
  return sector;
}

/** Write a 1 MiB BIOS disk that prints `text` when booted; return its path. */
export async function makeBiosMarkerDisk(dir: string, text: string): Promise<string> {
  const path = join(dir, 'bios-disk.img');
  const disk = new Uint8Array(1 << 20);
  disk.set(biosMarkerSector(text), 0);
  await writeFile(path, disk);
  return path;
}

const ESP_START_SECTOR = 2048;
const ESP_SECTORS = 64 * 1024; // 32 MiB: FAT16

/** Return an MBR whose only partition is an EFI system partition (type 0xEF) at ESP_START_SECTOR. */
function espMbr(): Uint8Array {
  const mbr = new Uint8Array(SECTOR);
  const entry = new DataView(mbr.buffer, 446, 16);
  entry.setUint8(0, 0x00); //            not active
  entry.setUint8(1, 0xff); entry.setUint16(2, 0xffff); // CHS start: use LBA
  entry.setUint8(4, 0xef); //            EFI system partition
  entry.setUint8(5, 0xff); entry.setUint16(6, 0xffff); // CHS end: use LBA
  entry.setUint32(8, ESP_START_SECTOR, true);
  entry.setUint32(12, ESP_SECTORS, true);
  mbr[510] = 0x55;
  mbr[511] = 0xaa;
  return mbr;
}

/** Debian's signed shim and disk GRUB, for an ESP that boots under Secure Boot. */
export interface SignedDiskChain {
  shim: string;
  /** grubx64.efi.signed (built-in prefix /EFI/debian). */
  grub: string;
}

/**
 * Write an EFI disk whose `\EFI\BOOT\BOOTX64.EFI` prints `text` on the console (OVMF mirrors it to
 * the serial port) and powers off; with `signed`, the chain boots under Secure Boot too.
 */
export async function makeEfiMarkerDisk(dir: string, text: string, signed?: SignedDiskChain): Promise<string> {
  const path = join(dir, 'efi-disk.img');
  const config = join(dir, 'disk-grub.cfg');
  await writeFile(config, `echo ${text}\nsleep 1\nhalt\n`);
  const image = new Uint8Array((ESP_START_SECTOR + ESP_SECTORS) * SECTOR);
  image.set(espMbr(), 0);
  await writeFile(path, image);
  run('mkfs.fat', ['-F', '16', `--offset=${ESP_START_SECTOR}`, '-n', 'LOCALESP', path, String(ESP_SECTORS / 2)]);
  const fs = `${path}@@${ESP_START_SECTOR * SECTOR}`;
  run('mmd', ['-i', fs, '::/EFI', '::/EFI/BOOT']);
  if (signed !== undefined) {
    run('mmd', ['-i', fs, '::/EFI/debian']);
    run('mcopy', ['-i', fs, signed.shim, '::/EFI/BOOT/BOOTX64.EFI']);
    run('mcopy', ['-i', fs, signed.grub, '::/EFI/BOOT/grubx64.efi']);
    run('mcopy', ['-i', fs, config, '::/EFI/debian/grub.cfg']);
  } else {
    const loader = join(dir, 'BOOTX64.EFI');
    run('grub-mkstandalone', ['-O', 'x86_64-efi', '-o', loader, '--install-modules=normal echo sleep halt', '--locales=', '--themes=', '--fonts=', `boot/grub/grub.cfg=${config}`]);
    run('mcopy', ['-i', fs, loader, '::/EFI/BOOT/BOOTX64.EFI']);
  }
  return path;
}
