/** `remaster build <recipe> [--dry-run] [--json] [--out dir]`: one listr2 task per recipe step, then the outputs. */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { BuildPlan, BuildResult, PreparedBuild, Recipe } from '../../index.ts';
import { library, type Library } from '../library.ts';
import { sourceDateEpoch, write, type CliContext } from '../context.ts';
import { countOf, formatSize } from '../format.ts';
import { runSteps, type Step } from '../tasks.ts';
import { warner } from '../warnings.ts';
import { planForDisplay } from '../edit-run.ts';
import { escapeLines, toJson } from '../escape.ts';
import { examplesText } from '../help.ts';

export interface BuildState {
  build?: PreparedBuild;
  plan?: BuildPlan;
  result?: BuildResult;
}

export function registerBuild(program: Command, cli: CliContext): void {
  program
    .command('build')
    .description('build kernel + initrd + manifest from a recipe into its output directory (atomically)')
    .addHelpText('after', examplesText('remaster build recipes/hp-raid.yaml', 'remaster build recipes/hp-raid.yaml --dry-run      # the plan only', 'remaster build recipe.yaml --out /tmp/out --json'))
    .argument('<recipe>', 'recipe YAML file')
    .option('--dry-run', 'print the plan and write nothing')
    .option('--json', 'print the plan (with --dry-run) or the manifest as JSON')
    .option('--out <dir>', 'output directory (overrides output.dir)')
    .option('--force', 'replace an output directory remaster did not write (never one holding the recipe or an input)')
    .action(async (file: string, opts: { dryRun?: boolean; json?: boolean; out?: string; force?: boolean }) => {
      const global = program.opts<{ quiet?: boolean; debug?: boolean; strict?: boolean }>();
      const { state } = await buildRecipe(cli, file, { ...global, ...opts, quiet: Boolean(global.quiet || opts.json) });
      if (opts.dryRun) {
        const plan = state.plan as BuildPlan;
        await write(cli.stdout, opts.json ? `${toJson({ ...plan, edit: planForDisplay(plan.edit) }, 2)}\n` : escapeLines(renderPlan(plan)));
      } else if (opts.json) {
        await write(cli.stdout, `${toJson(state.result?.manifest, 2)}\n`);
      }
    });
}

/** Load, prepare, plan and (unless dryRun) apply a recipe with one progress task per step. */
export async function buildRecipe(cli: CliContext, file: string, o: { dryRun?: boolean; out?: string; force?: boolean; quiet?: boolean; debug?: boolean; strict?: boolean; maxEntries?: number }): Promise<{ recipe: Recipe; state: BuildState }> {
  const { recipe, text } = await (await library()).loadRecipe(file);
  // --out is relative to where the command runs, output.dir to the recipe
  if (o.out) recipe.output.dir = resolve(o.out);
  const sde = sourceDateEpoch(cli.env);
  const options = { onWarning: warner(cli), ...(o.strict ? { strict: true } : {}), ...(o.force ? { force: true } : {}), ...(sde !== undefined ? { sourceDateEpoch: sde } : {}), ...(o.maxEntries !== undefined ? { limits: { maxEntries: o.maxEntries } } : {}) };
  const state = await runSteps<BuildState>(buildSteps(recipe, file, text, options, Boolean(o.dryRun)), {}, cli, { quiet: Boolean(o.quiet), debug: Boolean(o.debug) });
  await state.build?.source.close();
  return { recipe, state };
}

function buildSteps(recipe: Recipe, file: string, text: string, options: Parameters<Library['prepareSource']>[3] & object, dryRun: boolean): Step<BuildState>[] {
  const steps: Step<BuildState>[] = [
    { title: `Read source of ${recipe.name}`, run: async (s, title) => {
      s.build = await (await library()).prepareSource(recipe, file, text, options);
      title(`Read ${s.build.source.initrdName}: ${countOf(s.build.index.segments.length, 'segment')}, ${countOf(s.build.index.entries.length, 'entry', 'entries')}, kernel ${s.build.index.kernelVersions.join(', ') || '?'}`);
    } },
  ];
  recipe.steps.forEach((step, i) => steps.push({ title: `Step ${i + 1}: ${Object.keys(step)[0]}`, run: async (s, title) => {
    const prepared = await (await library()).prepareStep(step, i, s.build as PreparedBuild, options);
    (s.build as PreparedBuild).steps.push(prepared);
    title(`Step ${i + 1}: ${prepared.kind}, ${prepared.adds.length} entries${prepared.removes.length ? `, ${prepared.removes.length} removals` : ''}`);
  } }));
  steps.push({ title: 'Plan', run: async (s, title) => {
    s.plan = (await library()).planRecipe(s.build as PreparedBuild, options);
    title(`Planned ${s.plan.edit.mode}: ${s.plan.edit.adds.length} entries, ${s.plan.edit.removed.length} removals, ${s.plan.edit.compression}`);
  } });
  if (!dryRun) steps.push({ title: `Write ${recipe.output.dir}`, run: async (s, title) => {
    s.result = await (await library()).applyPlan(s.plan as BuildPlan, s.build as PreparedBuild, options);
    const sizes = Object.entries(s.result.manifest.outputs).map(([n, o]) => `${n} ${formatSize(o.size)}`).join(', ');
    title(`Wrote ${s.result.dir}: ${sizes}, manifest.json`);
  } });
  return steps;
}

function renderPlan(plan: BuildPlan): string {
  const lines = [`recipe ${plan.name} (${plan.recipeFile}, sha256 ${plan.recipeSha256.slice(0, 12)})`, `source: ${plan.source.initrd}${plan.source.kernel ? `, kernel ${plan.source.kernel}` : ''}`];
  lines.push(`kernel versions in the initrd: ${plan.kernelVersions.join(', ') || '(none)'}`);
  for (const s of plan.steps) {
    lines.push(`- ${s.title}`);
    for (const n of s.notes) lines.push(`    ${n}`);
    for (const r of s.removes) lines.push(`    remove ${r}`);
  }
  lines.push(`initrd: ${plan.edit.mode}, compression ${plan.edit.compression}; kept segments ${plan.edit.keepSegments.join(',') || '-'}, merged ${plan.edit.mergeSegments.join(',') || '-'}`);
  for (const a of plan.edit.adds) lines.push(`  ${a.action.padEnd(7)} /${a.path}${a.requested !== a.path ? ` (asked as /${a.requested})` : ''}  ${a.spec.type} 0${(a.spec.mode ?? 0).toString(8)}`);
  for (const r of plan.edit.removed) lines.push(`  remove  /${r}`);
  lines.push(`output: ${plan.output.dir}/ ${plan.output.initrd}${plan.output.kernel ? ` ${plan.output.kernel}` : ''} manifest.json`);
  return `${lines.join('\n')}\n`;
}
