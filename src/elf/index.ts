export { decodeElf, isElf, ELF_MAGIC, DEFAULT_MAX_ELF_STRING, type ElfInfo, type DecodeElfOptions } from './decode.ts';
export {
  resolveLibraryClosure,
  DEFAULT_LIBRARY_PATHS,
  type ClosureFile,
  type ClosureOptions,
  type ClosureResult,
  type LibraryLookup,
  type LookupResult,
  type MissingLibrary,
} from './closure.ts';
