/**
 * The recipe's `install:` section at build time. The shipped snippets are read from snippets/
 * next to the package; every binary the chosen snippets need (mdadm, a vendor CLI) is found in
 * install.tools (added to the initrd by the binaries step), in the image, or in install.present
 * (the installer's runtime has it), or the plan fails naming the snippet and the binary. Tools
 * land under updates/ for Anaconda on RHEL 7+ and Fedora: %pre runs in stage 2, and dracut copies
 * /updates of the initrd there (reference 05 §3); d-i runs its early commands in the initrd itself.
 */
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { answerFormat, kickstartDialectOf, type AnswerScript } from '../answers/index.ts';
import { RemasterError } from '../errors.ts';
import { readTextFile } from '../fsx/index.ts';
import type { InitrdIndex } from '../initrd/index.ts';
import { composeInstall, SNIPPET_NAMES, type ComposedInstall, type InstallFormat, type InstallNeed, type InstallScript } from '../install/index.ts';
import { dialectRank, scriptOptionsFor, type KickstartDialect } from '../kickstart/index.ts';
import { resolveParents } from '../tree/index.ts';
import type { Recipe } from './schema.ts';

/** The shipped snippet library (snippets/ at the package root, beside src/ and dist/). */
export const SNIPPETS_DIR = fileURLToPath(new URL('../../snippets/', import.meta.url));

/** Where a needed binary comes from. */
export interface ResolvedBinary {
  snippet: string;
  rule: string;
  name: string;
  /** Path at run time; undefined: found on PATH. */
  path?: string;
  via: 'install.tools' | 'steps' | 'image' | 'install.present' | 'unchecked';
}

/** The installer the install's scripts are for. */
export interface InstallTarget {
  format: InstallFormat;
  /** Kickstart dialect (kickstart format). */
  dialect?: KickstartDialect;
  /** Image prefix for tools: `updates/` (Anaconda stage 2) or `` (the initrd is the installer); undefined: tools cannot be placed. */
  placement?: string;
}

/** The install of a build: scripts, where the binaries come from, where tools go. */
export interface PreparedInstall {
  composed: ComposedInstall;
  binaries: ResolvedBinary[];
  target: InstallTarget;
}

const BIN_DIRS = ['usr/sbin', 'usr/bin', 'sbin', 'bin', 'usr/local/sbin', 'usr/local/bin', 'opt/smartstorageadmin/ssacli/bin', 'opt/MegaRAID/storcli', 'opt/MegaRAID/perccli'];

/** Read the shipped snippets. */
export async function loadSnippetTexts(dir = SNIPPETS_DIR): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const name of SNIPPET_NAMES) out.set(name, await readTextFile(`${dir.replace(/\/$/u, '')}/${name}`));
  return out;
}

/** Return the installer a recipe's install section is composed for. */
export function installTarget(recipe: Recipe): InstallTarget {
  if (recipe.kickstart) return kickstartTarget(recipe.kickstart.dialect as KickstartDialect);
  const dialect = recipe.answers?.dialect ?? 'rhel9';
  const format = answerFormat(dialect);
  if (format === 'kickstart') return kickstartTarget(kickstartDialectOf(dialect));
  // Subiquity runs in the live system (squashfs), which does not read files from the initrd.
  return format === 'preseed' ? { format, placement: '' } : { format };
}

function kickstartTarget(dialect: KickstartDialect): InstallTarget {
  const anaconda = dialect !== 'ubuntu' && dialectRank(dialect) >= 7;
  return { format: 'kickstart', dialect, placement: anaconda ? 'updates/' : '' };
}

function inImage(index: InitrdIndex, path: string): boolean {
  const e = index.lookup(resolveParents((p) => index.pathInfo(p), path));
  return e !== undefined && (e.type === 'file' || e.type === 'symlink');
}

