/**
 * Password hashing for token login: scrypt (node:crypto, async) with a random
 * 16-byte salt. The stored string carries its parameters, so they can be raised
 * later without breaking existing hashes:
 * `scrypt$N=16384,r=8,p=1$<salt base64>$<hash base64>`.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { invalidParameter } from '../domain/errors.ts';

/** Passwords are 8 to 128 characters (Unicode code points). */
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

const COST = { N: 16_384, r: 8, p: 1 };
const SALT_BYTES = 16;
const HASH_BYTES = 32;
const STORED = /^scrypt\$N=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/]+=*)\$([A-Za-z0-9+/]+=*)$/;

function derive(password: string, salt: Buffer, length: number, cost: typeof COST): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; allow twice that so stored parameters up to
  // double today's still verify.
  const options: ScryptOptions = { ...cost, maxmem: 256 * cost.N * cost.r };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, length, options, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/** Throws InvalidParameter unless the password has 8-128 characters. */
export function checkPasswordRules(password: string): void {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH || length > PASSWORD_MAX_LENGTH) {
    throw invalidParameter(
      'Password',
      `it must be ${PASSWORD_MIN_LENGTH}-${PASSWORD_MAX_LENGTH} characters (it has ${length})`,
    );
  }
}

/** The string to store for a password that follows the rules (InvalidParameter otherwise). */
export async function hashPassword(password: string): Promise<string> {
  checkPasswordRules(password);
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, HASH_BYTES, COST);
  return `scrypt$N=${COST.N},r=${COST.r},p=${COST.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/**
 * Whether `password` is the one `stored` was made from, compared in constant
 * time. A stored string in an unknown format is a corrupt row: that throws.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const match = STORED.exec(stored);
  if (!match) throw new Error('stored password hash has an unknown format');
  const [, n = '', r = '', p = '', salt = '', hash = ''] = match;
  const expected = Buffer.from(hash, 'base64');
  const actual = await derive(password, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return timingSafeEqual(actual, expected);
}
