import { assertNever, type Decider } from '../shared/decider.js';
import { DomainError } from '../shared/errors.js';
import type { MappingCommand, RemoveMapping, SetMapping } from './commands.js';
import type { MappingErrorCode } from './errors.js';
import { mappingRemoved, mappingSet, type MappingComponent, type MappingEvent } from './events.js';
import type { MappingEntry } from './lookups.js';
import { checkComponentsUsable, sameComponents, validateMappingShape, validatePlatformSku, type MappingIssue } from './rules.js';

/**
 * The state of one (store, platform SKU) stream. `version` counts the mapping events so far, so it
 * keeps growing across removals: a re-created mapping never reuses an old version.
 */
export type Mapping =
  | Readonly<{ status: 'unmapped'; version: number }>
  | Readonly<{ status: 'mapped'; version: number; components: readonly MappingComponent[] }>;

export const initialState = (): Mapping => ({ status: 'unmapped', version: 0 });

export const evolve = (_state: Mapping, event: MappingEvent): Mapping => {
  switch (event.type) {
    case 'MappingSet':
      return { status: 'mapped', version: event.data.version, components: event.data.components };
    case 'MappingRemoved':
      return { status: 'unmapped', version: event.data.version };
    default:
      return assertNever(event, 'MappingEvent');
  }
};

/** The first issue's code becomes the error code; `details.issues` lists all of them. */
const refuse = (issues: readonly MappingIssue[]): DomainError<MappingErrorCode> => {
  const [first] = issues as [MappingIssue, ...MappingIssue[]];
  return new DomainError(first.code, first.reason, { issues });
};

const set = ({ data }: SetMapping, state: Mapping): MappingEvent[] => {
  const shape = validateMappingShape(data.platformSku, data.components);
  if (!shape.ok) throw refuse(shape.error);
  const { platformSku, components } = shape.value;
  // Identical components (in any order) change nothing: no event, even if a component has been
  // retired since — re-sending a mapping does not add a new use of it.
  if (state.status === 'mapped' && sameComponents(state.components, components)) return [];
  const unusable = checkComponentsUsable(components, data.tenantId, data.skus);
  if (unusable.length > 0) throw refuse(unusable);
  return [
    mappingSet({
      tenantId: data.tenantId,
      storeId: data.storeId,
      platformSku,
      components,
      source: data.source,
      ...(data.source === 'copy' && data.copiedFromStoreId !== undefined
        ? { copiedFromStoreId: data.copiedFromStoreId }
        : {}),
      version: state.version + 1,
      setAt: data.now,
    }),
  ];
};

const remove = ({ data }: RemoveMapping, state: Mapping): MappingEvent[] => {
  const platformSku = validatePlatformSku(data.platformSku);
  const shown = platformSku.ok ? platformSku.value : data.platformSku;
  if (state.status !== 'mapped') {
    throw new DomainError<MappingErrorCode>('mapping_not_found', `No mapping for platform SKU ${shown}`, {
      platformSku: shown,
    });
  }
  return [
    mappingRemoved({
      tenantId: data.tenantId,
      storeId: data.storeId,
      platformSku: shown,
      version: state.version + 1,
      removedAt: data.now,
    }),
  ];
};

export const decide = (command: MappingCommand, state: Mapping): MappingEvent[] => {
  switch (command.type) {
    case 'SetMapping':
      return set(command, state);
    case 'RemoveMapping':
      return remove(command, state);
    default:
      return assertNever(command, 'MappingCommand');
  }
};

export const mappingDecider: Decider<MappingCommand, MappingEvent, Mapping> = { decide, evolve, initialState };

/** The mapping in force, as expansion and planners want it (undefined when unmapped). */
export const mappingEntryOf = (state: Mapping): MappingEntry | undefined =>
  state.status === 'mapped' ? { version: state.version, components: state.components } : undefined;
