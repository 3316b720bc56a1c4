import type { z } from 'zod';
import type { EventMetadata, EventStore, NewEvent, RecordedEvent } from '../ports/eventStore.js';
import type { IdGenerator } from '../ports/ids.js';
import type { Decider } from './decider.js';
import { ConcurrencyError } from './errors.js';
import { EVENT_VERSIONS, type EventVersions } from './eventVersions.js';

/** The shape every domain event has: a type, a schema version and its data. */
export type DomainEvent = Readonly<{ type: string; schemaVersion: number; data: unknown }>;

/**
 * Stored event → domain event: the type and data as stored, the version from the metadata (1 when
 * absent), upcast to the current version before the schema parses it. Every reader of recorded
 * events decodes through here, so one upcaster serves them all.
 */
export const decodeWith =
  <E extends DomainEvent>(schema: z.ZodType<E>, versions: EventVersions = EVENT_VERSIONS) =>
  (recorded: RecordedEvent): E => {
    const stored = recorded.metadata.schemaVersion === undefined ? 1 : recorded.metadata.schemaVersion;
    const { schemaVersion, data } = versions.upcast(recorded.type, stored, recorded.data);
    return schema.parse({ type: recorded.type, schemaVersion, data });
  };

/** Domain events → events to append: a fresh id each, the command's metadata plus the schema version. */
export const toNewEvents = (events: readonly DomainEvent[], metadata: EventMetadata, ids: IdGenerator): NewEvent[] =>
  events.map((e) => ({ id: ids.newId(), type: e.type, data: e.data, metadata: { ...metadata, schemaVersion: e.schemaVersion } }));

export type HandleOptions<S> = Readonly<{
  metadata: EventMetadata;
  /**
   * Checked against the current state before deciding; throws to refuse (e.g. NotFoundError when
   * the aggregate belongs to another tenant). Keeps tenant isolation out of every route.
   */
  authorize?: (state: S) => void;
  retries?: number;
}>;

export type HandleResult<E, S> = Readonly<{ events: readonly E[]; state: S; revision: number }>;

/**
 * Load → fold → decide → append with the expected version, retrying on a concurrent change
 * (deciding again is safe because decide is pure).
 */
export const commandHandler =
  // `decode` may answer null for an event of the stream that is not this decider's (streams such as
  // `order-<id>` hold facts of several subsystems); it is skipped, the revision still counts it.
  <C, E extends DomainEvent, S>(decider: Decider<C, E, S>, decode: (r: RecordedEvent) => E | null, store: EventStore, ids: IdGenerator) =>
  async (streamId: string, command: C, opts: HandleOptions<S>): Promise<HandleResult<E, S>> => {
    for (let attempt = 0; ; attempt++) {
      const recorded = await store.readStream(streamId);
      const state = recorded.map(decode).reduce((s: S, e) => (e === null ? s : decider.evolve(s, e)), decider.initialState());
      opts.authorize?.(state);
      const events = decider.decide(command, state);
      const revision = recorded.length - 1;
      if (events.length === 0) return { events, state, revision };
      try {
        const result = await store.append(streamId, toNewEvents(events, opts.metadata, ids), revision < 0 ? 'no_stream' : revision);
        return { events, state: events.reduce(decider.evolve, state), revision: result.nextRevision };
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= (opts.retries ?? 5)) throw error;
      }
    }
  };

/** Load and fold a stream without deciding anything (queries that need the aggregate's state). */
export const loadState = async <C, E extends DomainEvent, S>(
  decider: Decider<C, E, S>,
  decode: (r: RecordedEvent) => E,
  store: EventStore,
  streamId: string,
): Promise<{ state: S; revision: number }> => {
  const recorded = await store.readStream(streamId);
  return { state: recorded.map(decode).reduce(decider.evolve, decider.initialState()), revision: recorded.length - 1 };
};
