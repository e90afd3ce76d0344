/**
 * The `binaries` step. TODO(#4): needs the ELF closure resolver that is
 * being built; until it lands the step refuses to run rather than inject a
 * tool without its libraries.
 */
import { RemasterError, type WarnOptions } from '../../errors.ts';
import type { AddSpec } from '../../initrd/index.ts';
import type { BinariesStep } from '../schema.ts';

/** What a binaries step contributes. */
export interface PreparedBinaries {
  adds: AddSpec[];
  files: { path: string; reason: string; source: string }[];
}

/** Collect the binaries of a step with their libraries. */
export async function prepareBinaries(_step: BinariesStep, _build: unknown, _options: WarnOptions): Promise<PreparedBinaries> {
  throw new RemasterError('RECIPE_SCHEMA', 'the binaries step is not available in this build yet (issue #4)');
}
