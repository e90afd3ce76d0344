/** `remaster iso inspect <iso> [--json]`: label, layout, kernels/initrds, El Torito entries, hybrid tables, boot configs. */
import type { Command } from 'commander';
import { detectLayout, hasImplantedMd5, listLinuxEntries, readIsoText, type BootEntry, type HybridInfo } from '../../engine.ts';
import { write, type CliContext } from '../context.ts';
import { escapeLines, escapeName, toJson } from '../escape.ts';
import { withIso } from './iso.ts';
import { examplesText } from '../help.ts';

function entryLine(e: BootEntry): string {
  const emul = e.mediaType === 0 ? 'no-emulation' : `emulation ${e.mediaType}`;
  return `  ${e.index}  ${e.platform.padEnd(4)}  ${emul}  lba ${e.lba}  ${e.imagePath ?? '(no file: appended partition or hidden)'}${e.imageSize !== undefined ? `  ${e.imageSize} bytes` : ''}`;
}

function hybridLine(h: HybridInfo): string {
  const code = { none: 'no MBR boot code', isohybrid: 'ISOLINUX isohybrid MBR', grub2: 'GRUB2 hybrid MBR', other: 'MBR boot code of its own' }[h.mbrCode];
  const kind = { none: 'not hybrid', isohybrid: 'MBR partition table', mbr: 'MBR partition table', gpt: 'protective MBR + GPT' }[h.kind];
  const parts = [`${kind} (${code})`, `MBR partitions ${h.mbrPartitions.length}`, `GPT partitions ${h.gptPartitions.length}`];
  if (h.appendedPartitions.length > 0) parts.push(`appended ${h.appendedPartitions.map((p) => `${p.source}#${p.index}`).join(' ')}`);
  return parts.join(', ');
}

export function registerIsoInspect(iso: Command, program: Command, cli: CliContext): void {
  iso
    .command('inspect')
    .description('show the volume label, installer layout, kernels and initrds, El Torito boot entries, hybrid MBR/GPT and boot configs')
    .addHelpText('after', examplesText('remaster iso inspect rhel9.iso', 'remaster iso inspect --json mini.iso | jq .layout'))
    .argument('<iso>', 'ISO image')
    .option('--json', 'print JSON')
    .action(async (file: string, opts: { json?: boolean }) => {
      const strict = program.opts<{ strict?: boolean }>().strict === true;
      await withIso(cli, file, strict, async (source, image) => {
        const layout = await detectLayout(image, (p) => readIsoText(source, image, p), { listEntries: listLinuxEntries });
        const md5 = await hasImplantedMd5(source);
        const { volume, hasRockRidge, hasJoliet, bootCatalog, hybrid } = image;
        if (opts.json) {
          await write(cli.stdout, `${toJson({ file, volume, hasRockRidge, hasJoliet, layout, bootCatalog, hybrid, hasImplantedMd5: md5 }, 2)}\n`);
          return;
        }
        const lines = [
          `${file}: label "${escapeName(volume.label)}", ${volume.size} blocks, ${[hasRockRidge && 'Rock Ridge', hasJoliet && 'Joliet'].filter(Boolean).join(', ') || 'plain ISO 9660'}`,
          `layout: ${[layout.family === 'boot-config' ? 'from the boot menus (no known distribution layout)' : layout.family, layout.distro, layout.version, layout.arch].filter(Boolean).join(' ')}`,
          `kernels: ${layout.kernels.join(' ') || '(none)'}`,
          `initrds: ${layout.initrds.join(' ') || '(none)'}`,
          `EFI image: ${layout.efiImage ?? (layout.efiPartition ? `appended ${layout.efiPartition.source.toUpperCase()} partition ${layout.efiPartition.index} (${layout.efiPartition.sectors} sectors from sector ${layout.efiPartition.start})` : '(none)')}`,
          `boot entries:${bootCatalog ? '' : ' (no El Torito catalog)'}`,
          ...(bootCatalog?.entries.map(entryLine) ?? []),
          `hybrid: ${hybridLine(hybrid)}`,
          `boot configs: ${layout.bootConfigs.map((c) => `${c.path} (${c.kind}${c.isPrimary ? ', read first' : ''})`).join(' ') || '(none)'}`,
          `implanted MD5: ${md5 ? 'yes' : 'no'}`,
        ];
        await write(cli.stdout, `${escapeLines(lines.join('\n'))}\n`); // paths, names and .treeinfo text come from the image
      });
    });
}
