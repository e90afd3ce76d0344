/**
 * Which sections and script options each dialect accepts.
 *
 * Sources: pykickstart parser.py/sections.py on rhel5-branch and rhel6-branch
 * (%pre, %post, %packages, %traceback; script options --interpreter, --log,
 * --erroronfail, and --nochroot on %post only), pykickstart 3.74 sections.py
 * for RHEL 7+ (%pre-install, %onerror, %addon, %anaconda), reference 06 §1
 * (%certificate is F42+, newer than RHEL 10) and nya3jp/kickseed:kickseed.sh
 * (only %pre, %packages, %post; %post takes --nochroot and --interpreter).
 */
import { dialectRank, type KickstartDialect } from './types.ts';

/** A script section remaster can inject. */
export type ScriptSection = 'pre' | 'post' | 'pre-install' | 'onerror' | 'traceback';

/** Return the section names a dialect's parser accepts. */
export function sectionsFor(dialect: KickstartDialect): readonly string[] {
  if (dialect === 'ubuntu') return ['pre', 'packages', 'post'];
  const base = ['pre', 'post', 'packages', 'traceback'];
  if (dialectRank(dialect) < 7) return base;
  const modern = [...base, 'pre-install', 'onerror', 'addon', 'anaconda'];
  return dialect === 'fedora' ? [...modern, 'certificate'] : modern;
}

/** Return the script header options (`--name` without value) a dialect accepts for a section. */
export function scriptOptionsFor(dialect: KickstartDialect, section: string): readonly string[] {
  if (dialect === 'ubuntu') return section === 'post' ? ['--interpreter', '--nochroot'] : ['--interpreter'];
  const common = ['--interpreter', '--log', '--logfile', '--erroronfail'];
  return section === 'post' ? [...common, '--nochroot'] : common;
}

/** Return the first release that knows a section, for messages. */
export function sectionSince(section: string): string {
  if (section === 'certificate') return 'Fedora 42+';
  if (['pre-install', 'onerror', 'addon', 'anaconda'].includes(section)) return 'RHEL 7+ / Fedora';
  return 'RHEL 5+';
}
