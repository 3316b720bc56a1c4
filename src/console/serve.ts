import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';

/**
 * Serves the built console under `/` (index.html, app.js, app.css), with a CSP that lets the page
 * load its own script and style and talk to its own origin only. The API stays under /v1; the
 * console routes with the URL hash, so no other path is needed.
 */
export type ConsoleRoutesDeps = Readonly<{ dir: string }>;

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

export const consoleRoutes: FastifyPluginAsync<ConsoleRoutesDeps> = async (app, { dir }) => {
  // Read once: the files are small, and no request path ever reaches the file system.
  const files = new Map(await Promise.all(Object.keys(TYPES).map(async (name) => [name, await readFile(join(dir, name))] as const)));
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('content-security-policy', CSP);
    return payload;
  });
  const serve = (name: string) => async (_request: unknown, reply: FastifyReply) =>
    reply.type(TYPES[name]!).header('cache-control', 'no-cache').send(files.get(name));
  app.get('/', { schema: { hide: true } }, serve('index.html'));
  app.get('/app.js', { schema: { hide: true } }, serve('app.js'));
  app.get('/app.css', { schema: { hide: true } }, serve('app.css'));
};
