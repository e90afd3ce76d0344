/**
 * planRecipe(): pure decision from prepared inputs to a BuildPlan: removal
 * globs expanded against the image index, every step's entries merged in
 * recipe order (a later step wins), and one initrd edit planned over the
 * whole set. The plan is plain data: `build --dry-run` prints it.
 */
import { RemasterError, type WarnOptions } from '../errors.ts';
import { planInitrdEdit, type InitrdEditPlan } from '../initrd/index.ts';
import { resolveParents, toArchivePath } from '../tree/index.ts';
import { globToRegExp, isGlob } from './glob.ts';
import type { PreparedBuild, PreparedStep } from './prepare.ts';

/** One recipe step as the plan shows it. */
export interface PlanStep {
  index: number;
  kind: PreparedStep['kind'];
  title: string;
  /** Image paths this step adds or replaces (as requested). */
  adds: string[];
  /** Image paths this step removes (globs expanded). */
  removes: string[];
  notes: string[];
}

/** The whole build decision. */
export interface BuildPlan {
  name: string;
  recipeFile: string;
  recipeSha256: string;
  source: { initrd: string; kernel?: string; layout?: string };
  kernelVersions: string[];
  steps: PlanStep[];
  edit: InitrdEditPlan;
  output: { dir: string; initrd: string; kernel?: string; kickstart?: string; answers?: string[]; level?: number };
  /** The kickstart written next to the outputs (dialect, lint warnings). */
  kickstart?: { template: string; dialect: string; warnings: number };
  /** The answers written next to the outputs (and embedded in the initrd). */
  answers?: { template: string; dialect: string; format: string; warnings: number; embedded: string[] };
  /** The install section: snippets composed, scripts by origin, where each needed binary comes from. */
  install?: { snippets: string[]; scripts: string[]; binaries: { snippet: string; name: string; path?: string; via: string }[] };
}

/** Expand removal patterns against the image's paths. */
export function expandRemovals(build: PreparedBuild, patterns: string[]): string[] {
  const out: string[] = [];
  for (const pattern of patterns) {
    if (!isGlob(pattern)) {
      out.push(resolveParents((p) => build.index.pathInfo(p), toArchivePath(pattern)));
      continue;
    }
    const re = globToRegExp(pattern);
    const hits = build.index.entries.filter((e) => e.path !== undefined && re.test(e.path)).map((e) => e.path as string);
    out.push(...new Set(hits));
  }
  return out;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** Module indexes depmod writes next to the modules (modules.dep, modules.alias.bin, …). */
const MODULE_INDEX = /(^|\/)lib\/modules\/[^/]+\/modules\.[^/]+$/u;

function titleOf(step: PreparedStep, adds: readonly string[], removes: number): string {
  const what: Record<PreparedStep['kind'], string> = { files: 'Files', kernelModules: 'Kernel modules', binaries: 'Binaries', firmware: 'Firmware' };
  const indexes = step.kind === 'kernelModules' ? adds.filter((p) => MODULE_INDEX.test(p)).length : 0;
  const noun: Record<PreparedStep['kind'], string> = { files: 'file', kernelModules: 'module', binaries: 'file', firmware: 'firmware file' };
  const parts = [`${plural(adds.length - indexes, noun[step.kind])} to add`];
  if (indexes > 0) parts.push(`${plural(indexes, 'module index')} regenerated`);
  if (removes > 0) parts.push(`${plural(removes, 'path')} to remove`);
  return `${step.label ?? `${what[step.kind]} (step ${step.index + 1})`}: ${parts.join(', ')}`;
}

/** Decide the build from prepared inputs. */
export function planRecipe(build: PreparedBuild, options: WarnOptions = {}): BuildPlan {
  const { recipe } = build;
  const steps: PlanStep[] = [];
  const allAdds = [];
  const allRemoves: string[] = [];
  for (const s of build.steps) {
    const removes = expandRemovals(build, s.removes);
    steps.push({ index: s.index, kind: s.kind, title: titleOf(s, s.adds.map((a) => a.path), removes.length), adds: s.adds.map((a) => a.path), removes, notes: notesOf(s) });
    allAdds.push(...s.adds);
    allRemoves.push(...removes);
  }
  const embedded = build.answers?.embedded ?? [];
  if (embedded.length > 0) {
    steps.push({ index: build.steps.length, kind: 'files', title: `Answers (${build.answers?.format}): ${embedded.map((e) => `/${e.path}`).join(', ')} into the initrd`, adds: embedded.map((e) => e.path), removes: [], notes: [] });
    allAdds.push(...embedded);
  }
  if (allRemoves.length > 0 && recipe.output.mode === 'append') {
    throw new RemasterError('RECIPE_SCHEMA', `this recipe removes files (${allRemoves[0]}…); set output.mode: rebuild, since an appended segment cannot delete`, { file: build.recipeFile });
  }
  const edit = planInitrdEdit(build.index, { add: allAdds, remove: allRemoves }, {
    mode: recipe.output.mode,
    ...options,
    ...(recipe.output.compression ? { compression: recipe.output.compression } : {}),
    ...(build.sourceDateEpoch !== undefined ? { sourceDateEpoch: build.sourceDateEpoch } : {}),
  });
  const plan: BuildPlan = {
    name: recipe.name,
    recipeFile: build.recipeFile,
    recipeSha256: build.recipeSha256,
    source: { initrd: build.source.initrdName },
    kernelVersions: build.index.kernelVersions,
    steps,
    edit,
    output: { dir: recipe.output.dir, initrd: 'initrd.img' },
  };
  if (build.source.kernelName) {
    plan.source.kernel = build.source.kernelName;
    plan.output.kernel = 'vmlinuz';
  }
  if (build.kickstart) {
    plan.output.kickstart = 'ks.cfg';
    plan.kickstart = { template: build.kickstart.template, dialect: build.kickstart.dialect, warnings: build.kickstart.issues.length };
  }
  if (build.answers) {
    plan.output.answers = build.answers.files.map((f) => f.name);
    plan.answers = {
      template: build.answers.template, dialect: build.answers.dialect, format: build.answers.format,
      warnings: build.answers.issues.length, embedded: embedded.map((e) => e.path),
    };
  }
  if (build.install) {
    const { composed, binaries } = build.install;
    plan.install = {
      snippets: composed.snippets,
      scripts: composed.scripts.map((x) => `${x.stage}${x.nochroot ? ' (nochroot)' : ''}: ${x.origin}`),
      binaries: binaries.map((b) => ({ snippet: b.snippet, name: b.name, ...(b.path !== undefined ? { path: b.path } : {}), via: b.via })),
    };
  }
  if (build.source.layout) plan.source.layout = `${build.source.layout.family} ${build.source.layout.version ?? ''}`.trim();
  if (recipe.output.level !== undefined) plan.output.level = recipe.output.level;
  return plan;
}

function notesOf(s: PreparedStep): string[] {
  const notes: string[] = [];
  for (const m of s.modules?.modules ?? []) notes.push(`module ${m.name} (${m.vermagic}) -> ${m.path}`);
  for (const f of s.binaries?.files ?? []) notes.push(`${f.path} (${f.reason})`);
  return notes;
}
