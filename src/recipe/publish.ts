/**
 * publishOptionsFromRecipe(): turn a recipe's `pxe:` section and a finished
 * build directory into publishTree() options. Paths in the recipe are
 * relative to it; hosts without their own kickstart get the build's ks.cfg.
 */
import { join, resolve } from 'node:path';
import { RemasterError } from '../errors.ts';
import type { PublishHostInput, PublishTreeOptions } from '../pxe/index.ts';
import type { Recipe } from './schema.ts';
import { answerFileNames, answerFormat } from '../answers/index.ts';

/** The PXE dialect of an answers dialect: RHEL and Fedora names as they are, Debian and Ubuntu by family. */
function pxeDialectOf(dialect: string): NonNullable<PublishTreeOptions['dialect']> {
  if (dialect.startsWith('debian')) return 'debian';
  if (dialect.startsWith('ubuntu')) return 'ubuntu';
  return dialect as NonNullable<PublishTreeOptions['dialect']>;
}

/** Build publishTree() options from a recipe and the directory its build wrote. */
export function publishOptionsFromRecipe(recipe: Recipe, recipeFile: string, buildDir: string, hasKickstart: boolean): PublishTreeOptions {
  const pxe = recipe.pxe;
  if (!pxe) throw new RemasterError('RECIPE_SCHEMA', 'the recipe has no pxe: section; give --tftp-root and publish the build directory instead', { file: recipeFile });
  const base = resolve(recipeFile, '..');
  const options: PublishTreeOptions = {
    tftpRoot: resolve(base, pxe.tftpRoot),
    kernel: join(buildDir, 'vmlinuz'),
    initrd: join(buildDir, 'initrd.img'),
    hosts: pxe.hosts.map((h) => {
      const { kickstart, ...rest } = h;
      const built = recipe.answers !== undefined ? join(buildDir, answerFileNames(answerFormat(recipe.answers.dialect))[0] as string) : hasKickstart ? join(buildDir, 'ks.cfg') : undefined;
      const ks = kickstart !== undefined ? resolve(base, kickstart) : built;
      // zod's optional keys may hold undefined; the publish types do not allow that spelling.
      return (ks !== undefined ? { ...rest, kickstart: ks } : rest) as PublishHostInput;
    }),
  };
  if (pxe.httpRoot) options.httpRoot = resolve(base, pxe.httpRoot);
  if (pxe.httpUrl) options.httpUrl = pxe.httpUrl;
  if (pxe.serveUrl) options.serveUrl = pxe.serveUrl;
  if (pxe.label) options.label = pxe.label;
  if (pxe.dialect) options.dialect = pxe.dialect;
  else if (recipe.kickstart) options.dialect = recipe.kickstart.dialect;
  else if (recipe.answers) options.dialect = pxeDialectOf(recipe.answers.dialect);
  if (recipe.answers) options.answers = answerFormat(recipe.answers.dialect);
  if (pxe.cmdline) options.cmdline = pxe.cmdline;
  if (pxe.repo) options.repo = pxe.repo;
  if (pxe.stage2) options.stage2 = pxe.stage2;
  if (pxe.keep) options.keep = pxe.keep;
  if (pxe.grubDir) options.grubDir = pxe.grubDir;
  if (pxe.loaders) options.loaders = loadersRelativeTo(base, pxe.loaders);
  return options;
}

/** Loader directories in a recipe are relative to the recipe, like every other path in it. */
function loadersRelativeTo(base: string, loaders: NonNullable<NonNullable<Recipe['pxe']>['loaders']>): NonNullable<PublishTreeOptions['loaders']> {
  const dir = <T>(v: T): T | string => (typeof v === 'string' && v !== 'auto' ? resolve(base, v) : v);
  const out: NonNullable<PublishTreeOptions['loaders']> = {};
  if (loaders.pxelinux !== undefined) out.pxelinux = dir(loaders.pxelinux);
  if (loaders.grubNetDir !== undefined) out.grubNetDir = resolve(base, loaders.grubNetDir);
  if (loaders.ipxe !== undefined) out.ipxe = dir(loaders.ipxe);
  if (loaders.grubSigned !== undefined) out.grubSigned = dir(loaders.grubSigned);
  return out;
}
