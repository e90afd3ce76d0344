/**
 * SHA-512 crypt (`$6$`) for `rootpw --iscrypted` and `user --iscrypted`.
 *
 * Format and algorithm: Ulrich Drepper, "Unix crypt using SHA-256 and
 * SHA-512" (crypt(5)); reference 06 §7. The hashing is unixcrypt's (reference
 * 09: matches `openssl passwd -6` including non-ASCII and `rounds=`). Salts are
 * up to 16 characters of `./0-9A-Za-z`; rounds are clamped to 1000…999999999
 * and written only when given, as glibc does.
 */
import { randomBytes } from 'node:crypto';
import { encrypt } from 'unixcrypt';
import { emitWarning, makeWarning, RemasterError, type WarnOptions } from '../errors.ts';
import type { Kickstart, KickstartCommand, KickstartNode } from './types.ts';

/** crypt(3)'s base-64 alphabet. */
const CRYPT_ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SALT_MAX_CHARS = 16;
const ROUNDS_MIN = 1000;
const ROUNDS_MAX = 999_999_999;

/** Options for hashPassword. */
export interface HashPasswordOptions {
  /** Salt of `./0-9A-Za-z` characters (longer ones are cut to 16); random when absent. */
  salt?: string;
  /** SHA-512 rounds (default 5000, not written); clamped to 1000…999999999. */
  rounds?: number;
}

/** Return 16 random salt characters. */
export function randomSalt(): string {
  return [...randomBytes(SALT_MAX_CHARS)].map((b) => CRYPT_ALPHABET[b & 63]).join('');
}

/** Hash a password as SHA-512 crypt: `$6$salt$hash` or `$6$rounds=N$salt$hash`. */
export function hashPassword(plain: string, options: HashPasswordOptions = {}): string {
  const salt = (options.salt ?? randomSalt()).slice(0, SALT_MAX_CHARS);
  if (salt === '' || [...salt].some((ch) => !CRYPT_ALPHABET.includes(ch))) {
    throw new RemasterError('USAGE', `salt must be 1 to 16 characters of ./0-9A-Za-z, got ${JSON.stringify(options.salt)}`);
  }
  let prefix = '$6$';
  if (options.rounds !== undefined) {
    if (!Number.isInteger(options.rounds)) throw new RemasterError('USAGE', `rounds must be an integer, got ${options.rounds}`);
    prefix += `rounds=${Math.min(ROUNDS_MAX, Math.max(ROUNDS_MIN, options.rounds))}$`;
  }
  return encrypt(plain, `${prefix}${salt}`);
}

/** Options for securePasswords. */
export interface SecurePasswordsOptions extends HashPasswordOptions, WarnOptions {}

/** Return the rewritten args of a rootpw/user command holding a plaintext password, or undefined. */
function secureArgs(c: KickstartCommand, options: HashPasswordOptions): string[] | undefined {
  if (c.args.includes('--iscrypted')) return undefined;
  const args = c.args.filter((a) => a !== '--plaintext');
  if (c.name === 'rootpw') {
    const at = args.findIndex((a) => !a.startsWith('--'));
    if (at < 0) return undefined;
    const rest = args.filter((_, i) => i !== at);
    return ['--iscrypted', hashPassword(args[at] as string, options), ...rest];
  }
  const at = args.findIndex((a) => a === '--password' || a.startsWith('--password='));
  if (c.name !== 'user' || at < 0) return undefined;
  const inline = (args[at] as string).startsWith('--password=');
  const plain = inline ? (args[at] as string).slice('--password='.length) : args[at + 1];
  if (plain === undefined) return undefined;
  const out = args.filter((_, i) => i !== at && (inline || i !== at + 1));
  out.splice(at, 0, `--password=${hashPassword(plain, options)}`);
  return [...out, '--iscrypted'];
}

/** Replace plaintext `rootpw` and `user --password` values by `--iscrypted` `$6$` hashes, warning once per command. */
export function securePasswords(ks: Kickstart, options: SecurePasswordsOptions = {}): Kickstart {
  const nodes = ks.nodes.map((node): KickstartNode => {
    if (node.kind !== 'command' || (node.name !== 'rootpw' && node.name !== 'user')) return node;
    const args = secureArgs(node, options);
    if (args === undefined) return node;
    const ctx = { ...(ks.file !== undefined ? { file: ks.file } : {}), line: node.line };
    emitWarning(options, makeWarning('KICKSTART_PLAINTEXT_PASSWORD', `${node.name}: plaintext password replaced by a SHA-512 crypt hash (--iscrypted)`, ctx));
    const { raw: _raw, ...rest } = node;
    return { ...rest, args };
  });
  return { ...ks, nodes };
}
