import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { InvalidCursorError } from '../domain/ports/cursors.js';
import type { WarehouseFeedReader } from '../domain/ports/warehouseFeed.js';
import { FeedMessage } from '../domain/warehouse/feedMessage.js';
import { requireTenant } from './auth.js';
import { HttpError } from './problem.js';

export type WarehouseFeedRoutesDeps = Readonly<{
  /** The feed, its cursors sealed per tenant (adapters/feed/httpFeed.ts: httpFeedReader). */
  feed: WarehouseFeedReader;
}>;

const FeedPageView = z.object({
  messages: z.array(FeedMessage),
  nextCursor: z.string().nullable(),
  caughtUp: z.boolean(),
});

/**
 * The warehouse feed over HTTP, for a WMS without Kafka and for the embedded mode: the same
 * messages as the Kafka topic, in order, read with a cursor. A tenant key sees only its tenant's
 * messages. At least once as well: a client that stores its cursor after processing a page may see
 * that page again after a crash, and de-duplicates on messageId.
 */
export const warehouseFeedRoutes: FastifyPluginAsyncZod<WarehouseFeedRoutesDeps> = async (app, deps) => {
  app.get(
    '/warehouse/feed',
    {
      schema: {
        tags: ['warehouse'],
        description:
          'Fulfilment messages after `after` (a nextCursor from an earlier page; omit to start at the beginning). ' +
          'Keep polling with nextCursor; caughtUp tells that everything available now was read.',
        querystring: z.strictObject({
          after: z
            .string()
            .regex(/^[A-Za-z0-9_-]{39,600}$/)
            .optional()
            .describe('nextCursor of an earlier page: opaque, valid for the tenant it was issued to only'),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
        response: { 200: FeedPageView },
      },
    },
    async (request) => {
      const { tenantId } = requireTenant(request);
      try {
        return await deps.feed.read(tenantId, request.query.after ?? null, request.query.limit);
      } catch (error) {
        if (error instanceof InvalidCursorError) throw new HttpError(400, 'invalid_cursor', error.message);
        throw error;
      }
    },
  );
};
