import type { AppendRequest, EventStore } from '../../domain/ports/eventStore.js';
import type { Database } from '../../domain/ports/sql.js';
import { yieldToEventLoop } from '../../shared/yieldToEventLoop.js';


export const BULK_APPEND_CHUNK = 250;

/**
 * A bulk append (an import of up to 50,000 streams) that keeps the process responsive.
 *
 * Embedded PGlite runs PostgreSQL on the main thread: one 50,000-stream statement holds the event
 * loop for as long as PGlite plans and runs it. There the requests are appended in chunks of
 * `chunk` streams inside ONE transaction (the PGlite adapter joins nested transactions of the same
 * call chain, so every chunk's appendMany is part of it) with a yield between chunks: still all or
 * nothing, and the event loop is free between chunks. Other queries wait for the transaction, as
 * they would for the single statement.
 *
 * On a PostgreSQL server the work happens in the server process, so the single set-based appendMany
 * is kept (one transaction, the fastest). Without a database to join (EventStoreDB) appendMany is a
 * sequence of idempotent appends anyway: chunks with yields in between, re-running completes it.
 */
export const chunkedAppend =
  (store: EventStore, embedded: Database | null, chunk = BULK_APPEND_CHUNK) =>
  async (requests: readonly AppendRequest[]): Promise<void> => {
    if (embedded === null && store.guarantees.atomicMultiStreamAppend) {
      await store.appendMany(requests);
      return;
    }
    const inChunks = async () => {
      for (let i = 0; i < requests.length; i += chunk) {
        await store.appendMany(requests.slice(i, i + chunk));
        if (i + chunk < requests.length) await yieldToEventLoop();
      }
    };
    await (embedded === null ? inChunks() : embedded.transaction(inChunks));
  };
