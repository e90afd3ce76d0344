export { ByteReader } from './byte-reader.ts';
export { alignUp, padLength, zeros, concatBytes } from './align.ts';
export { bytesSource, openFileSource, fileHandleSource, readRange, type BlockSource, type RandomReadSource } from './block-source.ts';
export { readFileChunks, writeFileAtomic, fileRangeSource, bytesRangeSource, type AtomicWriteOptions, type FileRangeSource } from './file-stream.ts';
