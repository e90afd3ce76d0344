export { recipeSchema, recipeJsonSchema, stepKind, type Recipe, type RecipeStep, type FilesStep, type KernelModulesStep, type BinariesStep, type FirmwareStep, type KickstartSection as RecipeKickstart } from './schema.ts';
export { parseRecipe, loadRecipe, formatKeyPath } from './load.ts';
export { prepareBuild, prepareSource, prepareStep, type PreparedBuild, type PreparedStep, type PrepareOptions } from './prepare.ts';
export { planRecipe, expandRemovals, type BuildPlan, type PlanStep } from './plan.ts';
export { applyPlan, type ApplyOptions, type BuildManifest, type BuildResult, type ManifestFile } from './apply.ts';
export { globToRegExp, isGlob } from './glob.ts';
export { renderRecipeKickstart, type RenderedKickstart } from './kickstart.ts';
export { publishOptionsFromRecipe } from './publish.ts';
export { renderRecipeAnswers, type RenderedAnswerFiles } from './answers.ts';
