import type { Participation } from '../ports/marketplaces.js';
import type { Store, StoreCommand } from '../store/decider.js';
import type { StoreStatus } from '../store/events.js';
import { isAmazonMarketplace } from './amazonSites.js';
import type { Authorization, Marketplace } from './decider.js';

/** Stores follow their authorization: which store a marketplace has, and in which status. Pure. */
type Known = Exclude<Authorization, { status: 'absent' }>;
export type LinkedMarketplace = Marketplace & Readonly<{ storeId: string }>;

/** The marketplaces that have a store. */
export const linkedMarketplaces = (auth: Known): LinkedMarketplace[] => auth.marketplaces.filter((m): m is LinkedMarketplace => m.storeId !== null);

/**
 * The status a marketplace's store should have: a revoked consent stops it like a pause (the
 * scheduler pulls active stores only) until the seller consents again; a marketplace the operator
 * left out is paused; one the account no longer participates in is not_participating.
 */
export const storeStatusFor = (auth: Known, m: Marketplace): Readonly<{ status: StoreStatus; reason: string }> => {
  const status: StoreStatus = auth.status === 'paused' || auth.status === 'reauthorization_required' ? 'paused' : auth.status === 'revoked' ? 'revoked' : 'active';
  const excluded = auth.excludedMarketplaceIds.includes(m.marketplaceId);
  if (!m.isParticipating) return { status: auth.status === 'revoked' ? 'revoked' : 'not_participating', reason: `authorization ${auth.status}` };
  if (excluded && status === 'active') return { status: 'paused', reason: 'marketplace left without a store by the operator' };
  return { status, reason: `authorization ${auth.status}` };
};

/** The store command that brings a marketplace's store (its current state given) in line with the authorization. */
export const storeCommandFor = (auth: Known, m: LinkedMarketplace, store: Store, now: string): StoreCommand => {
  const { status, reason } = storeStatusFor(auth, m);
  if (store.status !== 'absent') return { type: 'ChangeStoreStatus', data: { status, reason, now } };
  return {
    type: 'ConnectStore',
    data: {
      storeId: m.storeId,
      tenantId: auth.tenantId,
      authorizationId: auth.authorizationId,
      platform: auth.platform,
      marketplaceId: m.marketplaceId,
      countryCode: m.countryCode,
      marketplaceName: m.name,
      name: `${auth.name} · ${m.countryCode}`,
      status,
      connectedAt: now,
    },
  };
};

/**
 * Participations → marketplaces, keeping store ids; a marketplace ever participated in keeps its
 * store. Shadow / "Non-Amazon" marketplaces are dropped (`ignored`, for the log); a participating
 * marketplace the operator left out gets no store until it is selected again. `storeIdOf` names a
 * new marketplace's store (deterministically, so a retry names the same one).
 */
export const marketplacesFrom = (
  auth: Known,
  participations: readonly Participation[],
  storeIdOf: (marketplaceId: string) => string,
): { marketplaces: Marketplace[]; ignored: Participation[] } => {
  const ignored = auth.platform === 'amazon' ? participations.filter((p) => !isAmazonMarketplace(p.marketplaceId)) : [];
  const marketplaces = participations
    .filter((p) => !ignored.includes(p))
    .map((p) => {
      const before = auth.marketplaces.find((m) => m.marketplaceId === p.marketplaceId);
      const wanted = p.isParticipating && !auth.excludedMarketplaceIds.includes(p.marketplaceId);
      const storeId = before?.storeId ?? (wanted ? storeIdOf(p.marketplaceId) : null);
      return { ...p, storeId };
    });
  return { marketplaces, ignored };
};
