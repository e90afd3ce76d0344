/**
 * readIsoFile(): stream the bytes of one file of an ISO image, extent after
 * extent (multi-extent files, ECMA-119 §6.5.1), reading only the file's own
 * sectors from the BlockSource.
 */
import { RemasterError } from '../errors.ts';
import { readRange, type BlockSource } from '../io/block-source.ts';
import { checkExtent } from './directory.ts';
import type { IsoImage, IsoNode } from './iso-image.ts';
import { concatBytes } from '../io/align.ts';
import { ISO_SECTOR_SIZE } from './volume-descriptor.ts';

/** Options for readIsoFile(). */
export interface ReadIsoFileOptions {
  /** Chunk size of the yielded pieces; default 1 MiB. */
  chunkSize?: number;
  /** Yield zisofs-compressed bytes as stored instead of refusing (ISO_ZISOFS). */
  isRaw?: boolean;
}

/** Stream the content of a file node; throws for non-files and for extents past the end of the source. */
export async function* readIsoFile(source: BlockSource, node: IsoNode, options: ReadIsoFileOptions = {}): AsyncGenerator<Uint8Array> {
  if (node.type !== 'file') {
    throw new RemasterError('ISO_NOT_FOUND', `is a ${node.type}, not a regular file`, { entry: node.path });
  }
  if (node.zisofsSize !== undefined && !options.isRaw) {
    throw new RemasterError('ISO_ZISOFS', 'file is zisofs-compressed (Rock Ridge ZF); decompression is not supported', { entry: node.path, offset: node.recordOffset });
  }
  // Check every extent before yielding anything, so a truncated image fails up front.
  for (const extent of node.extents) checkExtent(source, extent.lba, extent.length, node.path);
  for (const extent of node.extents) {
    yield* readRange(source, extent.lba * ISO_SECTOR_SIZE, extent.length, options.chunkSize ?? 1 << 20);
  }
}

/** Read a small file of the image as UTF-8 text; undefined when absent or not a file, LIMIT_EXCEEDED above `maxBytes`. */
export async function readIsoText(source: BlockSource, image: IsoImage, path: string, maxBytes = 1 << 20): Promise<string | undefined> {
  const node = image.lookup(path);
  if (node?.type !== 'file') return undefined;
  if (node.size > maxBytes) throw new RemasterError('LIMIT_EXCEEDED', `text file of ${node.size} bytes exceeds ${maxBytes}`, { entry: path });
  const parts: Uint8Array[] = [];
  for await (const chunk of readIsoFile(source, node)) parts.push(chunk);
  return new TextDecoder().decode(concatBytes(parts));
}
