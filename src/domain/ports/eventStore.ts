/**
 * The event store port. Two adapters implement it (PostgreSQL/PGlite and EventStoreDB) and both
 * pass one contract suite (test/contracts/eventStore.contract.ts).
 *
 * Revisions are 0-based per stream (the first event of a stream is revision 0), as in EventStoreDB.
 * Checkpoints are opaque strings: only the adapter that issued one may interpret it.
 */

/** Who did what, and why: carried on every event. Never holds secrets or buyer data. */
export type EventMetadata = Readonly<{
  /** key id of the API key, `admin`, or `system:<component>` */
  actor?: string;
  /** id of the request (or pull) that started the chain */
  correlationId?: string;
  /** id of the command or event that directly caused this event */
  causationId?: string;
  [key: string]: unknown;
}>;

export type NewEvent = Readonly<{
  /** UUID. Deterministic ids make retried commands and re-run pulls append nothing new. */
  id: string;
  type: string;
  data: unknown;
  metadata?: EventMetadata;
}>;

export type Checkpoint = string & { readonly __brand: 'Checkpoint' };

export type RecordedEvent = Readonly<{
  id: string;
  streamId: string;
  revision: number;
  type: string;
  data: unknown;
  metadata: EventMetadata;
  /** ISO timestamp of the append (server clock). */
  recordedAt: string;
  /** Position of this event in the global order; resume reading after it. */
  checkpoint: Checkpoint;
}>;

/**
 * `'any'` skips the check (idempotency is then best effort on EventStoreDB), `'no_stream'` requires a
 * new stream, `'stream_exists'` an existing one, a number the revision of the stream's last event.
 */
export type ExpectedVersion = 'any' | 'no_stream' | 'stream_exists' | number;

export type AppendRequest = Readonly<{
  streamId: string;
  events: readonly NewEvent[];
  expected: ExpectedVersion;
}>;

export type AppendResult = Readonly<{
  /** Revision of the stream's last event after the append. */
  nextRevision: number;
  /** false when every event id was already in the stream (an idempotent re-append). */
  appended: boolean;
}>;

export type EventFilter = Readonly<{
  /** Stream-id prefixes such as `order-`; an event matches if its stream starts with any of them. */
  streamPrefixes?: readonly string[];
  /** Exact event types. */
  eventTypes?: readonly string[];
}>;

/** A page of events in global order; `checkpoint` may move past events the filter dropped. */
export type EventBatch = Readonly<{ events: readonly RecordedEvent[]; checkpoint: Checkpoint | null }>;

export type SubscribeOptions = Readonly<{
  /** Exclusive: delivery starts with the first event after this checkpoint; null = from the start. */
  after: Checkpoint | null;
  filter?: EventFilter;
  /** Largest batch handed to the consumer. */
  maxBatch?: number;
  signal?: AbortSignal;
}>;

export type EventStoreGuarantees = Readonly<{
  /** appendMany commits all streams or none (PostgreSQL). EventStoreDB appends stream by stream. */
  atomicMultiStreamAppend: boolean;
  /** Re-appending ids with expected 'any' is always detected (PostgreSQL) or best effort (EventStoreDB). */
  idempotentAppendWithAny: boolean;
}>;

export interface EventStore {
  readonly guarantees: EventStoreGuarantees;

  /**
   * Append to one stream with an optimistic-concurrency check. Throws ConcurrencyError when the
   * stream is not at `expected`. Re-appending events whose ids are all already in the stream at
   * that place is a no-op success; a partial overlap is a ConcurrencyError.
   */
  append(streamId: string, events: readonly NewEvent[], expected: ExpectedVersion): Promise<AppendResult>;

  /**
   * Append to many streams, as a pull records a page of orders. On PostgreSQL this is one
   * transaction (all or nothing). On EventStoreDB it is a sequence of idempotent appends: after a
   * failure some streams may be written, and re-running the same request completes it.
   */
  appendMany(requests: readonly AppendRequest[]): Promise<readonly AppendResult[]>;

  /** Events of one stream in revision order, from `fromRevision` (inclusive); [] for a missing stream. */
  readStream(streamId: string, options?: { fromRevision?: number; maxCount?: number }): Promise<RecordedEvent[]>;

  /**
   * Several whole streams at once (revision order within each; a missing stream is absent or []),
   * for callers that handle a batch of events needing each one's stream (the warehouse feed, the
   * release policy): one query on PostgreSQL, concurrent reads on EventStoreDB. With `eventTypes`,
   * only the events of those types (what a caller holding the rest in memory still has to ask).
   */
  readStreams(streamIds: readonly string[], options?: { eventTypes?: readonly string[] }): Promise<ReadonlyMap<string, RecordedEvent[]>>;

  /**
   * Optional, without I/O: of `streamIds`, those whose events this process holds in memory from the
   * stream's first event (PostgreSQL's tail window of recent events), each with the events held —
   * the stream from revision 0 as far as the window reaches, which may be short of its newest
   * events. Absent where the adapter keeps no events; absent streams must be read.
   */
  heldStreams?(streamIds: readonly string[]): ReadonlyMap<string, readonly RecordedEvent[]>;

  /** Up to `maxCount` events after `after` in global order (no event committed later can sort before them). */
  readAll(after: Checkpoint | null, options?: { maxCount?: number; filter?: EventFilter }): Promise<EventBatch>;

  /**
   * Catch-up subscription: batches after `after`, then live batches as events are committed.
   * Ends when `signal` aborts. Each batch's checkpoint is where to resume.
   */
  subscribe(options: SubscribeOptions): AsyncIterable<EventBatch>;

  /**
   * Resolve once every event committed before the call can be read (PostgreSQL holds back events
   * while an older transaction anywhere in the cluster is still open; EventStoreDB never does).
   * Read-your-writes for callers that must see what was just appended.
   */
  awaitVisible(signal?: AbortSignal): Promise<void>;

  /** Checkpoint of the newest readable event, or null for an empty store: for lag figures. */
  headCheckpoint(): Promise<Checkpoint | null>;

  /**
   * Number of readable events after `after`, counted up to `cap` (null where the adapter cannot count
   * cheaply). With `committed`, every committed event after it, including those not readable yet
   * (held back behind an older open transaction): what a consumer will have to handle, not what it
   * can read now.
   */
  countAfter(after: Checkpoint | null, cap: number, filter?: EventFilter, options?: { committed?: boolean }): Promise<number | null>;

  close(): Promise<void>;
}
