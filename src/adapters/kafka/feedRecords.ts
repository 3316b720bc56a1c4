import { FEED_HEADERS, type FeedMessage } from '../../domain/warehouse/feedMessage.js';
import type { KafkaRecord } from './port.js';

/** The Kafka record of a feed message: key = order id (one partition per order, so its messages stay in order). */
export const feedRecord = (message: FeedMessage): KafkaRecord => ({
  key: message.order.orderId,
  value: JSON.stringify(message),
  headers: FEED_HEADERS(message),
});

const recordBytes = (r: KafkaRecord): number =>
  Buffer.byteLength(r.key) + Buffer.byteLength(r.value) + 200;

/**
 * Split records, in order, into consecutive chunks of at most `maxBytes` (a record larger than that
 * goes alone), so one send stays below the broker's request and batch size limits.
 */
export const chunkRecords = (records: readonly KafkaRecord[], maxBytes: number): KafkaRecord[][] => {
  const chunks: KafkaRecord[][] = [];
  let current: KafkaRecord[] = [];
  let size = 0;
  for (const r of records) {
    const bytes = recordBytes(r);
    if (current.length > 0 && size + bytes > maxBytes) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(r);
    size += bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
};
