/**
 * Event versioning: recorded events are immutable, so when an event's shape changes the old events
 * stay as they were written and are *upcast* on reading — a pure function per (type, fromVersion)
 * turns the data of one version into the next, chained until the current version, before the
 * schema parses it. Deciders, projections and read models then only ever see the current version.
 * How to add a version: docs/events.md.
 */

/** Data of `type` at version `from` → the same fact at `from + 1`. Pure: no clock, no lookups. */
export type Upcaster = (data: unknown) => unknown;

/** Per event type, the upcaster from each version to the next (keys: the version it upgrades from). */
export type UpcasterTable = Readonly<Record<string, Readonly<Record<number, Upcaster>>>>;

export type EventVersions = Readonly<{
  /** The version this code writes and parses for `type` (1 for a type with no upcasters). */
  current: (type: string) => number;
  /** The stored data at `schemaVersion`, carried to the current version. Throws EventVersionError. */
  upcast: (type: string, schemaVersion: unknown, data: unknown) => Readonly<{ schemaVersion: number; data: unknown }>;
}>;

/**
 * A recorded event this code cannot bring to its current version: written by a newer release
 * (`newer_than_known` — deploy the newer code, or roll the events back), a gap in the upcasters
 * (`no_upcaster`), or a version that is no version (`invalid_version`). Names the type and the
 * version only: the payload may hold buyer data and never goes into an error.
 */
export class EventVersionError extends Error {
  override readonly name = 'EventVersionError';
  constructor(
    readonly reason: 'newer_than_known' | 'no_upcaster' | 'invalid_version',
    readonly eventType: string,
    readonly schemaVersion: unknown,
    readonly currentVersion: number,
  ) {
    super(
      reason === 'newer_than_known'
        ? `${eventType} at schemaVersion ${String(schemaVersion)} is newer than this code knows (${currentVersion})`
        : reason === 'no_upcaster'
          ? `${eventType} at schemaVersion ${String(schemaVersion)} has no upcaster to reach ${currentVersion}`
          : `${eventType} has no valid schemaVersion (${typeof schemaVersion === 'number' ? schemaVersion : typeof schemaVersion})`,
    );
  }
}

/**
 * The versions a table defines. A type's current version is one past its highest upcaster, so the
 * table alone says what the code parses; every version from 1 up to it must have its upcaster.
 */
export const eventVersions = (table: UpcasterTable): EventVersions => {
  const current = new Map<string, number>();
  for (const [type, steps] of Object.entries(table)) {
    const froms = Object.keys(steps).map(Number);
    const top = froms.length === 0 ? 1 : Math.max(...froms) + 1;
    for (let v = 1; v < top; v++) if (steps[v] === undefined) throw new EventVersionError('no_upcaster', type, v, top);
    current.set(type, top);
  }
  const currentOf = (type: string) => current.get(type) ?? 1;
  return {
    current: currentOf,
    upcast: (type, schemaVersion, data) => {
      const target = currentOf(type);
      if (typeof schemaVersion !== 'number' || !Number.isInteger(schemaVersion) || schemaVersion < 1) throw new EventVersionError('invalid_version', type, schemaVersion, target);
      if (schemaVersion > target) throw new EventVersionError('newer_than_known', type, schemaVersion, target);
      let value = data;
      for (let v = schemaVersion; v < target; v++) {
        const step = table[type]?.[v];
        if (step === undefined) throw new EventVersionError('no_upcaster', type, v, target);
        value = step(value);
      }
      return { schemaVersion: target, data: value };
    },
  };
};

/**
 * The project's upcasters. Empty: every event type is at schemaVersion 1. The first v2 adds its
 * upcaster here, e.g. `OrderHeld: { 1: (data) => ({ ...(data as object), reasons: … }) }`.
 */
export const UPCASTERS: UpcasterTable = Object.freeze({});

/** What every decoder of recorded events applies (decodeWith's default). */
export const EVENT_VERSIONS: EventVersions = eventVersions(UPCASTERS);
