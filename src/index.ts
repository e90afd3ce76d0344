/**
 * remaster's public library surface: re-exports only, no side effects.
 */
export * from './errors.ts';
export { ByteReader, bytesSource, openFileSource, readRange, readFileChunks, writeFileAtomic, fileRangeSource, bytesRangeSource } from './io/index.ts';
export type { BlockSource, AtomicWriteOptions, FileRangeSource } from './io/index.ts';
export * from './compress/index.ts';
export * from './cpio/index.ts';
export * from './initrd/index.ts';
export * from './tree/index.ts';
export * from './fsx/index.ts';
export * from './bootcfg/index.ts';
export * from './iso/index.ts';
export * from './recipe/index.ts';
export * from './kickstart/index.ts';
export * from './boottest/index.ts';
export * from './elf/index.ts';
export * from './package/index.ts';
export * from './kmod/index.ts';
export * from './pxe/index.ts';
