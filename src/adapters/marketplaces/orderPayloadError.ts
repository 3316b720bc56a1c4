import { PlatformOrder } from '../../domain/order/platformOrder.js';
import type { UnreadableOrder } from '../../domain/ports/orderSource.js';

/**
 * A marketplace order that does not have the shape its API documents. Raised by the pure parsers;
 * the order sources turn it into MarketplaceError('malformed_response'). Messages name the order
 * and the offending fields, never their values (they may be buyer data).
 */
export class OrderPayloadError extends Error {
  override readonly name = 'OrderPayloadError';
}

/** zod issues as "path: problem" — zod's messages describe types, not the values received. */
export const describeIssues = (issues: readonly { path: readonly PropertyKey[]; message: string }[]): string =>
  issues
    .slice(0, 5)
    .map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`)
    .join('; ');

const NO_ID = '(without an id)';

/** For error messages: a payload's id field if it is a string (never anything else from it). */
export const idOf = (raw: unknown, field: string): string => {
  const id = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>)[field] : undefined;
  return typeof id === 'string' && id !== '' ? id : NO_ID;
};

/** The parsers' last step: what they built must be a valid PlatformOrder, or the payload was odd. */
export const validPlatformOrder = (candidate: PlatformOrder, what: string): PlatformOrder => {
  const checked = PlatformOrder.safeParse(candidate);
  if (!checked.success) throw new OrderPayloadError(`${what} cannot be read as an order: ${describeIssues(checked.error.issues)}`);
  return checked.data;
};

/**
 * A page's raw orders parsed one by one: one that cannot be read is set aside with its reason (an
 * OrderPayloadError's message) instead of failing the page. Other errors are bugs and propagate.
 */
export const parseEach = (
  raws: readonly unknown[],
  parse: (raw: unknown) => PlatformOrder,
  idField: string,
): { orders: PlatformOrder[]; rejected: UnreadableOrder[] } => {
  const orders: PlatformOrder[] = [];
  const rejected: UnreadableOrder[] = [];
  for (const raw of raws) {
    try {
      orders.push(parse(raw));
    } catch (error) {
      if (!(error instanceof OrderPayloadError)) throw error;
      const id = idOf(raw, idField);
      rejected.push({ platformOrderId: id === NO_ID ? null : id, reason: error.message, payload: raw });
    }
  }
  return { orders, rejected };
};
