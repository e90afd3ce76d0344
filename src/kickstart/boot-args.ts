/**
 * lintBootArgs(): the kickstart location on a kernel command line, which is
 * boot configuration rather than kickstart text (reference 05 §1): RHEL 5/6
 * know only `ks=`; RHEL 7/8 accept `ks=` with a deprecation warning;
 * anaconda ≥ 34.24 (RHEL 9+, Fedora 34+) silently ignores `ks=` so the
 * install turns interactive; several `inst.ks=` without `inst.ks.all` use
 * only the last one.
 */
import { lintKind, type LintFinding, type LintIssue } from './lint-types.ts';
import { dialectRank, type KickstartDialect } from './types.ts';

/** Options for lintBootArgs. */
export interface LintBootArgsOptions {
  dialect: KickstartDialect;
  /** Line of the boot entry in its config file (default 1). */
  line?: number;
}

/** Check `ks=` / `inst.ks=` usage on a kernel command line for the dialect. */
export function lintBootArgs(cmdline: string, options: LintBootArgsOptions): LintIssue[] {
  const words = cmdline.trim().split(/\s+/u);
  const line = options.line ?? 1;
  const rank = dialectRank(options.dialect);
  const legacy = words.filter((w) => w === 'ks' || w.startsWith('ks='));
  const modern = words.filter((w) => w === 'inst.ks' || w.startsWith('inst.ks='));
  const issues: LintFinding[] = [];
  if (options.dialect === 'ubuntu') return [];
  if (legacy.length > 0 && rank >= 9) {
    issues.push({ line, severity: 'error', code: 'KS_BOOT_KS_PREFIX', message: `${legacy[0]} is ignored by ${options.dialect} (anaconda ≥ 34.24); use inst.ks=` });
  } else if (legacy.length > 0 && rank >= 7) {
    issues.push({ line, severity: 'warning', code: 'KS_BOOT_KS_PREFIX', message: `${legacy[0]} is deprecated on ${options.dialect}; use inst.ks=` });
  }
  if (modern.length > 0 && rank <= 6) {
    issues.push({ line, severity: 'error', code: 'KS_BOOT_KS_PREFIX', message: `${modern[0]} is not understood by ${options.dialect}; use ks=` });
  }
  if (modern.length > 1 && !words.includes('inst.ks.all')) {
    issues.push({ line, severity: 'warning', code: 'KS_BOOT_KS_MULTIPLE', message: `${modern.length} inst.ks= options without inst.ks.all: only the last one is used` });
  }
  return issues.map((i) => ({ ...i, kind: lintKind(i.code) }));
}
