/**
 * The initrd core: errors, byte I/O, codecs, cpio and initrd segments, and
 * the archive-neutral tree model. Re-exports only. The listing commands
 * (`remaster ls`, `cat`, `inspect`) load just this, so a listing does not
 * pay for loading the ISO, boot-config, filesystem and kickstart modules
 * (module loading is most of a short command's start-up, BENCHMARKS.md);
 * src/engine.ts re-exports all of it.
 */
export * from './errors.ts';
export { ByteReader, bytesSource, openFileSource, readRange, readFileChunks, readFileSeekable, writeFileAtomic, fileRangeSource, bytesRangeSource, checkOutputFile, toIoError, withIoContext } from './io/index.ts';
export type { BlockSource, RandomReadSource, AtomicWriteOptions, FileRangeSource, SeekableChunks, SeekableReadOptions } from './io/index.ts';
export * from './compress/index.ts';
export * from './cpio/index.ts';
export * from './initrd/index.ts';
export * from './tree/index.ts';
