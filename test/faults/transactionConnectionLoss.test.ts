// The server ends the session of a connection that a transaction holds (what a PostgreSQL restart
// does to every session): the transaction fails with an error a retry may cure, the process does not
// die of an unheard 'error' event on the checked-out client, and the pool serves fresh connections.
// Found by the PostgreSQL-restart fault test (postgresRestart.test.ts), where the service exited.
import pg from 'pg';
import t from 'tap';
import { isTransientError } from '../../src/adapters/sql/transientErrors.js';
import { findPostgresUrl, serverDatabase } from '../support/postgres.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** pg_terminate_backend from a separate session, as a fast shutdown does to every backend. */
const terminate = async (pid: number) => {
  const admin = new pg.Client({ connectionString: await findPostgresUrl() });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ ok: boolean }>('SELECT pg_terminate_backend($1) AS ok', [pid]);
    if (!rows[0]?.ok) throw new Error(`backend ${pid} was not terminated`);
  } finally {
    await admin.end();
  }
};

t.test('a transaction whose session the server ends', async (t) => {
  const db = await serverDatabase(t, { migrate: false, poolSize: 2 });
  await db.exec('CREATE TABLE conn_loss (id int PRIMARY KEY)');

  for (const when of ['between two statements', 'during a statement'] as const) {
    let pid = 0;
    const failed = await db
      .transaction(async (tx) => {
        pid = (await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
        await tx.query('INSERT INTO conn_loss VALUES (1)');
        if (when === 'between two statements') {
          await terminate(pid);
          await sleep(300); // the session's end reaches the client while no statement is in flight
          await tx.query('INSERT INTO conn_loss VALUES (2)');
        } else {
          await Promise.all([tx.query('SELECT pg_sleep(10)'), sleep(300).then(() => terminate(pid))]);
        }
        return 'committed';
      })
      .then(
        (v) => v,
        (error: unknown) => error,
      );
    t.type(failed, Error, `${when}: the transaction rejects`);
    t.ok(isTransientError(failed), `${when}: with an error classed as transient (${(failed as Error).message})`);
    await sleep(100);
    const { rows } = await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    t.not(rows[0]!.pid, pid, `${when}: the pool answers on another connection`);
    t.equal(await db.transaction(async (tx) => (await tx.query('INSERT INTO conn_loss VALUES (3) ON CONFLICT DO NOTHING')).rowCount), when === 'between two statements' ? 1 : 0, `${when}: transactions work again`);
  }
  const { rows } = await db.query<{ id: number }>('SELECT id FROM conn_loss ORDER BY id');
  t.same(rows.map((r) => r.id), [3], 'nothing of the cut transactions was committed');
});
