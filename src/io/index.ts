export { ByteReader } from './byte-reader.ts';
export { alignUp, padLength, zeros, concatBytes } from './align.ts';
export { bytesSource, openFileSource, readRange, type BlockSource } from './block-source.ts';
export { checkOutputFile, readFileChunks, writeFileAtomic, fileRangeSource, bytesRangeSource, type AtomicWriteOptions, type FileRangeSource } from './file-stream.ts';
