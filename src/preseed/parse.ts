/**
 * parsePreseed(): preseed text to the node model.
 *
 * Format (debconf-set-selections(1); Debian installation guide, appendix B
 * "Creating a preconfiguration file"): `#` starts a comment line; an answer
 * is owner, question and type separated by whitespace, then one whitespace
 * character and the value up to the end of the line (more whitespace belongs
 * to the value); a line ending in `\` continues on the next, and the joined
 * line has the whitespace around the join condensed to one space.
 */
import type { Preseed, PreseedNode } from './types.ts';

/** Options for parsePreseed. */
export interface ParsePreseedOptions {
  file?: string;
}

function physicalLines(text: string): string[] {
  return text === '' ? [] : text.split(/(?<=\n)/u);
}

function stripEol(raw: string): string {
  return raw.replace(/\r?\n$/u, '');
}

/** Parse preseed text; malformed lines become `invalid` nodes for the lint to report. */
export function parsePreseed(text: string, options: ParsePreseedOptions = {}): Preseed {
  const lines = physicalLines(text);
  const nodes: PreseedNode[] = [];
  for (let i = 0; i < lines.length; i++) {
    const first = lines[i] as string;
    const line = i + 1;
    const trimmed = first.trim();
    if (trimmed === '' || trimmed.startsWith('#')) {
      nodes.push({ kind: 'comment', line, raw: first });
      continue;
    }
    let raw = first;
    let logical = stripEol(first);
    while (logical.endsWith('\\') && i + 1 < lines.length) {
      const next = lines[++i] as string;
      raw += next;
      logical = `${logical.slice(0, -1).trimEnd()} ${stripEol(next).trimStart()}`;
    }
    nodes.push(parseAnswer(logical.replace(/^\s+/u, ''), line, raw));
  }
  return { ...(options.file !== undefined ? { file: options.file } : {}), nodes };
}

function parseAnswer(text: string, line: number, raw: string): PreseedNode {
  const m = /^(\S+)\s+(\S+)\s+(\S+)(?:\s([\s\S]*))?$/u.exec(text);
  if (!m) return { kind: 'invalid', line, raw, text };
  return { kind: 'answer', line, raw, owner: m[1] as string, question: m[2] as string, type: m[3] as string, value: m[4] ?? '' };
}

/** Format one answer as a preseed line (without terminator). */
export function formatAnswer(owner: string, question: string, type: string, value: string): string {
  return value === '' ? `${owner} ${question} ${type}` : `${owner} ${question} ${type} ${value}`;
}

/** Render the model to preseed text: parsed nodes print their raw text. */
export function renderPreseedModel(model: Preseed): string {
  let out = '';
  for (const node of model.nodes) {
    if (node.raw !== undefined) {
      out += node.raw;
      continue;
    }
    if (out !== '' && !out.endsWith('\n')) out += '\n';
    out += node.kind === 'answer' ? formatAnswer(node.owner, node.question, node.type, node.value) : node.kind === 'invalid' ? node.text : '';
    out += '\n';
  }
  return out;
}
