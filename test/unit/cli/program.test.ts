/**
 * The lazy command table: a command line that names a command loads only that command's module,
 * so every top-level command must be listed there, or its name would load nothing of it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commandOf, createProgram } from '../../../src/cli/program.ts';

test('every command the full program registers is registered when a command line names it', async () => {
  const all = (await createProgram(undefined, undefined)).commands.map((c) => c.name());
  assert.ok(all.length > 20, `only ${all.length} commands`);
  for (const name of all) {
    const only = (await createProgram(undefined, ['node', 'remaster', name])).commands.map((c) => c.name());
    assert.ok(only.includes(name), `${name} is missing from the lazy command table (src/cli/program.ts COMMANDS)`);
    assert.ok(only.length < all.length, `naming ${name} loaded every command module`);
  }
});

test('the command is the first operand after global options and their values', () => {
  assert.equal(commandOf(['node', 'remaster', '--max-entries', '100', 'ls', 'x']), 'ls');
  assert.equal(commandOf(['node', 'remaster', '-q', '--debug', 'inspect']), 'inspect');
  assert.equal(commandOf(['node', 'remaster', '--strict']), undefined);
});
