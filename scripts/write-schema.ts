/** Write schema/recipe.schema.json from the zod recipe schema (npm run schema). */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { recipeJsonSchema } from '../src/recipe/schema.ts';

const out = resolve(import.meta.dirname, '../schema/recipe.schema.json');
const schema = { ...recipeJsonSchema(), $id: 'https://remaster.invalid/schema/recipe.schema.json', title: 'remaster recipe' };
writeFileSync(out, `${JSON.stringify(schema, null, 2)}\n`);
process.stdout.write(`wrote ${out}\n`);
