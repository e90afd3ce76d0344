/**
 * Fuzz finding (recipe, seed 1, cases 2787, 14984, ... 85525): a YAML alias
 * with no anchor before it (`source: *a.img`). yaml's parser records no
 * error for it; the ReferenceError comes only from doc.toJS(), which
 * parseRecipe() called unguarded, so the CLI reported an internal error.
 * The same path carries yaml's alias-expansion limit (the "billion laughs"
 * attack), which must also end as a located RECIPE_SYNTAX.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { isRemasterError } from '../../src/errors.ts';
import { parseRecipe } from '../../src/recipe/index.ts';

it('a recipe alias without an anchor is RECIPE_SYNTAX at the alias, not a ReferenceError', () => {
  assert.throws(
    () => parseRecipe('name: x\nsource: *a.img\n', 'r.yaml'),
    (err: unknown) => isRemasterError(err, 'RECIPE_SYNTAX') && err.line === 2 && err.column === 9 && /Unresolved alias/.test(err.message) && err.file === 'r.yaml',
  );
});

it('a recipe alias bomb (billion laughs) is RECIPE_SYNTAX, not a ReferenceError or a memory blow-up', () => {
  const rows = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 9; i++) rows.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
  assert.throws(() => parseRecipe(`${rows.join('\n')}\n`, 'bomb.yaml'), (err: unknown) => isRemasterError(err, 'RECIPE_SYNTAX') && /alias/i.test(err.message));
});
