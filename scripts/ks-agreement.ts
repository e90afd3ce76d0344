/**
 * Verdict agreement between `ks lint` and pykickstart's ksvalidator on a
 * directory of kickstarts (e.g. a checkout of Anaconda's kickstart-tests with
 * its fragments expanded), as test/integration/ks-validator-agreement.test.ts
 * defines it: ksvalidator's exit status against failsValidator(). Run from the
 * project root with the oracle beside it:
 *
 *   node scripts/ks-agreement.ts DIR [RHEL6,RHEL7,RHEL8,RHEL9,F45] [-v]
 *
 * `%ksappend` paths resolve relative to DIR for both.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expandKsappend, failsValidator, lintKickstartText, type KickstartDialect } from '../src/index.ts';
import { ksvalidate } from '../test/helpers/ksvalidator.ts';

const DIALECTS: Readonly<Record<string, KickstartDialect>> = { RHEL5: 'rhel5', RHEL6: 'rhel6', RHEL7: 'rhel7', RHEL8: 'rhel8', RHEL9: 'rhel9', RHEL10: 'rhel10', F45: 'fedora' };
const [dirArg, versionArg = 'RHEL6,RHEL7,RHEL8,RHEL9,F45', flag] = process.argv.slice(2);
if (dirArg === undefined) throw new Error('usage: node scripts/ks-agreement.ts DIR [VERSIONS] [-v]');
const dir = resolve(dirArg);
const files = readdirSync(dir).filter((f) => /\.ks(?:\.in)?$|\.cfg$/u.test(f)).sort();
const versions = versionArg.split(',');
const records = await ksvalidate(versions, files, dir);
for (const version of versions) {
  const dialect = DIALECTS[version];
  if (dialect === undefined) throw new Error(`no remaster dialect for ${version}`);
  let agree = 0;
  const mine = records.filter((r) => r.version === version);
  for (const r of mine) {
    const read = (p: string) => (existsSync(join(dir, p)) ? readFileSync(join(dir, p), 'utf8') : undefined);
    const expanded = expandKsappend(readFileSync(join(dir, r.file), 'utf8'), read);
    const issues = [...expanded.issues, ...lintKickstartText(expanded.text, { dialect, unattended: false })];
    if (failsValidator(issues) === (r.rc !== 0)) agree++;
    else if (flag === '-v') process.stdout.write(`${version} ${r.file}: ksvalidator rc=${r.rc} (${r.messages.slice(0, 3).join(' / ')}); remaster ${failsValidator(issues) ? 'rejects' : 'accepts'}\n`);
  }
  process.stdout.write(`${version}: ${agree}/${mine.length} verdicts agree (${((100 * agree) / mine.length).toFixed(1)} %)\n`);
}