/** Find one need's binary; undefined when nothing provides it. */
function resolveNeed(recipe: Recipe, need: InstallNeed, target: InstallTarget, index: InitrdIndex | undefined): ResolvedBinary | undefined {
  const base = { snippet: need.snippet, rule: need.rule };
  for (const name of need.names) {
    const tool = (recipe.install?.tools ?? []).flatMap((t) => t.binaries).find((p) => basename(p) === name);
    if (tool !== undefined) return { ...base, name, path: tool, via: 'install.tools' };
  }
  for (const name of need.names) {
    // A binaries step writes into the initrd root, which is the installer only where nothing is placed under updates/.
    const step = target.placement === '' ? recipe.steps.flatMap((s) => ('binaries' in s ? s.binaries : [])).find((p) => basename(p) === name) : undefined;
    if (step !== undefined) return { ...base, name, path: step, via: 'steps' };
    const dir = index !== undefined && target.placement !== undefined ? BIN_DIRS.find((d) => inImage(index, `${target.placement}${d}/${name}`)) : undefined;
    if (dir !== undefined) return { ...base, name, path: `/${dir}/${name}`, via: 'image' };
    if ((recipe.install?.present ?? []).includes(name)) return { ...base, name, via: 'install.present' };
  }
  return index === undefined ? { ...base, name: need.names[0] as string, via: 'unchecked' } : undefined;
}

function missing(need: InstallNeed, target: InstallTarget): RemasterError {
  const names = need.names.join(' or ');
  const where = target.placement === undefined
    ? 'autoinstall runs in the live system, which has no copy of the initrd: list it in install.present when the live system has it'
    : `add it to install.tools (the binary from a sysroot directory or .deb/.rpm packages)${target.placement === 'updates/' ? ', or list it in install.present when Anaconda\'s stage 2 has it (it ships mdadm)' : ', or list it in install.present when the installer has it'}`;
  return new RemasterError('INSTALL_MISSING_BINARY', `${need.rule} (snippets/${need.snippet}) needs ${names}, which the build does not provide: ${where}`);
}

/**
 * Compose a recipe's install. With the image's index, every needed binary must be found (else
 * INSTALL_MISSING_BINARY); without one (`ks render --recipe`) binaries not named by the recipe run from PATH.
 */
export async function prepareInstall(recipe: Recipe, index?: InitrdIndex, snippets?: ReadonlyMap<string, string>): Promise<PreparedInstall | undefined> {
  const spec = recipe.install;
  if (spec === undefined) return undefined;
  const texts = snippets ?? (await loadSnippetTexts());
  const target = installTarget(recipe);
  if ((spec.tools ?? []).length > 0 && target.placement === undefined) {
    throw new RemasterError('INSTALL_UNSUPPORTED', 'install.tools cannot reach an autoinstall: Subiquity runs in the live system, not in the initrd; list the binaries in install.present');
  }
  const needs = composeInstall(spec, texts, { format: target.format }).needs;
  const binaries: ResolvedBinary[] = [];
  for (const need of needs) {
    const found = resolveNeed(recipe, need, target, index);
    if (found === undefined) throw missing(need, target);
    binaries.push(found);
  }
  const paths = Object.fromEntries(binaries.filter((b) => b.path !== undefined).map((b) => [b.name, b.path as string]));
  const composed = composeInstall(spec, texts, { format: target.format, binaries: paths });
  return { composed, binaries, target };
}

function answerScript(s: InstallScript, dialect: KickstartDialect | undefined): AnswerScript {
  // Kickstart header options the dialect does not know are left out (kickseed's %pre takes only --interpreter).
  const allowed = dialect === undefined ? ['--log', '--erroronfail', '--nochroot'] : scriptOptionsFor(dialect, s.stage);
  return {
    body: s.body, origin: s.origin,
    ...(s.log !== undefined && allowed.includes('--log') ? { log: s.log } : {}),
    ...(s.erroronfail && (dialect === undefined || allowed.includes('--erroronfail')) ? { erroronfail: true } : {}),
    ...(s.nochroot ? { nochroot: true } : {}),
  };
}

/** The install's scripts as answer scripts: pre ones to run before partitioning, post ones after the template's. */
export function installAnswerScripts(install: PreparedInstall): { prePartition: AnswerScript[]; post: AnswerScript[]; includes: string[] } {
  const dialect = install.target.dialect;
  return {
    prePartition: install.composed.scripts.filter((s) => s.stage === 'pre').map((s) => answerScript(s, dialect)),
    post: install.composed.scripts.filter((s) => s.stage === 'post').map((s) => answerScript(s, dialect)),
    includes: install.composed.includes,
  };
}
