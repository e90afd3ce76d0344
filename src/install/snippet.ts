/**
 * The shipped snippets (snippets/*.sh) and their headers. Every snippet starts with a comment
 * block that says what it does and, in `Key: value` lines, where it runs (Stage), the function
 * the composer calls (Entry), the snippets whose functions it uses (Uses), its inputs, the tools
 * it needs in the image, the binaries the build must provide (Binaries: alternatives separated
 * by `|`) and what it reports. The composer reads Stage, Entry, Uses and Binaries; the rest is
 * for people. Below the header a snippet only defines functions, so composing never runs
 * anything by accident and a test can source one file and call one function.
 */
import { RemasterError } from '../errors.ts';

/** Every shipped snippet, in the order the composer includes libraries. */
export const SNIPPET_NAMES = [
  'report.sh', 'hardware.sh', 'raid-common.sh', 'bootstrap-common.sh',
  'inventory.sh', 'require.sh', 'raid-mdadm.sh', 'raid-ssacli.sh', 'raid-storcli.sh',
  'carry.sh', 'bootstrap-salt.sh', 'bootstrap-puppet.sh', 'bootstrap-ansible.sh',
] as const;

export type SnippetName = (typeof SNIPPET_NAMES)[number];

/** A parsed snippet. */
export interface Snippet {
  name: string;
  /** The first header line after the name: what it does. */
  summary: string;
  stages: string[];
  /** The function the composer calls; undefined for libraries. */
  entry?: string;
  uses: string[];
  /** Binaries the build must provide; each element lists alternatives. */
  binaries: string[][];
  /** Header fields by key (Inputs, Image, Reports, ...), continuation lines joined. */
  fields: Record<string, string>;
  /** The text after the header: function definitions only. */
  body: string;
}

const FIELD = /^#\s{0,2}([A-Z][a-z]+):\s*(.*)$/u;

function words(value: string | undefined): string[] {
  return (value ?? '').split(/\s+/u).filter((w) => w !== '' && !w.startsWith('('));
}

/** Parse a snippet's header; throw INSTALL_SNIPPET when it lacks one. */
export function parseSnippet(name: string, text: string): Snippet {
  const lines = text.split('\n');
  let i = lines[0]?.startsWith('#!') ? 1 : 0;
  const title = lines[i] ?? '';
  if (title !== `# remaster snippet: ${name}`) throw new RemasterError('INSTALL_SNIPPET', `snippets/${name}: the first comment must be "# remaster snippet: ${name}", got "${title}"`);
  const summary = (lines[i + 1] ?? '').replace(/^#\s?/u, '');
  const fields: Record<string, string> = {};
  let last: string | undefined;
  for (i += 1; i < lines.length && (lines[i] as string).startsWith('#'); i++) {
    const l = lines[i] as string;
    const m = FIELD.exec(l);
    if (m) {
      last = m[1] as string;
      fields[last] = m[2] as string;
    } else if (last !== undefined && /^#\s{3,}\S/u.test(l)) {
      fields[last] += ` ${l.replace(/^#\s+/u, '')}`;
    } else {
      last = undefined;
    }
  }
  for (const key of ['Stage', 'Entry', 'Uses', 'Inputs', 'Image', 'Binaries', 'Reports']) {
    if (fields[key] === undefined) throw new RemasterError('INSTALL_SNIPPET', `snippets/${name}: the header has no "${key}:" line`);
  }
  const entry = words(fields.Entry)[0];
  const body = lines.slice(i).join('\n').replace(/^\n+/u, '');
  return {
    name, summary, fields, body,
    stages: words(fields.Stage),
    ...(entry !== undefined ? { entry } : {}),
    uses: words(fields.Uses),
    binaries: words(fields.Binaries).map((w) => w.split('|')),
  };
}
