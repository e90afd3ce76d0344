/**
 * A file inside an ISO as a re-readable byte source, so initrd commands can
 * stream `distro.iso:/images/pxeboot/initrd.img` without extracting it:
 * only that file's sectors are read, range by range.
 */
import { readRange, type BlockSource } from '../io/block-source.ts';
import type { FileRangeSource } from '../io/file-stream.ts';
import { checkExtent } from './directory.ts';
import type { IsoNode } from './iso-image.ts';
import { ISO_SECTOR_SIZE } from './volume-descriptor.ts';
import { RemasterError } from '../errors.ts';

/** Describe a file node of an ISO as a FileRangeSource named `name`. */
export function isoFileRangeSource(source: BlockSource, node: IsoNode, name: string): FileRangeSource {
  if (node.type !== 'file') throw new RemasterError('ISO_NOT_FOUND', `is a ${node.type}, not a regular file`, { entry: node.path });
  for (const extent of node.extents) checkExtent(source, extent.lba, extent.length, node.path);
  return {
    name,
    open(range) {
      return streamRange(source, node, range?.start ?? 0, range?.end ?? node.size);
    },
  };
}

async function* streamRange(source: BlockSource, node: IsoNode, start: number, end: number): AsyncGenerator<Uint8Array> {
  let base = 0;
  for (const extent of node.extents) {
    const from = Math.max(start, base);
    const to = Math.min(end, base + extent.length);
    if (from < to) yield* readRange(source, extent.lba * ISO_SECTOR_SIZE + (from - base), to - from);
    base += extent.length;
  }
}
