/**
 * The `kernelModules` step. TODO(#4): needs the kmod module (modinfo,
 * vermagic check, depmod indexes) that is being built; until it lands the
 * step refuses to run rather than inject modules modprobe cannot find.
 */
import { RemasterError, type WarnOptions } from '../../errors.ts';
import type { AddSpec } from '../../initrd/index.ts';
import type { KernelModulesStep } from '../schema.ts';

/** What a kernelModules step contributes. */
export interface PreparedModules {
  adds: AddSpec[];
  kernelRelease: string;
  modules: { name: string; path: string; vermagic: string; source: string }[];
}

/** Collect the modules of a step. */
export async function prepareModules(_step: KernelModulesStep, _build: unknown, _options: WarnOptions): Promise<PreparedModules> {
  throw new RemasterError('RECIPE_SCHEMA', 'the kernelModules step is not available in this build yet (issue #4)');
}
