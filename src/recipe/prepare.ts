/**
 * prepareBuild(): everything a plan needs from the outside world, gathered
 * once: the recipe's own hash, the opened source, the initrd index, and for
 * each step the host entries it will add. planRecipe() then decides purely.
 */
import { createHash } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { withContext, type WarnOptions } from '../errors.ts';
import { hostEntries } from '../fsx/index.ts';
import { scanInitrd, type AddSpec, type InitrdIndex, type InitrdLimits } from '../initrd/index.ts';
import { stepKind, type BinariesStep, type Recipe, type RecipeStep } from './schema.ts';
import { prepareInstall, type PreparedInstall } from './install.ts';
import { resolveSource, type ResolvedSource } from './source.ts';
import { recipeInputs } from './inputs.ts';
import { prepareFirmware } from './steps/firmware.ts';
import { expandRemovals } from './plan.ts';
import { renderRecipeKickstart, type RenderedKickstart } from './kickstart.ts';
import { renderRecipeAnswers, type RenderedAnswerFiles } from './answers.ts';
import { prepareFiles } from './steps/files.ts';
import { collectModuleFiles, prepareModules, type ExistingModuleFile, type PreparedModules } from './steps/kernel-modules.ts';
import { prepareBinaries, type PreparedBinaries } from './steps/binaries.ts';

/** What one step contributes before planning. */
export interface PreparedStep {
  index: number;
  kind: ReturnType<typeof stepKind>;
  /** Entries to add, paths as the recipe names them (resolved through symlinks at planning). */
  adds: AddSpec[];
  /** Image paths or globs to remove. */
  removes: string[];
  modules?: PreparedModules;
  binaries?: PreparedBinaries;
  /** Name in plan titles when not the recipe's own step (`Install tools (install.tools[0])`). */
  label?: string;
}

/** Inputs of a plan. */
export interface PreparedBuild {
  recipe: Recipe;
  recipeFile: string;
  recipeSha256: string;
  baseDir: string;
  source: ResolvedSource;
  index: InitrdIndex;
  steps: PreparedStep[];
  sourceDateEpoch?: number;
  /** The rendered and linted kickstart, when the recipe has a kickstart section. */
  kickstart?: RenderedKickstart;
  /** The rendered and linted answers, when the recipe has an answers section. */
  answers?: RenderedAnswerFiles;
  /** The composed install section and where its binaries come from. */
  install?: PreparedInstall;
  /** Absolute paths of the recipe and every host file or directory it reads (an output directory may hold none of them). */
  inputs: string[];
  /** The image's modules (decoded) and module lists, gathered by the scan when the recipe has a kernelModules step. */
  moduleFiles?: Map<string, ExistingModuleFile>;
}

/** Options for prepareBuild. */
export interface PrepareOptions extends WarnOptions {
  sourceDateEpoch?: number;
  /** Bounds for reading the source initrd (maxEntries, ratio, sizes). */
  limits?: InitrdLimits;
}

/** Read the source and every step's inputs. */
export async function prepareBuild(recipe: Recipe, recipeFile: string, recipeText: string, options: PrepareOptions = {}): Promise<PreparedBuild> {
  const build = await prepareSource(recipe, recipeFile, recipeText, options);
  try {
    for (const [i, s] of recipe.steps.entries()) build.steps.push(await prepareStep(s, i, build, options));
    for (const [i, tool] of (recipe.install?.tools ?? []).entries()) build.steps.push(await prepareInstallTool(tool, i, build, options));
    return build;
  } catch (err) {
    await build.source.close();
    throw err;
  }
}

/** Open the source and index its initrd (steps are prepared separately, one by one). */
export async function prepareSource(recipe: Recipe, recipeFile: string, recipeText: string, options: PrepareOptions = {}): Promise<PreparedBuild> {
  const baseDir = dirname(resolve(recipeFile));
  const source = await resolveSource(recipe, baseDir).catch((err: unknown) => {
    throw withContext(err, { file: recipeFile });
  });
  try {
    // A kernelModules step needs the image's modules for depmod: decode them in this one pass.
    const modules = recipe.steps.some((s) => 'kernelModules' in s) ? collectModuleFiles() : undefined;
    const index = await scanInitrd(source.initrd.open(), { ...options, ...(modules ? { fileData: modules } : {}) }).catch((err: unknown) => {
      throw withContext(err, { file: source.initrdName });
    });
    const prepared: PreparedBuild = {
      recipe, recipeFile, baseDir, source, index, steps: [], inputs: recipeInputs(recipe, recipeFile, baseDir),
      recipeSha256: createHash('sha256').update(recipeText).digest('hex'),
    };
    if (options.sourceDateEpoch !== undefined) prepared.sourceDateEpoch = options.sourceDateEpoch;
    if (modules) prepared.moduleFiles = modules.files;
    // With SOURCE_DATE_EPOCH the password salt comes from the recipe's hash, so two builds match byte for byte.
    const seed = options.sourceDateEpoch !== undefined ? { saltSeed: `${prepared.recipeSha256}:${options.sourceDateEpoch}` } : {};
    const install = await prepareInstall(recipe, index).catch((err: unknown) => {
      throw withContext(err, { file: recipeFile });
    });
    if (install) prepared.install = install;
    const carry = { ...options, ...seed, ...(install ? { install } : {}) };
    if (recipe.answers) {
      prepared.answers = await renderRecipeAnswers(recipe.answers, baseDir, carry).catch((err: unknown) => {
        throw withContext(err, { file: recipeFile });
      });
    }
    if (recipe.kickstart) {
      prepared.kickstart = await renderRecipeKickstart(recipe.kickstart, baseDir, carry).catch((err: unknown) => {
        throw withContext(err, { file: recipeFile });
      });
    }
    return prepared;
  } catch (err) {
    await source.close();
    throw err;
  }
}

/** Gather one of install.tools: a binaries step placed where the installer runs the snippets. */
export async function prepareInstallTool(tool: BinariesStep, index: number, build: PreparedBuild, options: WarnOptions): Promise<PreparedStep> {
  const prefix = build.install?.target.placement ?? '';
  const binaries = await prepareBinaries(tool, build, { ...options, prefix });
  return { index: build.recipe.steps.length + index, kind: 'binaries', adds: binaries.adds, removes: [], binaries, label: `Install tools (install.tools[${index}])` };
}

/** Gather the inputs of one step (recipe order). */
export async function prepareStep(s: RecipeStep, index: number, build: PreparedBuild, options: WarnOptions): Promise<PreparedStep> {
  const kind = stepKind(s);
  const base: PreparedStep = { index, kind, adds: [], removes: [] };
  if ('files' in s) return { ...base, ...(await prepareFiles(s, build.baseDir, hostEntries)) };
  if ('firmware' in s) return { ...base, adds: await prepareFirmware(s, build, options) };
  if ('kernelModules' in s) {
    // Modules removed by earlier steps must not enter the regenerated indexes.
    const excluded = new Set(expandRemovals(build, build.steps.flatMap((p) => p.removes)));
    const modules = await prepareModules(s, { ...build, excluded }, options);
    return { ...base, adds: modules.adds, modules };
  }
  const binaries = await prepareBinaries(s, build, options);
  return { ...base, adds: binaries.adds, binaries };
}
