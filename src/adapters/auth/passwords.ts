import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Passwords: scrypt (memory-hard, in node:crypto — no native dependency). The stored form names
 * the parameters, so they can be raised later and old hashes still verify:
 * `scrypt$<log2 N>$<r>$<p>$<salt b64url>$<hash b64url>`. N = 2^15, r = 8 → 32 MiB per hash.
 */
export type PasswordParams = Readonly<{ logN: number; r: number; p: number }>;
export const DEFAULT_PASSWORD_PARAMS: PasswordParams = { logN: 15, r: 8, p: 1 };
const KEY_LENGTH = 32;

const derive = (password: string, salt: Buffer, { logN, r, p }: PasswordParams) =>
  new Promise<Buffer>((resolve, reject) => {
    const options: ScryptOptions = { N: 2 ** logN, r, p, maxmem: 2 ** logN * r * 128 * 2 };
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key)));
  });

export const hashPassword = async (password: string, params = DEFAULT_PASSWORD_PARAMS): Promise<string> => {
  const salt = randomBytes(16);
  const key = await derive(password, salt, params);
  return ['scrypt', params.logN, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
};

/** False for a wrong password and for a stored value this code cannot read (never throws on input). */
export const verifyPassword = async (password: string, stored: string): Promise<boolean> => {
  const m = /^scrypt\$(\d{1,2})\$(\d{1,2})\$(\d{1,2})\$([\w-]+)\$([\w-]+)$/.exec(stored);
  if (!m) return false;
  const params = { logN: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  if (params.logN < 10 || params.logN > 20 || params.r < 1 || params.p < 1) return false;
  const expected = Buffer.from(m[5]!, 'base64url');
  const key = await derive(password, Buffer.from(m[4]!, 'base64url'), params);
  return key.length === expected.length && timingSafeEqual(key, expected);
};

/** A generated one-time password: 18 random bytes, shown once. */
export const newOneTimePassword = () => randomBytes(18).toString('base64url');
