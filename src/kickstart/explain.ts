/**
 * explainKickstart(): which source produced each line of a rendered kickstart. A node parsed from
 * the template is attributed to its template line; a node built in code to its `origin` (a script
 * file, `install.raid`, `serve`). Inside a script body, lines between `# remaster: begin <origin>`
 * and `# remaster: end <origin>` (the composer's fences around each snippet and each block of
 * recipe variables) are attributed to that origin, innermost first.
 */
import { renderKickstart } from './render.ts';
import { endPolicy, type Kickstart, type KickstartDialect, type KickstartNode } from './types.ts';

/** One line of the rendered text and where it came from. */
export interface ExplainedLine {
  /** Line in the rendered text, counted from 1. */
  line: number;
  origin: string;
  text: string;
}

/** Options for explainKickstart. */
export interface ExplainKickstartOptions {
  /** The same dialect as the render (it decides `%end` and, for rhel5/kickseed, the order). */
  dialect?: KickstartDialect;
  /** Name for template lines (default `template`). */
  template?: string;
}

const BEGIN = /^\s*# remaster: begin (.+?)\s*$/u;
const END = /^\s*# remaster: end (.+?)\s*$/u;

function lines(text: string): string[] {
  const out = text.split('\n');
  if (out.at(-1) === '') out.pop();
  return out.map((l) => l.replace(/\r$/u, ''));
}

/** The nodes in the order renderKickstart writes them. */
function renderOrder(ks: Kickstart, dialect: KickstartDialect | undefined): KickstartNode[] {
  if (dialect === undefined || endPolicy(dialect) !== 'never') return ks.nodes;
  const first = ks.nodes.findIndex((n) => n.kind === 'section');
  if (first < 0) return ks.nodes;
  const head = ks.nodes.slice(0, first);
  const sections: KickstartNode[] = [];
  for (const n of ks.nodes.slice(first)) (n.kind === 'section' ? sections : head).push(n);
  return [...head, ...sections];
}

/** Attribute every line of `renderKickstart(ks, { dialect })` to its source. */
export function explainKickstart(ks: Kickstart, options: ExplainKickstartOptions = {}): ExplainedLine[] {
  const template = options.template ?? 'template';
  const render = options.dialect !== undefined ? { dialect: options.dialect } : {};
  const nodes = renderOrder(ks, options.dialect);
  const out: ExplainedLine[] = [];
  let done = 0;
  for (let i = 0; i < nodes.length; i++) {
    // Rendering every prefix is quadratic but exact: the renderer's line breaks and generated %end
    // lines land where they land in the real output.
    const all = lines(renderKickstart({ ...ks, nodes: nodes.slice(0, i + 1) }, render));
    const node = nodes[i] as KickstartNode;
    const own = node.line > 0 ? undefined : (node.origin ?? 'remaster');
    const fences: string[] = [];
    for (let j = done; j < all.length; j++) {
      const text = all[j] as string;
      const begin = BEGIN.exec(text);
      if (begin) fences.push(begin[1] as string);
      const origin = fences.at(-1) ?? own ?? `${template}:${node.line + (j - done)}`;
      if (!begin && END.test(text)) fences.pop();
      out.push({ line: j + 1, origin, text });
    }
    done = all.length;
  }
  return out;
}
