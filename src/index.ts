/**
 * remaster's public library surface: re-exports only, no side effects.
 * The image engine (src/engine.ts) plus recipes, kernel modules, ELF,
 * vendor packages, PXE publishing and boot tests.
 */
export * from './engine.ts';
export * from './recipe/index.ts';
export * from './boottest/index.ts';
export * from './elf/index.ts';
export * from './package/index.ts';
export * from './kmod/index.ts';
export * from './pxe/index.ts';
export * from './preseed/index.ts';
export * from './autoinstall/index.ts';
export * from './answers/index.ts';
export * from './install/index.ts';
export * from './net/dhcp/index.ts';
export * from './state/index.ts';
export * from './net/tftp/index.ts';
export * from './serve/index.ts';
