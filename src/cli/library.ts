/**
 * The full library, loaded on first use. Image commands import src/engine.ts;
 * commands that need recipes, PXE publishing or boot tests call library()
 * inside their action, so `remaster ls` never loads zod, yaml or the PXE code.
 */
export type Library = typeof import('../index.ts');

let loaded: Promise<Library> | undefined;

/** Import src/index.ts once. */
export function library(): Promise<Library> {
  loaded ??= import('../index.ts');
  return loaded;
}
