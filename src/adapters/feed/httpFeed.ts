import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { InvalidCursorError as UnissuedCursorError } from '../../domain/ports/cursors.js';
import type { Checkpoint, EventStore } from '../../domain/ports/eventStore.js';
import type { FeedPage, WarehouseFeedReader } from '../../domain/ports/warehouseFeed.js';
import { feedMessagesOf, type FeedMessage, type FeedSource } from '../../domain/warehouse/feedMessage.js';
import { canonicalBase64url, listCursor } from '../shared/cursorCodec.js';
import { isTransientError } from '../sql/transientErrors.js';

/**
 * The warehouse feed read on demand (GET /v1/warehouse/feed): the same messages as Kafka — same
 * mapping, same contract check — in the event store's global order, so each order's messages come
 * in order. The cursor holds the event-store checkpoint of the last event read: in process a plain
 * list cursor (adapters/shared/cursorCodec.ts); over HTTP sealed on top of the codec's base64url (see
 * sealedFeedCursors): the checkpoint is a global position, and in clear it would tell a tenant how
 * busy everyone else is.
 */
export type ReadFeedOptions = Readonly<{
  /** Only this tenant's messages. */
  tenantId?: string | null;
  /** How cursors are written and read (default: plain, for in-process readers). */
  cursors?: FeedCursors;
  /** Most events examined per call (a tenant with few messages in a busy feed gets an empty, not-caught-up page). */
  maxScanEvents?: number;
}>;

/** A cursor the feed did not issue (garbled, truncated, or from another event store). */
export class InvalidCursorError extends UnissuedCursorError {
  constructor() {
    super('The cursor is not one this feed issued');
  }
}

/** An event-store position as stores print them: printable ASCII. */
const isCheckpointText = (text: string) => /^[\x21-\x7e]{1,300}$/.test(text);
const plainCursor = listCursor('feed', z.string().refine(isCheckpointText), () => new InvalidCursorError());

/** A plain (unsealed) cursor: a list cursor of the checkpoint, for in-process readers. */
export const encodeCursor = (checkpoint: Checkpoint): string => plainCursor.encode(checkpoint);

export const decodeCursor = (cursor: string): Checkpoint => plainCursor.decode(cursor) as Checkpoint;

/** How a reader's position becomes a cursor and back, for one tenant (null: every tenant). */
export type FeedCursors = Readonly<{
  seal: (checkpoint: Checkpoint, tenantId: string | null) => string;
  /** The checkpoint, or InvalidCursorError for a cursor not issued to this tenant. */
  open: (cursor: string, tenantId: string | null) => Checkpoint;
}>;

export const plainCursors: FeedCursors = { seal: (checkpoint) => encodeCursor(checkpoint), open: (cursor) => decodeCursor(cursor) };

/** The key that seals feed cursors, derived from a master key as the content-hash key is. */
export const feedCursorKey = (masterKey: Buffer): Buffer => createHash('sha256').update(masterKey).update('oms/feed-cursor').digest();

/** Nonce, at least one byte, tag: 29 bytes are 39 base64url characters; a 300-character position fits in 600. */
const SEALED_LENGTH = { min: 39, max: 600 };
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const boundTo = (tenantId: string | null) => Buffer.from(`oms/feed-cursor/v1\n${tenantId ?? '*'}`, 'utf8');

/**
 * Cursors encrypted and authenticated (AES-256-GCM, a fresh nonce each) with the tenant as
 * associated data: opaque — nothing of the global position shows — and bound to the tenant it was
 * issued to, so another tenant's cursor or an altered one is refused, not followed. The first key
 * seals; every key opens, so cursors survive a master-key rotation while the former key is listed.
 */
