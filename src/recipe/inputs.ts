/**
 * recipeInputs(): every host path a recipe reads (the recipe itself, its
 * source ISO, netboot tarball, kernel and initrd, overlays, packages,
 * modules, sysroots (also install.tools'), firmware, kickstart template and scripts), resolved
 * against the recipe's directory. The build refuses an output directory that
 * holds any of them (fsx/output-dir.ts), since replacing it would delete them.
 */
import { resolve } from 'node:path';
import type { BinariesStep, Recipe, RecipeStep } from './schema.ts';

function stepInputs(step: RecipeStep): string[] {
  if ('files' in step) return step.files.map((f) => ('package' in f ? f.package : f.from));
  if ('firmware' in step) return step.firmware.map((f) => f.from);
  if ('kernelModules' in step) return step.kernelModules.map((m) => (typeof m === 'string' ? m : m.package));
  return binariesInputs(step);
}

function binariesInputs(step: BinariesStep): string[] {
  const { sysroot } = step;
  if (typeof sysroot === 'string') return [sysroot];
  return Array.isArray(sysroot) ? sysroot.map((p) => p.package) : [sysroot.package];
}

/** Return the absolute paths of the recipe file and of every host path it names. */
export function recipeInputs(recipe: Recipe, recipeFile: string, baseDir: string): string[] {
  const src = recipe.source;
  // with an ISO or a netboot tarball, kernel and initrd are paths inside it
  const container = src.iso ?? src.netboot;
  const paths = container !== undefined ? [container] : [src.initrd, src.kernel];
  paths.push(...recipe.steps.flatMap(stepInputs), ...(recipe.install?.tools ?? []).flatMap(binariesInputs));
  const ks = recipe.kickstart;
  if (ks !== undefined) {
    paths.push(ks.template, ...[...(ks.pre ?? []), ...(ks.post ?? [])].map((s) => (typeof s === 'string' ? s : s.file)));
  }
  return [resolve(recipeFile), ...paths.filter((p): p is string => p !== undefined).map((p) => resolve(baseDir, p))];
}
