import { authorizationsProjection } from './authorizations.js';
import { mappingsProjection, productsProjection, storesProjection } from './catalog.js';
import { ordersProjection, pullScheduleProjection } from './orders.js';
import { rejectedOrdersProjection } from './ordersRejected.js';
import { retentionProjection } from './retention.js';
import type { Projection } from './projection.js';
import { marketplaceSyncProjection } from './marketplaceSync.js';

/** Every read model the service keeps (the runner, the CLI's replay and rebuild use this one list). */
export const PROJECTIONS: readonly Projection[] = [
  storesProjection,
  productsProjection,
  mappingsProjection,
  authorizationsProjection,
  ordersProjection,
  pullScheduleProjection,
  rejectedOrdersProjection,
  retentionProjection,
  marketplaceSyncProjection,
];
