import { consoleRoutes } from '../console/serve.js';
import { routeGroup } from '../http/app.js';
import type { Module } from './module.js';

/** The built web console (src/console/build.ts), served under `/` when its directory is given. */
export const consoleModule = (dir: string | undefined): Module => ({ routes: dir ? [routeGroup(consoleRoutes, { dir }, '')] : [] });
