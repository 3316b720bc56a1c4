import type { Checkpoint, EventBatch } from '../../domain/ports/eventStore.js';

/**
 * What the runtime hands batches to. Three kinds (projectionSink.ts, reactorSink.ts, publishSink.ts):
 * a projection writes a batch's statements and its checkpoint in one transaction (exactly-once
 * effect); a reactor runs side effects and stores the checkpoint after they succeeded (at least once);
 * a publisher hands messages to a broker and stores the checkpoint after the broker's ack, fenced by
 * the lease epoch (at least once, de-duplicated downstream by message id).
 */

/** Where a round of reading starts and how it reads; a sink decides it each time the runtime (re)opens. */
export type Round = Readonly<{
  after: Checkpoint | null;
  /**
   * `live`: follow the store (catch-up subscription) until stopped. `head`: read up to the newest
   * event, then end the round and call the sink's `reachedHead` (a rebuild that builds its indexes
   * once caught up).
   */
  until: 'live' | 'head';
  /** Overrides the processor's batch size and read-ahead for this round (a rebuild reads big batches). */
  maxBatch?: number;
  readAhead?: number;
}>;

/** The lease a single-active processor holds while it hands batches over (fences its checkpoint). */
export type LeaseHold = Readonly<{
  name: string;
  holder: string;
  epoch: number;
  /** The lease is surely still ours: renewed less than its time-to-live ago (measured from before the renewal). */
  valid: () => boolean;
}>;

/** A batch with what the sink computed from it ahead of time (in the read-ahead, off the write path). */
export type Prepared<W> = Readonly<{ batch: EventBatch; work: W }>;

/**
 * `applied`: the batch took effect and its checkpoint is stored. `superseded`: the stored checkpoint
 * is no longer where this round started (another instance got ahead, or the lease changed hands):
 * the runtime reopens and reads from the stored checkpoint. `failed`: the sink stopped on an event
 * it cannot handle (recorded by the sink): the processor stops until retried.
 */
export type Outcome = 'applied' | 'superseded' | 'failed';

export type Sink<W> = Readonly<{
  kind: 'projection' | 'reactor' | 'publish';
  /** Prepare the checkpoint row and say where to read from; 'failed' keeps the processor stopped. */
  open: () => Promise<Round | 'failed'>;
  /**
   * Work on a batch done while the previous one is handled (e.g. the batch's SQL, or its messages):
   * several batches' asynchronous work runs at once, up to the read-ahead depth.
   */
  prepare: (batch: EventBatch) => W | Promise<W>;
  /**
   * Batches already prepared when the sink is free are handed over as one (up to `maxEvents`), their
   * work merged in order: a backlog pays the sink's round trip and checkpoint once per group.
   */
  group?: Readonly<{ maxEvents: number; merge: (works: readonly W[]) => W }>;
  /** An attempt failed (open, prepare or handle threw) and will be retried after the back-off. */
  interrupted?: (error: unknown, attempt: number) => void;
  /**
   * Handle a batch read after `from`. A thrown error is retried with back-off from the stored
   * checkpoint (the batch is read again).
   */
  handle: (prepared: Prepared<W>, from: Checkpoint | null, lease: LeaseHold | null) => Promise<Outcome>;
  /** A `head` round read everything there was and handed it over. */
  reachedHead?: () => Promise<void>;
}>;
