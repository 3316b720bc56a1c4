import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { loadOrCreateKeyFile, newMasterKey } from '../../src/adapters/vault/keyFiles.js';
import { sqlVault } from '../../src/adapters/vault/sqlVault.js';
import { SecretDestroyedError, SecretNotFoundError } from '../../src/domain/ports/vault.js';
import type { Database } from '../../src/domain/ports/sql.js';
import { embeddedDatabase, serverDatabase } from '../support/postgres.js';

const dumpVault = async (db: Database) =>
  JSON.stringify([
    (await db.query('SELECT * FROM vault_data_keys')).rows,
    (await db.query('SELECT * FROM vault_secrets')).rows,
  ]);

for (const [label, makeDb] of [
  ['PostgreSQL server', (t: Test) => serverDatabase(t)],
  ['PGlite', (t: Test) => embeddedDatabase(t)],
] as const) {
  t.test(`${label}: sealed values and stored secrets round-trip; nothing is stored in clear`, async (t) => {
    const db = await makeDb(t);
    const vault = sqlVault({ db, masterKey: randomBytes(32) });
    const plaintext = `refresh-token-${randomUUID()}`;
    const sealed = await vault.seal('order-1', plaintext);
    t.notMatch(sealed, plaintext);
    t.equal(await vault.open('order-1', sealed), plaintext);
    await t.rejects(vault.open('order-2', sealed), 'bound to its owner');
    const ref = await vault.storeSecret('authorization-1', plaintext);
    t.equal(await vault.readSecret(ref), plaintext);
    t.notMatch(await dumpVault(db), plaintext, 'the tables hold no plaintext');
    await vault.deleteSecret(ref);
    await t.rejects(vault.readSecret(ref), SecretNotFoundError);
  });

  t.test(`${label}: destroying an owner's key makes its secrets unrecoverable (crypto-shredding)`, async (t) => {
    const db = await makeDb(t);
    const vault = sqlVault({ db, masterKey: randomBytes(32) });
    const ref = await vault.storeSecret('authorization-9', 'client-secret-value');
    const sealed = await vault.seal('authorization-9', 'other');
    const keep = await vault.storeSecret('authorization-10', 'kept');
    await vault.destroyOwner('authorization-9');
    await t.rejects(vault.readSecret(ref), SecretDestroyedError);
    await t.rejects(vault.open('authorization-9', sealed), SecretDestroyedError);
    await t.rejects(vault.seal('authorization-9', 'new'), SecretDestroyedError, 'no new key for a destroyed owner');
    t.equal(await vault.readSecret(keep), 'kept', 'other owners are untouched');
    const { rows } = await db.query('SELECT 1 FROM vault_secrets WHERE secret_ref = $1::uuid', [ref]);
    t.equal(rows.length, 1, 'the ciphertext is still there, and unreadable');
  });

  t.test(`${label}: master-key rotation re-wraps data keys without touching what they sealed`, async (t) => {
    const db = await makeDb(t);
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const before = sqlVault({ db, masterKey: oldKey });
    const refs = await Promise.all(Array.from({ length: 5 }, (_, i) => before.storeSecret(`owner-${i}`, `secret-${i}`)));
    const sealed = await before.seal('owner-0', 'pii');
    const during = sqlVault({ db, masterKey: newKey, previousMasterKeys: [oldKey] });
    t.equal(await during.readSecret(refs[3]!), 'secret-3', 'old keys still open during rotation');
    t.same(await during.rotate(), { rewrapped: 5 });
    const after = sqlVault({ db, masterKey: newKey });
    for (const [i, ref] of refs.entries()) t.equal(await after.readSecret(ref), `secret-${i}`);
    t.equal(await after.open('owner-0', sealed), 'pii');
    await t.rejects(sqlVault({ db, masterKey: oldKey, cacheTtlMs: 0 }).readSecret(refs[0]!), /unknown master key/);
  });
}

t.test('key files are generated once, private, and reused', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'oms-keys-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const first = await loadOrCreateKeyFile(join(dir, 'master.key'), newMasterKey);
  t.ok(first.created);
  t.equal(Buffer.from(first.value, 'base64').length, 32);
  t.equal((await stat(join(dir, 'master.key'))).mode & 0o777, 0o600);
  const again = await loadOrCreateKeyFile(join(dir, 'master.key'), newMasterKey);
  t.same(again, { value: first.value, created: false });
});
