export { extractEntries, createExtractTarget, type ExtractOptions, type ExtractResult } from './extract.ts';
export { hostEntries, type HostEntriesOptions } from './host-files.ts';
export { createIsoWorkdir, type IsoWorkdir } from './iso-workdir.ts';
export { extractIsoNodes, type ExtractNode } from './extract-iso.ts';
export { replaceDirAtomically } from './output-dir.ts';
