export { ByteReader } from './byte-reader.ts';
export { alignUp, padLength, zeros, concatBytes } from './align.ts';
export { bytesSource, openFileSource, fileHandleSource, readRange, type BlockSource, type RandomReadSource } from './block-source.ts';
export { checkOutputFile, readFileChunks, readFileSeekable, isSeekable, writeFileAtomic, fileRangeSource, bytesRangeSource, type AtomicWriteOptions, type FileRangeSource, type SeekableChunks, type SeekableReadOptions } from './file-stream.ts';
export { isErrnoError, ioErrorCode, renameErrorPath, toIoError, withIoContext } from './io-error.ts';
