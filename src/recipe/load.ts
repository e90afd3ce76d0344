/**
 * loadRecipe(): YAML text to a validated Recipe. Syntax errors and schema
 * errors both end as RemasterError with the recipe's file, line and column
 * and the key path (`steps[2].kernelModules must be a list ...`), found from
 * the YAML node range of the failing path (eemeli/yaml LineCounter).
 */
import { LineCounter, parseDocument, isNode, isMap, isScalar, visit, type Document } from 'yaml';
import type { z } from 'zod';
import { RemasterError } from '../errors.ts';
import { readFileChunks } from '../io/index.ts';
import { binariesStep, filesStep, firmwareStep, kernelModulesStep, recipeSchema, type Recipe } from './schema.ts';

/** Render a zod path as `steps[2].kernelModules[0]`. */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out || '(recipe)';
}

function position(doc: Document, counter: LineCounter, path: readonly PropertyKey[], key?: string): { line: number; column: number } {
  if (key !== undefined) {
    const map = doc.getIn(path as (string | number)[], true);
    const pair = isMap(map) ? map.items.find((p) => isScalar(p.key) && p.key.value === key) : undefined;
    if (pair && isScalar(pair.key) && pair.key.range) {
      const { line, col } = counter.linePos(pair.key.range[0]);
      return { line, column: col };
    }
  }
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as (string | number)[], true);
    if (isNode(node) && node.range) {
      const { line, col } = counter.linePos(node.range[0]);
      return { line, column: col };
    }
  }
  return { line: 1, column: 1 };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = formatKeyPath(issue.path);
  if (issue.code === 'unrecognized_keys') return `${where} has unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
  if (issue.code === 'invalid_type') return `${where} must be ${issue.expected === 'array' ? 'a list' : `a ${issue.expected}`}${received(issue)}`;
  if (issue.code === 'invalid_union' && issue.path[0] === 'steps') return `${where} is not a known step or value: a step has exactly one of files, kernelModules, binaries, firmware (with their options)`;
  if (issue.code === 'invalid_union') return `${where} matches none of its accepted forms`;
  return `${where}: ${issue.message}`;
}

function received(issue: z.core.$ZodIssue): string {
  const m = /received (\w+)/.exec(issue.message);
  return m ? `, got ${m[1] === 'array' ? 'a list' : `a ${m[1]}`}` : '';
}

/** Parse and validate recipe text; `file` names it in errors. */
export function parseRecipe(text: string, file: string): Recipe {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const { line, col } = counter.linePos(syntax.pos[0]);
    throw new RemasterError('RECIPE_SYNTAX', `YAML syntax error: ${syntax.message.split('\n')[0]}`, { file, line, column: col });
  }
  const value = toJS(doc, counter, file);
  const result = recipeSchema.safeParse(value);
  if (!result.success) {
    const issue = unionIssue(stepIssue(value, result.error.issues[0] as z.core.$ZodIssue));
    const key = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
    const pos = position(doc, counter, issue.path, key);
    throw new RemasterError('RECIPE_SCHEMA', describeIssue(issue), { file, ...pos });
  }
  return result.data;
}

/**
 * Convert the document to plain values. yaml reports an alias without an earlier anchor (`*a`) and an alias
 * expansion past maxAliasCount (the "billion laughs" attack) only here, by throwing a ReferenceError.
 */
function toJS(doc: Document, counter: LineCounter, file: string): unknown {
  try {
    return doc.toJS() as unknown;
  } catch (err) {
    let at: number | undefined;
    visit(doc, {
      Alias(_, node) {
        if (node.resolve(doc) !== undefined) return undefined;
        at = node.range?.[0];
        return visit.BREAK;
      },
    });
    const pos = at === undefined ? {} : { line: counter.linePos(at).line, column: counter.linePos(at).col };
    const detail = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new RemasterError('RECIPE_SYNTAX', `YAML error: ${detail}`, { file, ...pos }, { cause: err });
  }
}

const STEP_SCHEMAS = [
  ['kernelModules', kernelModulesStep],
  ['binaries', binariesStep],
  ['firmware', firmwareStep],
  ['files', filesStep],
] as const;

/**
 * A union error outside the steps (`install.raid.disks: 2 | [names]`): a union of literals becomes
 * "must be one of"; otherwise the branch issue that got deepest into the value is the useful one.
 */
function unionIssue(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== 'invalid_union' || issue.path[0] === 'steps') return issue;
  const branches = issue.errors;
  const literals = branches.map((b) => (b.length === 1 && b[0]?.code === 'invalid_value' && b[0].path.length === 0 ? b[0].values : undefined));
  if (literals.length > 0 && literals.every((v) => v !== undefined)) {
    return { code: 'custom', path: issue.path, input: issue.input, message: `must be one of ${literals.flat().map((v) => JSON.stringify(v)).join(', ')}` } as z.core.$ZodIssue;
  }
  const best = branches.flat().reduce<z.core.$ZodIssue | undefined>((a, b) => (a === undefined || b.path.length > a.path.length ? b : a), undefined);
  if (best === undefined || best.path.length === 0) return issue;
  return unionIssue({ ...best, path: [...issue.path, ...best.path] } as z.core.$ZodIssue);
}

/** A union error on a step says little; validate the step against the schema its key names instead. */
function stepIssue(value: unknown, issue: z.core.$ZodIssue): z.core.$ZodIssue {
  const [head, index] = issue.path;
  if (head !== 'steps' || typeof index !== 'number') return issue;
  const stepValue = (value as { steps?: unknown[] }).steps?.[index];
  if (typeof stepValue !== 'object' || stepValue === null) return issue;
  const found = STEP_SCHEMAS.find(([key]) => key in stepValue);
  if (!found) return issue;
  const inner = found[1].safeParse(stepValue);
  if (inner.success) return issue;
  const first = inner.error.issues[0] as z.core.$ZodIssue;
  return { ...first, path: ['steps', index, ...first.path] } as z.core.$ZodIssue;
}

/** Read, parse and validate a recipe file; return the recipe and its text (hashed into manifests). */
export async function loadRecipe(file: string): Promise<{ recipe: Recipe; text: string }> {
  const parts: Uint8Array[] = [];
  for await (const c of readFileChunks(file)) parts.push(c.slice());
  const text = Buffer.concat(parts).toString('utf8');
  return { recipe: parseRecipe(text, file), text };
}
