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

  t.test(`${label}: a page of owners is sealed and opened with one statement each, and a destroyed owner still refuses`, async (t) => {
    const db = await makeDb(t);
    // Counts the statements the vault sends to the real database (nothing is answered in its place).
    let statements = 0;
    const counted: Database = { ...db, query: <Row,>(sql: string, params?: Parameters<Database["query"]>[1]) => (statements++, db.query<Row>(sql, params)) };
    const writer = sqlVault({ db: counted, masterKey: randomBytes(32) });
    const existing = await writer.seal('order-old', 'kept');
    const owners = Array.from({ length: 50 }, (_, i) => `order-${i}`);
    statements = 0;
    const sealed = await writer.sealMany([...owners, 'order-old'].map((ownerId) => ({ ownerId, plaintext: `ship-to of ${ownerId}` })));
    t.equal(statements, 1, 'fifty new owners and one known one: one statement');
    t.equal(await writer.open('order-old', existing), 'kept', 'the known owner kept its key');

    statements = 0;
    const opened = await Promise.all(owners.map((ownerId, i) => writer.open(ownerId, sealed[i]!)));
    t.same(opened, owners.map((o) => `ship-to of ${o}`));
    t.equal(statements, 0, 'keys made by sealMany are cached');

    const master = randomBytes(32);
    const first = sqlVault({ db: counted, masterKey: master });
    const values = await first.sealMany(owners.map((ownerId) => ({ ownerId: `${ownerId}-b`, plaintext: ownerId })));
    await first.destroyOwner('order-7-b');
    const cold = sqlVault({ db: counted, masterKey: master });
    statements = 0;
    const results = await Promise.allSettled([
      ...owners.map((ownerId, i) => cold.open(`${ownerId}-b`, values[i]!)),
      cold.open('order-unknown', values[0]!),
    ]);
    t.equal(statements, 1, 'fifty-one opens in one burst: one lookup');
    t.match(results[7], { status: 'rejected', reason: SecretDestroyedError }, 'the destroyed owner answers destroyed');
    t.match(results.at(-1), { status: 'rejected', reason: SecretNotFoundError }, 'an unknown owner answers not found');
    t.same(
      results.filter((r, i) => i !== 7 && i < owners.length).map((r) => (r.status === 'fulfilled' ? r.value : null)),
      owners.filter((_, i) => i !== 7),
      'every other owner opens',
    );
    await t.rejects(cold.sealMany([{ ownerId: 'order-new', plaintext: 'x' }, { ownerId: 'order-7-b', plaintext: 'x' }]), SecretDestroyedError, 'no new key for a destroyed owner in a batch');
    t.notMatch(await dumpVault(db), 'ship-to of', 'the tables hold no plaintext');
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
