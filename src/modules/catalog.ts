import { catalogService } from '../application/catalog.js';
import { importGate } from '../application/importGate.js';
import { mappingService } from '../application/mappings.js';
import { routeGroup } from '../http/app.js';
import { mappingRoutes } from '../http/mappings.routes.js';
import { productRoutes } from '../http/products.routes.js';
import type { Module, Platform } from './module.js';

/** A CSV import's limits: 5 MiB, 50,000 rows. */
const IMPORT_MAX_BYTES = 5 * 1024 * 1024;
const IMPORT_MAX_ROWS = 50_000;

/** Products (system SKUs) and product mappings, with their CSV imports sharing the instance's import slots. */
export const catalogModule = (p: Platform) => {
  const catalog = catalogService(p.appDeps);
  const mappings = mappingService(p.appDeps, catalog);
  const imports = importGate(p.config.importConcurrency);
  const importLimits = { importMaxBytes: IMPORT_MAX_BYTES, importMaxRows: IMPORT_MAX_ROWS, importGate: imports };
  const products: Module = { routes: [routeGroup(productRoutes, { catalog, queries: p.appDeps.queries, ...importLimits }, '/v1')] };
  const mappingsModule: Module = { routes: [routeGroup(mappingRoutes, { mappings, ...importLimits }, '/v1')] };
  return { catalog, mappings, imports, products, mappingsModule };
};
