/**
 * Kernel modules: .ko decoding, vermagic checks, the kmod index format and a
 * byte-compatible depmod. Re-exports only.
 */
export { decodeModuleInfo, decodeModuleSignature, MODULE_SIGNATURE_MARKER, type ModuleInfo, type ModuleSignature, type ModuleSymbolRef } from './module-info.ts';
export { readModuleFile, decompressModule, moduleCodec, moduleNameFromPath, isModulePath, MODULE_SUFFIXES } from './module-file.ts';
export { checkVermagic, vermagicRelease, kernelReleaseFromBzImage, kernelVersionFromBzImage, type KernelIdentity } from './vermagic.ts';
export { encodeKmodIndex, decodeKmodIndex, KMOD_INDEX_MAGIC, KMOD_INDEX_VERSION, type KmodIndexEntry, type KmodIndexValue } from './kmod-index.ts';
export { parseModulesBuiltin, parseBuiltinModinfo, type BuiltinModule } from './builtin.ts';
export { keepsExisting, selectModules, type DepmodConfig, type ModuleTreeEntry, type ResolvedModule } from './depmod-resolve.ts';
export { runDepmod, normalizeAlias, type ModuleTree, type DepmodOptions, type DepmodOutput } from './depmod.ts';
