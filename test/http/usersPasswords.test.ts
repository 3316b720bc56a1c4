// The password KDF on its own: scrypt with its parameters in the stored form; malformed or
// out-of-range stored values verify as false instead of throwing.
import t from 'tap';
import { hashPassword, newOneTimePassword, verifyPassword } from '../../src/adapters/auth/passwords.js';

t.test('scrypt hashes carry their parameters and a fresh salt', async (t) => {
  const a = await hashPassword('correct horse battery');
  const b = await hashPassword('correct horse battery');
  t.match(a, /^scrypt\$15\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
  t.not(a, b, 'a fresh salt each time');
  t.ok(await verifyPassword('correct horse battery', a));
  t.notOk(await verifyPassword('correct horse battery!', a));
  const cheap = await hashPassword('another password', { logN: 10, r: 8, p: 1 });
  t.match(cheap, /^scrypt\$10\$/);
  t.ok(await verifyPassword('another password', cheap), 'older parameters still verify');
  t.ok(await verifyPassword('cafe\u0301 password', await hashPassword('café password')), 'compared in NFC');
});

t.test('stored values this code cannot read verify as false', async (t) => {
  const good = await hashPassword('some password 1', { logN: 10, r: 8, p: 1 });
  const [, , r, p, salt, hash] = good.split('$');
  for (const stored of ['', 'plain', `bcrypt$10$8$1$${salt}$${hash}`, `scrypt$9$${r}$${p}$${salt}$${hash}`, `scrypt$21$${r}$${p}$${salt}$${hash}`, `scrypt$10$0$${p}$${salt}$${hash}`, `scrypt$10$${r}$0$${salt}$${hash}`, `scrypt$10$${r}$${p}$${salt}$AAAA`]) {
    t.equal(await verifyPassword('some password 1', stored), false, stored.slice(0, 20) || '(empty)');
  }
});

t.test('one-time passwords are random, 24 URL-safe characters', async (t) => {
  const seen = new Set(Array.from({ length: 50 }, newOneTimePassword));
  t.equal(seen.size, 50);
  for (const p of seen) t.match(p, /^[\w-]{24}$/);
});
