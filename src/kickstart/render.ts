/**
 * renderKickstart(): the node model back to text.
 *
 * Parsed nodes print their `raw` text, so an unchanged model reproduces the
 * input byte for byte. Nodes built in code are formatted with the file's line
 * terminator and shell quoting. With a dialect, `%end` follows reference 06
 * §2: never for rhel5 and Ubuntu kickseed (whose parsers treat `%end` as script
 * text or a package name), always for rhel6 (optional there, harmless) and
 * rhel7+ / Fedora (mandatory since pykickstart r1.75).
 */
import { endPolicy, type EndPolicy, type Kickstart, type KickstartDialect, type KickstartNode, type KickstartSection } from './types.ts';
import { joinWords } from './words.ts';

/** Options for renderKickstart. */
export interface RenderKickstartOptions {
  /** Target dialect; without it `%end` lines are kept exactly as modelled. */
  dialect?: KickstartDialect;
}

/** Format a command node as one line (without terminator). */
export function formatCommand(name: string, args: readonly string[], comment = ''): string {
  return `${args.length > 0 ? `${name} ${joinWords(args)}` : name}${comment}`;
}

/** Format a section header such as `%post --nochroot --log=/x` (without terminator). */
export function formatSectionHeader(name: string, args: readonly string[]): string {
  return args.length > 0 ? `%${name} ${joinWords(args)}` : `%${name}`;
}

class Output {
  text = '';
  readonly eol: string;
  constructor(eol: string) {
    this.eol = eol;
  }
  /** Append original text as is. */
  raw(s: string): void {
    this.text += s;
  }
  /** Append a generated line, starting a new line first when needed. */
  line(s: string): void {
    this.breakLine();
    this.text += s + this.eol;
  }
  breakLine(): void {
    if (this.text !== '' && !this.text.endsWith('\n')) this.text += this.eol;
  }
}

/** Render the model to kickstart text. */
export function renderKickstart(ks: Kickstart, options: RenderKickstartOptions = {}): string {
  const policy: EndPolicy | 'keep' = options.dialect ? endPolicy(options.dialect) : 'keep';
  const out = new Output(ks.eol);
  const nodes = policy === 'never' ? commandsFirst(ks.nodes) : ks.nodes;
  for (const node of nodes) {
    if (node.kind === 'section') renderSection(out, node, policy);
    else if (node.kind === 'stray-end' && policy === 'never') continue;
    else if (node.raw !== undefined && !(policy !== 'keep' && isContinued(node))) out.raw(node.raw);
    else out.line(formatNode(node));
  }
  return out.text;
}

/** Installers read one command per line, so a dialect render joins `\`-continued commands. */
function isContinued(node: KickstartNode): boolean {
  return node.kind === 'command' && node.raw !== undefined && /\\\r?\n./su.test(node.raw);
}

function formatNode(node: Exclude<KickstartNode, KickstartSection>): string {
  switch (node.kind) {
    case 'blank': return '';
    case 'comment': return node.text;
    case 'command': return formatCommand(node.name, node.args, node.comment);
    case 'include': return `%${node.directive} ${joinWords([node.path])}`;
    case 'stray-end': return '%end';
  }
}

function renderSection(out: Output, node: KickstartSection, policy: EndPolicy | 'keep'): void {
  if (node.raw !== undefined) out.raw(node.raw);
  else out.line(formatSectionHeader(node.name, node.args));
  if (node.raw === undefined) out.breakLine();
  const emit = policy === 'keep' ? node.end !== undefined : policy !== 'never';
  if (!emit || node.end?.raw !== undefined) {
    out.raw(node.body);
    if (emit && node.end?.raw !== undefined) {
      out.breakLine();
      out.raw(node.end.raw);
    }
    return;
  }
  // A generated %end goes before the blank lines that separated sections.
  const trailing = /(?:^|\n)((?:[ \t]*\r?\n)*)$/u.exec(node.body)?.[1] ?? '';
  out.raw(node.body.slice(0, node.body.length - trailing.length));
  out.line('%end');
  out.raw(trailing);
}

/**
 * Move command-section nodes that follow a section in front of the first
 * section: without `%end`, RHEL 5 and kickseed would read them as script
 * lines (reference 06 §5). Sections keep their relative order.
 */
function commandsFirst(nodes: readonly KickstartNode[]): KickstartNode[] {
  const first = nodes.findIndex((n) => n.kind === 'section');
  if (first < 0) return [...nodes];
  const head = nodes.slice(0, first);
  const sections: KickstartNode[] = [];
  for (const n of nodes.slice(first)) (n.kind === 'section' ? sections : head).push(n);
  return [...head, ...sections];
}
