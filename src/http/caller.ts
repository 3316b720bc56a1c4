import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest, FastifyTypeProvider, RawServerDefault } from 'fastify';
import type { Caller } from '../application/context.js';
import { commandMetadata, requireTenant } from './auth.js';
import { HttpError } from './problem.js';

/** The tenant behind the request's API key, and the metadata its commands record. */
export const callerOf = (request: FastifyRequest): Caller => ({
  tenantId: requireTenant(request).tenantId,
  metadata: commandMetadata(request),
});

/** Accept `text/csv` bodies as raw bytes (the importer checks the encoding itself). */
export const acceptCsv = <P extends FastifyTypeProvider>(app: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, P>, bodyLimit: number) =>
  app.addContentTypeParser('text/csv', { parseAs: 'buffer', bodyLimit }, (_req, body, done) => done(null, body));

/** The raw bytes of a text/csv body; anything else (no body, JSON…) is refused with 415. */
export const csvBody = (body: unknown): Buffer => {
  if (!Buffer.isBuffer(body)) throw new HttpError(415, 'unsupported_media_type', 'The body must be a CSV file sent as text/csv');
  return body;
};
