/**
 * Module files as they sit in lib/modules/<kver>: `.ko`, `.ko.xz`, `.ko.zst`,
 * `.ko.gz` (reference 02 §6). The codec is chosen by magic, not by suffix, as
 * libkmod does (kmod-project/kmod libkmod/libkmod-file.c); the suffix only
 * decides whether depmod picks the file up and what name it gets.
 */
import { RemasterError, withContext } from '../errors.ts';
import { ByteReader } from '../io/byte-reader.ts';
import { concatBytes } from '../io/align.ts';
import { getCodec, type CodecId } from '../compress/index.ts';
import { decodeModuleInfo, type ModuleInfo } from './module-info.ts';

/** File suffixes depmod accepts (kmod's kmod_exts, all compression features on). */
export const MODULE_SUFFIXES = ['.ko', '.ko.gz', '.ko.xz', '.ko.zst'] as const;

const MAGICS: Array<[CodecId, number[]]> = [
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
  ['gzip', [0x1f, 0x8b]],
];

/** Return true when `path` ends in a module suffix. */
export function isModulePath(path: string): boolean {
  return MODULE_SUFFIXES.some((s) => path.length > s.length && path.endsWith(s));
}

/**
 * Return the module name of a path as kmod's path_to_modname() does: the
 * base name up to its first '.', with '-' turned into '_'.
 */
export function moduleNameFromPath(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const dot = base.indexOf('.');
  return (dot < 0 ? base : base.slice(0, dot)).replaceAll('-', '_');
}

/** Return the codec a module file is compressed with, or undefined for a plain ELF. */
export function moduleCodec(bytes: Uint8Array): CodecId | undefined {
  return MAGICS.find(([, m]) => m.every((b, i) => bytes[i] === b))?.[0];
}

/** Return the uncompressed ELF bytes of a module file. */
export async function decompressModule(bytes: Uint8Array, name = 'module'): Promise<Uint8Array> {
  const codec = moduleCodec(bytes);
  if (codec === undefined) return bytes;
  const chunks: Uint8Array[] = [];
  try {
    for await (const chunk of getCodec(codec).decompress(new ByteReader([bytes]))) chunks.push(chunk.slice());
  } catch (err) {
    throw withContext(err, { entry: name });
  }
  return concatBytes(chunks);
}

/** Decompress (by magic) and decode a module file; errors name `name` as the entry. */
export async function readModuleFile(bytes: Uint8Array, name: string): Promise<ModuleInfo> {
  const elf = await decompressModule(bytes, name);
  try {
    return decodeModuleInfo(elf);
  } catch (err) {
    if (err instanceof RemasterError) throw withContext(err, { entry: name });
    throw err;
  }
}
