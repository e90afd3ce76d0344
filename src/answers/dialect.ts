/**
 * Answer-file dialects: the target installer decides the format.
 * `rhel5`…`rhel10` and `fedora` → anaconda kickstart; `debian` (any
 * release, `debian12`…) → debian-installer preseed; `ubuntu` (20.04 and
 * later, `ubuntu22.04`…) → Subiquity autoinstall; `ubuntu18.04` and older →
 * the d-i based installer's kickstart subset (kickseed, reference 06 §5).
 */
import { RemasterError } from '../errors.ts';
import type { KickstartDialect } from '../kickstart/index.ts';

/** The format an installer reads. */
export type AnswerFormat = 'kickstart' | 'preseed' | 'autoinstall';

/** Every dialect the CLI offers by name (others of the forms `debianN`, `ubuntuYY.MM` are accepted too). */
export const ANSWER_DIALECTS = [
  'rhel5', 'rhel6', 'rhel7', 'rhel8', 'rhel9', 'rhel10', 'fedora',
  'debian', 'debian11', 'debian12', 'debian13',
  'ubuntu', 'ubuntu18.04', 'ubuntu20.04', 'ubuntu22.04', 'ubuntu24.04',
] as const;

/** A dialect name: one of ANSWER_DIALECTS or another `debianN` / `ubuntuYY.MM`. */
export type AnswerDialect = string;

const KICKSTART = /^(?:rhel(?:[5-9]|10)|fedora)$/u;
const DEBIAN = /^debian(?:\d{1,2})?$/u;
const UBUNTU = /^ubuntu(?:(\d{2})\.(\d{2}))?$/u;

/** Return the answer format of a dialect; throw USAGE for an unknown name. */
export function answerFormat(dialect: AnswerDialect): AnswerFormat {
  if (KICKSTART.test(dialect)) return 'kickstart';
  if (DEBIAN.test(dialect)) return 'preseed';
  const ubuntu = UBUNTU.exec(dialect);
  if (ubuntu) return ubuntu[1] !== undefined && Number(ubuntu[1]) < 20 ? 'kickstart' : 'autoinstall';
  throw new RemasterError('USAGE', `unknown installer dialect "${dialect}" (expected rhel5…rhel10, fedora, debian[N] or ubuntu[YY.MM])`);
}

/** Return true when the name is a known dialect form. */
export function isAnswerDialect(value: string): boolean {
  return KICKSTART.test(value) || DEBIAN.test(value) || UBUNTU.test(value);
}

/** The kickstart dialect of a kickstart-format answer dialect (Ubuntu before 20.04 is kickseed). */
export function kickstartDialectOf(dialect: AnswerDialect): KickstartDialect {
  if (answerFormat(dialect) !== 'kickstart') throw new RemasterError('USAGE', `${dialect} does not read kickstart files`);
  return dialect.startsWith('ubuntu') ? 'ubuntu' : (dialect as KickstartDialect);
}

/** The answer file names a format is published as, main file first. */
export function answerFileNames(format: AnswerFormat): readonly string[] {
  if (format === 'kickstart') return ['ks.cfg'];
  if (format === 'preseed') return ['preseed.cfg'];
  return ['user-data', 'meta-data'];
}
