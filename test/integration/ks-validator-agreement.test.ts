/**
 * `ks lint` against pykickstart's ksvalidator (the validator Anaconda's
 * tests use) on every kickstart under fixtures/kickstart/: the hand-written
 * fixtures and corpus/ (one small file per command form, across releases).
 *
 * Verdict, defined precisely:
 * - ksvalidator's verdict is its exit status for `ksvalidator -v VERSION FILE`
 *   run from fixtures/kickstart/ (so `%ksappend` paths resolve as they would
 *   for a user there): non-zero = rejected. Its status counts parse errors
 *   and also the warnings it turns into errors (deprecated commands and
 *   options, duplicate definitions: KickstartParseWarning and
 *   KickstartDeprecationWarning).
 * - remaster's verdict is `failsValidator(issues)`: the file is rejected when
 *   any issue has kind `syntax` (errors and the deprecation/duplicate
 *   warnings). The `unattended` kind (the install would stop: no time zone,
 *   no storage, no source...) and `advice` are remaster's own and are
 *   counted apart; they never change the verdict.
 *
 * Versions: RHEL6, RHEL7, RHEL8, RHEL9, RHEL10 and the newest Fedora
 * pykickstart knows (F45, remaster's `fedora`). RHEL5 is not compared:
 * pykickstart 3.74 accepts `%end` for it, RHEL 5's own parser breaks on it
 * (reference 06 §2), and remaster follows RHEL 5.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { expandKsappend, failsValidator, lintKickstartText, type KickstartDialect } from '../../src/index.ts';
import { ksvalidate, requireKsvalidator } from '../helpers/ksvalidator.ts';

const DIR = resolve(import.meta.dirname, '../../fixtures/kickstart');
const VERSIONS: Readonly<Record<string, KickstartDialect>> = { RHEL6: 'rhel6', RHEL7: 'rhel7', RHEL8: 'rhel8', RHEL9: 'rhel9', RHEL10: 'rhel10', F45: 'fedora' };

function kickstarts(): string[] {
  const top = readdirSync(DIR).filter((f) => f.endsWith('.ks'));
  const corpus = readdirSync(join(DIR, 'corpus')).filter((f) => f.endsWith('.ks')).map((f) => join('corpus', f));
  return [...top, ...corpus].sort();
}

function remasterRejects(file: string, dialect: KickstartDialect): { rejects: boolean; lines: string[] } {
  const read = (p: string): string | undefined => (existsSync(join(DIR, p)) ? readFileSync(join(DIR, p), 'utf8') : undefined);
  const expanded = expandKsappend(readFileSync(join(DIR, file), 'utf8'), read);
  const issues = [...expanded.issues, ...lintKickstartText(expanded.text, { dialect, file })];
  return { rejects: failsValidator(issues), lines: issues.filter((i) => i.kind === 'syntax').map((i) => `${i.line}: ${i.message} [${i.code}]`) };
}

test('ks lint and ksvalidator agree on every kickstart under fixtures/kickstart/, per version', async (t) => {
  if (!requireKsvalidator(t)) return;
  const files = kickstarts();
  assert.ok(files.filter((f) => f.startsWith('corpus/')).length >= 100, 'the corpus has at least 100 kickstarts');
  const records = await ksvalidate(Object.keys(VERSIONS), files, DIR);
  assert.equal(records.length, files.length * Object.keys(VERSIONS).length);
  const disagreements: string[] = [];
  for (const [version, dialect] of Object.entries(VERSIONS)) {
    const mine = records.filter((r) => r.version === version);
    let agree = 0;
    let rejected = 0;
    for (const r of mine) {
      const ours = remasterRejects(r.file, dialect);
      const theirs = r.rc !== 0;
      if (theirs) rejected++;
      if (ours.rejects === theirs) agree++;
      else disagreements.push(`${version} ${r.file}: ksvalidator ${theirs ? 'rejects' : 'accepts'} (${r.messages.join(' / ')}), remaster ${ours.rejects ? 'rejects' : 'accepts'} (${ours.lines.join(' / ')})`);
    }
    t.diagnostic(`${version}: ${agree}/${mine.length} verdicts agree (${((100 * agree) / mine.length).toFixed(1)} %); ksvalidator rejects ${rejected}`);
  }
  assert.deepEqual(disagreements, []);
});
