import { assertNever, type Decider } from '../shared/decider.js';
import { DomainError, NotFoundError } from '../shared/errors.js';
import type { CatalogCommand, CreateSystemSku, RetireSystemSku, UpdateSystemSku } from './commands.js';
import type { CatalogErrorCode } from './errors.js';
import {
  systemSkuCreated,
  systemSkuRetired,
  systemSkuUpdated,
  type CatalogEvent,
} from './events.js';
import { codePointLength, validateCode, validateSkuCode } from './skuCode.js';

export const NAME_MAX_LENGTH = 200;
export const BARCODE_MAX_LENGTH = 64;

/** The state of one product stream. A retired product keeps its data (history, reports). */
export type SystemSku =
  | Readonly<{ status: 'absent' }>
  | Readonly<{ status: 'active' | 'retired'; tenantId: string; sku: string; name: string; barcode: string | null }>;

export const initialState = (): SystemSku => ({ status: 'absent' });

export const evolve = (state: SystemSku, event: CatalogEvent): SystemSku => {
  switch (event.type) {
    case 'SystemSkuCreated': {
      const { tenantId, sku, name, barcode } = event.data;
      return { status: 'active', tenantId, sku, name, barcode };
    }
    case 'SystemSkuUpdated':
      if (state.status === 'absent') return state;
      return { ...state, name: event.data.name, barcode: event.data.barcode };
    case 'SystemSkuRetired':
      if (state.status === 'absent') return state;
      return { ...state, status: 'retired' };
    default:
      return assertNever(event, 'CatalogEvent');
  }
};

const refuse = (code: CatalogErrorCode, message: string, details?: Record<string, unknown>) =>
  new DomainError<CatalogErrorCode>(code, message, details);

const CONTROL = /[\p{Cc}\p{Cs}\p{Zl}\p{Zp}]/u;

const validName = (raw: string): string => {
  const name = raw.trim();
  if (name === '' || codePointLength(name) > NAME_MAX_LENGTH || CONTROL.test(name)) {
    throw refuse('invalid_name', `Name must be 1 to ${NAME_MAX_LENGTH} printable characters`);
  }
  return name;
};

/** Blank means "no barcode"; otherwise the SKU-code rule with its own length limit. */
const validBarcode = (raw: string | null | undefined): string | null => {
  if (raw === null || raw === undefined || raw.trim() === '') return null;
  const checked = validateCode(raw, 'barcode', 'Barcode', BARCODE_MAX_LENGTH);
  if (!checked.ok) throw refuse('invalid_barcode', checked.error.reason, { reason: checked.error.code });
  return checked.value;
};

const validSku = (raw: string): string => {
  const checked = validateSkuCode(raw);
  if (!checked.ok) throw refuse(checked.error.code, checked.error.reason);
  return checked.value;
};

/** A stream belongs to one tenant; a command naming another tenant must not learn the product exists. */
const existing = (state: SystemSku, tenantId: string) => {
  if (state.status === 'absent' || state.tenantId !== tenantId) throw new NotFoundError('System SKU');
  return state;
};

const create = ({ data }: CreateSystemSku, state: SystemSku): CatalogEvent[] => {
  const sku = validSku(data.sku);
  const name = validName(data.name);
  const barcode = validBarcode(data.barcode);
  // A retired code stays taken: reusing it would make old orders and mappings ambiguous.
  if (state.status !== 'absent') throw refuse('sku_exists', `SKU ${sku} already exists`, { sku });
  const lookalike = data.lookalike ?? null;
  if (lookalike !== null && lookalike !== sku) {
    throw refuse('sku_confusable', `SKU ${sku} looks like the existing SKU ${lookalike}; use that one or choose a distinct code`, {
      sku,
      existing: lookalike,
    });
  }
  return [systemSkuCreated({ tenantId: data.tenantId, sku, name, barcode, createdAt: data.now })];
};

const update = ({ data }: UpdateSystemSku, state: SystemSku): CatalogEvent[] => {
  const current = existing(state, data.tenantId);
  const name = data.name === undefined ? current.name : validName(data.name);
  const barcode = data.barcode === undefined ? current.barcode : validBarcode(data.barcode);
  if (name === current.name && barcode === current.barcode) return [];
  if (current.status === 'retired') {
    throw refuse('sku_retired', `SKU ${current.sku} is retired and can no longer be changed`, { sku: current.sku });
  }
  return [systemSkuUpdated({ tenantId: current.tenantId, sku: current.sku, name, barcode, updatedAt: data.now })];
};

const retire = ({ data }: RetireSystemSku, state: SystemSku): CatalogEvent[] => {
  const current = existing(state, data.tenantId);
  if (current.status === 'retired') return [];
  return [systemSkuRetired({ tenantId: current.tenantId, sku: current.sku, retiredAt: data.now })];
};

export const decide = (command: CatalogCommand, state: SystemSku): CatalogEvent[] => {
  switch (command.type) {
    case 'CreateSystemSku':
      return create(command, state);
    case 'UpdateSystemSku':
      return update(command, state);
    case 'RetireSystemSku':
      return retire(command, state);
    default:
      return assertNever(command, 'CatalogCommand');
  }
};

export const systemSkuDecider: Decider<CatalogCommand, CatalogEvent, SystemSku> = {
  decide,
  evolve,
  initialState,
};

/** The facts a mapping decision needs about a product (see mapping's SkuLookup). */
export const skuFactsOf = (state: SystemSku): { tenantId: string; retired: boolean } | undefined =>
  state.status === 'absent' ? undefined : { tenantId: state.tenantId, retired: state.status === 'retired' };
