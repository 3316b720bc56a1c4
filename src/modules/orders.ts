import { orderQueries } from '../adapters/readModels/orderQueries.js';
import { orderActions } from '../application/orderActions.js';
import { routeGroup } from '../http/app.js';
import { orderRoutes } from '../http/orders.routes.js';
import type { Module, Platform } from './module.js';

/** Orders: the list, detail and history, and the operators' actions (hold, release, cancel, …). */
export const ordersModule = (p: Platform): Module => ({
  routes: [routeGroup(orderRoutes, { orders: orderQueries({ db: p.db, store: p.store }), app: p.appDeps, actions: orderActions({ ...p.appDeps, vault: p.vault }) }, '/v1')],
});
