/**
 * Secrets for the console and the API, with node:crypto only.
 * - Passwords: scrypt with a random 16-byte salt per user; the parameters are
 *   stored with the hash (`scrypt$N$r$p$salt$hash`, base64url), so they can be
 *   raised later without invalidating old hashes. Verification compares in
 *   constant time (timingSafeEqual) and refuses absurd stored parameters (a
 *   planted hash must not make a login burn unbounded memory).
 * - Tokens, session ids, callback secrets: 32 random bytes (base64url) handed
 *   out once; the store keeps only their SHA-256, which is enough for values
 *   with 256 bits of entropy (no dictionary to attack).
 */
import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { RemasterError } from '../errors.ts';

/** Default scrypt cost: N=2^15, r=8, p=1 (≈32 MiB, the OWASP baseline). */
export const SCRYPT_DEFAULTS = { N: 1 << 15, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
const SALT_BYTES = 16;
/** Largest accepted memory cost (128 * N * r bytes) of a stored hash: 256 MiB. */
const MAX_SCRYPT_MEMORY = 256 << 20;

function scryptAsync(password: string, salt: Buffer, params: ScryptOptions): Promise<Buffer> {
  const maxmem = 128 * (params.N ?? 0) * (params.r ?? 0) + (1 << 20);
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, KEY_BYTES, { ...params, maxmem }, (err, key) => (err ? reject(err) : resolve(key))));
}

/** Hash a password with scrypt and a fresh salt; return the self-describing string to store. */
export async function hashUserPassword(password: string, params: { N: number; r: number; p: number } = SCRYPT_DEFAULTS): Promise<string> {
  if (password.length === 0) throw new RemasterError('STATE_INVALID', 'the password is empty');
  const salt = randomBytes(SALT_BYTES);
  const key = await scryptAsync(password, salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Return true when `password` matches a hash made by hashUserPassword; false for any malformed hash. */
export async function verifyUserPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const sane = [N, r, p].every((v) => Number.isSafeInteger(v) && v > 0) && (N & (N - 1)) === 0 && N > 1 && p <= 16 && 128 * N * r <= MAX_SCRYPT_MEMORY;
  if (!sane) return false;
  const salt = Buffer.from(parts[4] as string, 'base64url');
  const expected = Buffer.from(parts[5] as string, 'base64url');
  if (salt.length === 0 || expected.length !== KEY_BYTES) return false;
  const key = await scryptAsync(password, salt, { N, r, p });
  return timingSafeEqual(key, expected);
}

/** Return a new random secret (token, session id, callback secret): 32 bytes, base64url. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Return the SHA-256 (hex) under which a secret is stored and looked up. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Compare a presented secret with a stored hash in constant time. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