export const sealedFeedCursors = (keys: readonly Buffer[]): FeedCursors => {
  if (keys.length === 0 || keys.some((k) => k.length !== 32)) throw new Error('sealedFeedCursors: keys must be 32 bytes');
  return {
    seal: (checkpoint, tenantId) => {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', keys[0]!, nonce).setAAD(boundTo(tenantId));
      return Buffer.concat([nonce, cipher.update(checkpoint, 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64url');
    },
    open: (cursor, tenantId) => {
      if (cursor.length < SEALED_LENGTH.min || cursor.length > SEALED_LENGTH.max) throw new InvalidCursorError();
      const bytes = canonicalBase64url(cursor, () => new InvalidCursorError());
      const nonce = bytes.subarray(0, NONCE_BYTES);
      const sealed = bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES);
      const tag = bytes.subarray(bytes.length - TAG_BYTES);
      for (const key of keys) {
        try {
          const decipher = createDecipheriv('aes-256-gcm', key, nonce).setAAD(boundTo(tenantId)).setAuthTag(tag);
          const text = Buffer.concat([decipher.update(sealed), decipher.final()]).toString('utf8');
          if (isCheckpointText(text)) return text as Checkpoint;
        } catch {
          // Not sealed with this key for this tenant: try the next key.
        }
      }
      throw new InvalidCursorError();
    },
  };
};

const PAGE_EVENTS = 500;

export const readFeed = async (
  store: EventStore,
  source: FeedSource,
  after: string | null,
  limit: number,
  options: ReadFeedOptions = {},
): Promise<FeedPage> => {
  if (!Number.isInteger(limit) || limit < 1) throw new Error('readFeed: limit must be a positive integer');
  const tenantId = options.tenantId ?? null;
  const maxScan = options.maxScanEvents ?? Math.max(5000, limit * 10);
  const cursors = options.cursors ?? plainCursors;
  const cursorOf = (c: Checkpoint | null) => c && cursors.seal(c, tenantId);
  let checkpoint = after === null ? null : cursors.open(after, tenantId);
  const messages: FeedMessage[] = [];
  let scanned = 0;
  let first = after !== null;

  for (;;) {
    const wanted = Math.min(PAGE_EVENTS, Math.max(limit, 100), maxScan - scanned);
    if (wanted <= 0) return { messages, nextCursor: cursorOf(checkpoint), caughtUp: false };
    let batch;
    try {
      batch = await store.readAll(checkpoint, { maxCount: wanted, filter: source.filter });
    } catch (error) {
      // The store refusing a caller's position (not being away) means the position is not one of its own.
      if (first && !isTransientError(error)) throw new InvalidCursorError();
      throw error;
    }
    first = false;
    const mapped = await Promise.all(batch.events.map((event) => feedMessagesOf(source, event)));
    for (const [i, event] of batch.events.entries()) {
      const own = mapped[i]!.filter((m) => tenantId === null || m.tenantId === tenantId);
      // Never split an event's messages across pages: the cursor can only point between events.
      if (messages.length > 0 && messages.length + own.length > limit) {
        return { messages, nextCursor: cursorOf(checkpoint), caughtUp: false };
      }
      messages.push(...own);
      checkpoint = event.checkpoint;
      scanned++;
    }
    // The batch's checkpoint may lie past events the filter dropped: the next read starts there.
    checkpoint = batch.checkpoint ?? checkpoint;
    if (batch.events.length < wanted) return { messages, nextCursor: cursorOf(checkpoint), caughtUp: true };
    if (messages.length >= limit) return { messages, nextCursor: cursorOf(checkpoint), caughtUp: false };
  }
};

/** The feed as the HTTP route reads it (the port): one tenant's messages, cursors sealed with these keys. */
export const httpFeedReader = (deps: Readonly<{ store: EventStore; source: FeedSource; cursorKeys: readonly Buffer[] }>): WarehouseFeedReader => {
  const cursors = sealedFeedCursors(deps.cursorKeys);
  return { read: (tenantId, after, limit) => readFeed(deps.store, deps.source, after, limit, { tenantId, cursors }) };
};
