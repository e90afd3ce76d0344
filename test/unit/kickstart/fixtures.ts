/** The kickstart fixtures and the dialect each one targets (fixtures/kickstart/README.md). */
import { readFile } from 'node:fs/promises';
import type { KickstartDialect } from '../../../src/index.ts';

export const FIXTURE_DIR = new URL('../../../fixtures/kickstart/', import.meta.url);

/** Fixture name (without `.ks`) to the dialect its golden lint result is for. */
export const FIXTURES: Readonly<Record<string, KickstartDialect>> = {
  rhel5: 'rhel5',
  rhel6: 'rhel6',
  rhel7: 'rhel7',
  rhel8: 'rhel8',
  rhel9: 'rhel9',
  ubuntu: 'ubuntu',
  'ubuntu-from-rhel6': 'ubuntu',
  'rhel9-mistakes': 'rhel9',
};

/** Read a fixture's text. */
export function readFixture(name: string): Promise<string> {
  return readFile(new URL(name, FIXTURE_DIR), 'utf8');
}
