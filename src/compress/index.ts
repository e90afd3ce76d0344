export type { Codec, CodecId, CodecInfo, CompressOptions, DecompressOptions } from './codec.ts';
export { CODECS, detectCodec, getCodec } from './detect.ts';
export { describeCompression, DESCRIBE_HEAD_SIZE, type CompressionParams, type XzCheck } from './inspect.ts';
