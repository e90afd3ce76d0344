export { extractEntries, createExtractTarget, type ExtractOptions, type ExtractResult } from './extract.ts';
export { hostEntries, type HostEntriesOptions } from './host-files.ts';
