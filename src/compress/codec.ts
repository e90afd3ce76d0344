/**
 * The codec contract shared by every compressed-segment format the kernel's
 * initramfs unpacker accepts (torvalds/linux:lib/decompress.c, reference 01 §6).
 *
 * A decoder reads ONE member from a ByteReader and leaves the reader on the
 * first byte after it, so that the segment scanner can continue with whatever
 * follows (3cpio assumes a compressed segment is last; the kernel does not).
 * Codecs whose format has no end marker (`canReportEnd: false`) consume the
 * rest of the input instead.
 */
import type { WarningHandler } from '../errors.ts';
import type { ByteReader } from '../io/byte-reader.ts';

/** Every compression format the kernel's initramfs unpacker knows. */
export type CodecId = 'gzip' | 'xz' | 'lzma' | 'zstd' | 'lz4' | 'bzip2' | 'lzo';

/** Options for Codec.decompress(). */
export interface DecompressOptions {
  /** Abort the decode: the child process is killed and ABORTED is thrown. */
  signal?: AbortSignal;
  /** Receives recoverable problems. */
  onWarning?: WarningHandler;
  /** Turn every warning into a thrown RemasterError. */
  strict?: boolean;
}

/** Options for Codec.compress(); every default is kernel-safe and reproducible. */
export interface CompressOptions {
  /** Codec level; out-of-range values are clamped with a CODEC_LEVEL_CLAMPED warning. */
  level?: number;
  /** Abort the encode: the child process is killed and ABORTED is thrown. */
  signal?: AbortSignal;
  /** Receives recoverable problems. */
  onWarning?: WarningHandler;
  /** Turn every warning into a thrown RemasterError. */
  strict?: boolean;
  /** xz/lzma dictionary in bytes (default 1 MiB, like dracut). */
  dictSize?: number;
  /** zstd window log (default 23: an 8 MiB window every kernel can allocate). */
  windowLog?: number;
  /** Worker threads for xz/zstd (default 0: all cores); never changes the output bytes. */
  threads?: number;
}

/** Static facts about a codec. */
export interface CodecInfo {
  id: CodecId;
  /** Human name, as the kernel prints it. */
  name: string;
  /** Shortest signature a reader should require (reference 01 §6, after 3cpio's table). */
  magic: Uint8Array;
  /** Inclusive level range accepted by compress(). */
  levels: readonly [min: number, max: number];
  defaultLevel: number;
  /** False when compress() would always throw (no encoder available in this build). */
  canCompress: boolean;
  /** True when the decoder knows where the member ends and leaves the rest in the reader. */
  canReportEnd: boolean;
  /** Debian package that provides the CLI this codec spawns, if any. */
  tool?: { command: string; debianPackage: string };
}

/** A codec: static facts plus a streaming decoder and encoder. */
export interface Codec extends CodecInfo {
  /**
   * Decompress ONE member from `reader`, positioned at the member's first byte, and yield
   * decompressed chunks. When the generator finishes, `reader` is positioned on the first
   * byte after the member, or at the end of input when `canReportEnd` is false. Stopping
   * the iteration early kills any child process; the reader position is then undefined.
   */
  decompress(reader: ByteReader, options?: DecompressOptions): AsyncGenerator<Uint8Array>;
  /** Compress a stream with kernel-safe, reproducible settings. */
  compress(input: AsyncIterable<Uint8Array>, options?: CompressOptions): AsyncGenerator<Uint8Array>;
}
