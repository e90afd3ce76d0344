export { toArchivePath, parentPath, ancestors, joinInside, ROOT_PATH } from './safe-path.ts';
export { resolveParents, MAX_SYMLINK_HOPS, type PathInfo, type PathLookup } from './resolve.ts';
export { diffTrees, type DiffField, type DiffOptions, type FileTree, type TreeChange, type TreeEntry, type TreeNodeType } from './diff.ts';
export { CompactTree } from './compact-tree.ts';
export { ByteArena, Column, f64Column, hashPath, PathSlots, u32Column, u8Column } from './compact.ts';
