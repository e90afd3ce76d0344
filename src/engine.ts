/**
 * The engine entry point: initrds, codecs, cpio, ISOs, boot configs and the
 * safe filesystem layer, without the recipe, PXE and package
 * modules (and their zod/yaml/tar-stream dependencies). Re-exports only.
 * The CLI loads this for its image commands and loads src/index.ts only when
 * a command needs the rest, which cuts start-up time and peak memory
 * (BENCHMARKS.md); library users can import either.
 */
export * from './core.ts';
export * from './fsx/index.ts';
export * from './bootcfg/index.ts';
export * from './iso/index.ts';
export * from './kickstart/index.ts';
