/**
 * Console accounts as library calls (the CLI's `user` and `token` commands
 * and the console's users page use these): users with a role, optional host
 * groups and a scrypt password; API tokens handed out once and stored as
 * their SHA-256 only.
 */
import { randomBytes } from 'node:crypto';
import { RemasterError } from '../errors.ts';
import { hashSecret, hashUserPassword, newSecret, verifyUserPassword } from './password.ts';
import { ROLES, type Role, type Store, type User } from './store.ts';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/u;
const GROUP = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/u;

function checkName(name: string): void {
  if (!NAME.test(name)) throw new RemasterError('USAGE', `user name ${JSON.stringify(name.slice(0, 80))}: letters, digits and . _ @ - only (at most 64)`);
}

/** Throw USAGE unless `role` is a console role. */
export function parseRole(role: string): Role {
  if (!(ROLES as readonly string[]).includes(role)) throw new RemasterError('USAGE', `role must be one of ${ROLES.join(', ')}, got ${JSON.stringify(role.slice(0, 40))}`);
  return role as Role;
}

function checkGroups(groups: readonly string[]): string[] {
  for (const g of groups) if (!GROUP.test(g)) throw new RemasterError('USAGE', `group ${JSON.stringify(g.slice(0, 80))}: letters, digits and . _ - only (at most 64)`);
  return [...new Set(groups)];
}

/** Create a console user; STATE_CONFLICT when the name exists. */
export async function addUser(store: Store, input: { name: string; role: string; groups?: readonly string[]; password: string }): Promise<User> {
  checkName(input.name);
  const role = parseRole(input.role);
  const groups = checkGroups(input.groups ?? []);
  return store.createUser({ name: input.name, role, groups, passwordHash: await hashUserPassword(input.password) });
}

/** Replace a user's password (STATE_NOT_FOUND when absent); their sessions stay until they expire or log out. */
export async function setUserPassword(store: Store, name: string, password: string): Promise<User> {
  return store.updateUser(name, { passwordHash: await hashUserPassword(password) });
}

/** Delete a user with their tokens and sessions; STATE_NOT_FOUND when absent. */
export async function removeUser(store: Store, name: string): Promise<void> {
  if (!(await store.deleteUser(name))) throw new RemasterError('STATE_NOT_FOUND', `no user ${JSON.stringify(name)}`);
}

/** Create an API token for a user; return the token (shown once; only its hash is stored). */
export async function createUserToken(store: Store, user: string, options: { label?: string; expiresAt?: number } = {}): Promise<{ id: string; token: string }> {
  if ((await store.getUser(user)) === undefined) throw new RemasterError('STATE_NOT_FOUND', `no user ${JSON.stringify(user)}`);
  const id = randomBytes(8).toString('hex');
  const token = `rmt_${newSecret()}`;
  await store.createToken({ id, user, hash: hashSecret(token), ...(options.label !== undefined ? { label: options.label } : {}), ...(options.expiresAt !== undefined ? { expiresAt: options.expiresAt } : {}) });
  return { id, token };
}

/** The enabled user a password belongs to, or undefined. */
export async function checkUserPassword(store: Store, name: string, password: string): Promise<User | undefined> {
  const user = NAME.test(name) ? await store.getUser(name) : undefined;
  if (user === undefined || user.disabled) {
    await verifyUserPassword(password, DUMMY_HASH); // same work whether the user exists or not
    return undefined;
  }
  return (await verifyUserPassword(password, user.passwordHash)) ? user : undefined;
}

/** The enabled user a bearer token belongs to (touching the token), or undefined. */
export async function userOfToken(store: Store, token: string): Promise<User | undefined> {
  const t = await store.findToken(hashSecret(token));
  if (t === undefined) return undefined;
  const user = await store.getUser(t.user);
  if (user === undefined || user.disabled) return undefined;
  await store.touchToken(t.id);
  return user;
}

// a valid hash of a random password (N=2^15): unknown users cost as much as known ones
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
