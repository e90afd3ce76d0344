/**
 * `remaster inject-module <initrd> <module|package>… -o <out>` and
 * `remaster inject-binary <initrd> <path>… --sysroot <dir|package> -o <out>`:
 * the recipe steps without a recipe file, for scripts and CI pipelines. A
 * one-step recipe is made in memory and planned like any other.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { RecipeStep } from '../../index.ts';
import { checkOutputFile, writeFileAtomic, writeInitrd } from '../../engine.ts';
import { library, type Library } from '../library.ts';
import { sourceDateEpoch, type CliContext } from '../context.ts';
import { formatSize } from '../format.ts';
import { parseCompression } from '../edit-run.ts';
import { runSteps } from '../tasks.ts';
import { withLimits } from '../limits.ts';
import { warner } from '../warnings.ts';

interface InjectOptions { output: string; rebuild?: boolean; compression?: string; level?: number }

async function inject(cli: CliContext, program: Command, initrd: string, step: RecipeStep, o: InjectOptions): Promise<void> {
  await checkOutputFile(o.output); // before reading packages and decoding the image
  const global = program.opts<{ quiet?: boolean; debug?: boolean; strict?: boolean }>();
  const sde = sourceDateEpoch(cli.env);
  const recipe = (await library()).recipeSchema.parse({
    name: 'inject', source: { initrd: resolve(initrd) }, steps: [step],
    output: { dir: '.', mode: o.rebuild ? 'rebuild' : 'append', ...(o.compression ? { compression: o.compression } : {}), ...(o.level !== undefined ? { level: o.level } : {}) },
  });
  const options = withLimits(program, { onWarning: warner(cli, initrd), ...(global.strict ? { strict: true } : {}), ...(sde !== undefined ? { sourceDateEpoch: sde } : {}) });
  const recipeFile = resolve('inject.yaml');
  type S = { build?: Awaited<ReturnType<Library['prepareSource']>> };
  const state = await runSteps<S>([
    { title: `Scan ${initrd}`, run: async (s) => { s.build = await (await library()).prepareSource(recipe, recipeFile, JSON.stringify(recipe), options); } },
    { title: 'Resolve', run: async (s, title) => {
      const p = await (await library()).prepareStep(recipe.steps[0] as RecipeStep, 0, s.build as NonNullable<S['build']>, options);
      s.build?.steps.push(p);
      title(`Resolved ${p.adds.length} entries${p.modules ? ` (modules: ${p.modules.modules.map((m) => m.name).join(', ')}; indexes regenerated for ${p.modules.kernelRelease})` : ''}`);
    } },
    { title: `Write ${o.output}`, run: async (s, title) => {
      const build = s.build as NonNullable<S['build']>;
      const plan = (await library()).planRecipe(build, options);
      const bytes = await writeFileAtomic(o.output, writeInitrd(build.source.initrd, build.index, plan.edit, { ...options, ...(o.level !== undefined ? { level: o.level } : {}) }));
      title(`Wrote ${o.output} (${formatSize(bytes)}, ${plan.edit.mode}, ${plan.edit.compression})`);
    } },
  ], {}, cli, { quiet: Boolean(global.quiet), debug: Boolean(global.debug) });
  await state.build?.source.close();
}

function common(cmd: Command): Command {
  return cmd
    .requiredOption('-o, --output <file>', 'output image (written atomically)')
    .option('--rebuild', 'rewrite the image instead of appending a segment')
    .option('-c, --compression <codec>', 'compression of the new segment', parseCompression)
    .option('-l, --level <n>', 'compression level', (v) => Number.parseInt(v, 10));
}

export function registerInject(program: Command, cli: CliContext): void {
  common(program.command('inject-module').description('add kernel modules (.ko/.ko.xz/.ko.zst or .rpm/.deb packages) with a vermagic check and regenerated module indexes')
    .argument('<initrd>', 'initrd image').argument('<modules...>', 'module files or vendor packages')
    .option('--placement <dir>', 'directory under lib/modules/<kver>/', 'updates'))
    .action(async (initrd: string, modules: string[], o: InjectOptions & { placement: string }) => {
      const items = modules.map((m) => (/\.(rpm|deb)$/.test(m) ? { package: resolve(m) } : resolve(m)));
      await inject(cli, program, initrd, { kernelModules: items, placement: o.placement, rundepmod: false }, o);
    });
  common(program.command('inject-binary').description('add executables with their shared-library closure from a sysroot directory or package')
    .argument('<initrd>', 'initrd image').argument('<paths...>', 'absolute paths of the executables inside the sysroot')
    .requiredOption('--sysroot <dir|package>', 'directory or .rpm/.deb holding the binaries and their libraries'))
    .action(async (initrd: string, paths: string[], o: InjectOptions & { sysroot: string }) => {
      const sysroot = /\.(rpm|deb)$/.test(o.sysroot) ? { package: resolve(o.sysroot) } : resolve(o.sysroot);
      await inject(cli, program, initrd, { binaries: paths, sysroot }, o);
    });
}
