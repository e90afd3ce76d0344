/**
 * `remaster user add|passwd|del` and `remaster token create`: console
 * accounts in the state store of `remaster serve` (--state DIR or a
 * postgres:// URL). Passwords come from standard input only (never argv,
 * which other users can read); the token is printed once, as the last line.
 */
import type { Command } from 'commander';
import { RemasterError } from '../../engine.ts';
import { library } from '../library.ts';
import { write, type CliContext } from '../context.ts';
import { stateOption } from './serve.ts';

interface StoreFlags {
  state?: string;
  db?: string;
}

async function withStore<T>(o: StoreFlags, run: (lib: Awaited<ReturnType<typeof library>>, store: Awaited<ReturnType<Awaited<ReturnType<typeof library>>['openStore']>>) => Promise<T>): Promise<T> {
  if (o.state === undefined && o.db === undefined) throw new RemasterError('USAGE', '--state DIR (or a postgres:// URL) or --db URL is required');
  const lib = await library();
  const store = await lib.openStore(stateOption('', o));
  try {
    return await run(lib, store);
  } finally {
    await store.close();
  }
}

/** The first line of standard input (the password), without its line end. */
async function passwordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size > 4096) throw new RemasterError('USAGE', 'the password on standard input is longer than 4096 bytes');
  }
  const password = Buffer.concat(chunks).toString('utf8').split(/\r?\n/u)[0] ?? '';
  if (password === '') throw new RemasterError('USAGE', 'no password on standard input');
  return password;
}

const storeOptions = (c: Command) => c.option('--state <dir|url>', 'state of remaster serve: directory or postgres:// URL').option('--db <url>', 'PostgreSQL URL');

/** Register user and token. */
export function registerUsers(program: Command, cli: CliContext): void {
  const user = program.command('user').description('console users of remaster serve --ui');
  storeOptions(user.command('add').description('add a user (password from standard input)').argument('<name>')
    .requiredOption('--role <role>', 'admin, operator or viewer')
    .option('--group <group>', 'host group the user may see/act on (repeatable; none = all)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .requiredOption('--password-stdin', 'read the password from standard input'))
    .action(async (name: string, o: StoreFlags & { role: string; group: string[] }) => withStore(o, async (lib, store) => {
      const password = await passwordFromStdin();
      const u = await lib.addUser(store, { name, role: o.role, groups: o.group, password });
      await write(cli.stdout, `added ${u.role} ${u.name}${u.groups.length ? ` (groups ${u.groups.join(', ')})` : ''}\n`);
    }));
  storeOptions(user.command('passwd').description('set a user\'s password (from standard input)').argument('<name>')
    .requiredOption('--password-stdin', 'read the password from standard input'))
    .action(async (name: string, o: StoreFlags) => withStore(o, async (lib, store) => {
      await lib.setUserPassword(store, name, await passwordFromStdin());
      await write(cli.stdout, `password of ${name} changed\n`);
    }));
  storeOptions(user.command('del').description('delete a user with their tokens and sessions').argument('<name>'))
    .action(async (name: string, o: StoreFlags) => withStore(o, async (lib, store) => {
      await lib.removeUser(store, name);
      await write(cli.stdout, `deleted ${name}\n`);
    }));
  const token = program.command('token').description('API tokens (Authorization: Bearer) of console users');
  storeOptions(token.command('create').description('create a token for a user; prints it once, as the last line').argument('<user>')
    .option('--label <text>', 'what the token is for'))
    .action(async (name: string, o: StoreFlags & { label?: string }) => withStore(o, async (lib, store) => {
      const t = await lib.createUserToken(store, name, o.label !== undefined ? { label: o.label } : {});
      await write(cli.stdout, `token ${t.id} for ${name} (shown once; stored hashed):\n${t.token}\n`);
    }));
}
