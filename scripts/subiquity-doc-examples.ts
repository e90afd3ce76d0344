/**
 * Extract the autoinstall examples of Subiquity's documentation into
 * user-data fixtures (fixtures/autoinstall/subiquity/doc/, SOURCE.md there).
 *
 *   node scripts/subiquity-doc-examples.ts SUBIQUITY_CHECKOUT OUTDIR
 *
 * Reads the `.. code-block:: yaml` blocks of the autoinstall pages. A block
 * often shows several alternatives one after another (two `autoinstall:`
 * mappings, or the same section twice: "storage: layout: lvm" then
 * "storage: layout: direct"); each alternative becomes one file. Section
 * examples omit `version`, which every real config needs: `version: 1` is
 * added and the file says so. Blocks that are not whole autoinstall
 * documents (curtin action-list fragments) or hold `...` placeholders are
 * skipped and listed. The text of each example is otherwise unchanged.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const PAGES = ['doc/reference/autoinstall-reference.rst', 'doc/tutorial/creating-autoinstall-configuration.rst', 'doc/tutorial/providing-autoinstall.rst', 'doc/explanation/cloudinit-autoinstall-interaction.rst'];

interface Block { page: string; line: number; lines: string[] }

const indentOf = (s: string): number => s.length - s.trimStart().length;
const isBlank = (s: string): boolean => s.trim() === '';

function blocks(page: string, text: string): Block[] {
  const lines = text.split('\n');
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*)\.\. code-block:: yaml\s*$/u.exec(lines[i] ?? '');
    if (!m) continue;
    const base = m[1]?.length ?? 0;
    let j = i + 1;
    while (j < lines.length && (isBlank(lines[j] ?? '') || (lines[j] ?? '').trimStart().startsWith(':'))) j++;
    const body: string[] = [];
    for (; j < lines.length && (isBlank(lines[j] ?? '') || indentOf(lines[j] ?? '') > base); j++) body.push(lines[j] ?? '');
    const cut = Math.min(...body.filter((l) => !isBlank(l)).map(indentOf));
    out.push({ page, line: i + 1, lines: body.map((l) => l.slice(cut).trimEnd()) });
    i = j - 1;
  }
  return out;
}

/** Split a block into its alternatives: each `autoinstall:` mapping, and each repeated section inside one. */
function alternatives(b: Block): string[][] | string {
  const lines = b.lines;
  if (lines.some((l) => /^\s*\.{3,}\s*$/u.test(l))) return 'holds a "..." placeholder';
  if ((lines.find((l) => !isBlank(l)) ?? '') === '#cloud-config') return [lines];
  const out: string[][] = [];
  let current: string[] | undefined;
  let pending: string[] = [];
  let seen = new Set<string>();
  let sectionIndent = -1;
  for (const l of lines) {
    if (isBlank(l)) { pending = []; if (current) current.push(l); continue; }
    if (/^autoinstall:\s*$/u.test(l)) {
      current = [...pending, l]; out.push(current); pending = []; seen = new Set(); sectionIndent = -1;
      continue;
    }
    if (indentOf(l) === 0 && l.startsWith('#')) { pending.push(l); continue; }
    if (!current) return 'not an autoinstall document (a fragment of a section)';
    if (sectionIndent < 0 && !l.trimStart().startsWith('#')) sectionIndent = indentOf(l);
    const key = indentOf(l) === sectionIndent ? /^\s*([\w-]+):/u.exec(l)?.[1] : undefined;
    if (key !== undefined && seen.has(key)) {
      current = ['autoinstall:', l]; out.push(current); seen = new Set([key]);
      continue;
    }
    if (key !== undefined) seen.add(key);
    current.push(l);
  }
  return out.map((alt) => { while (alt.length > 0 && isBlank(alt.at(-1) ?? '')) alt.pop(); return alt; });
}

/** Make a user-data file: #cloud-config, where it came from, version: 1 when the example has none. */
function userData(alt: string[], source: string): string {
  const lines = [...alt];
  let note = '';
  const head = lines.findIndex((l) => /^autoinstall:\s*$/u.test(l));
  const inner = lines.slice(head + 1).find((l) => !isBlank(l) && !l.trimStart().startsWith('#')) ?? '  x';
  const pad = ' '.repeat(indentOf(inner));
  if (head >= 0 && !lines.slice(head + 1).some((l) => l.startsWith(`${pad}version:`))) {
    lines.splice(head + 1, 0, `${pad}version: 1`);
    note = '; "version: 1" added';
  }
  if (lines[0] === '#cloud-config') lines.shift();
  return ['#cloud-config', `# ${source}${note}`, ...lines, ''].join('\n');
}

const [checkout, outDir] = process.argv.slice(2);
if (checkout === undefined || outDir === undefined) {
  process.stderr.write('usage: node scripts/subiquity-doc-examples.ts SUBIQUITY_CHECKOUT OUTDIR\n');
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });
const skipped: string[] = [];
let written = 0;
for (const page of PAGES) {
  for (const b of blocks(page, readFileSync(join(checkout, page), 'utf8'))) {
    const alts = alternatives(b);
    if (typeof alts === 'string') { skipped.push(`${page}:${b.line}: ${alts}`); continue; }
    alts.forEach((alt, k) => {
      const name = `${basename(page, '.rst')}-L${b.line}${alts.length > 1 ? `-${k + 1}` : ''}.user-data`;
      writeFileSync(join(outDir, name), userData(alt, `from ${page}:${b.line}${alts.length > 1 ? ` (alternative ${k + 1} of ${alts.length})` : ''}`));
      written++;
    });
  }
}
process.stdout.write(`wrote ${written} examples to ${outDir}\n${skipped.map((s) => `skipped ${s}\n`).join('')}`);
