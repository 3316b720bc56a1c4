/**
 * One stream per order: `order-<orderId>`. It holds the pull, the hand-off decisions and what other
 * subsystems append (warehouse reports, marketplace confirmations); the vault keys the order's buyer
 * data by the same id, so erasing the order's data is destroying that owner's key.
 */
export const ORDER_STREAM_PREFIX = 'order-';

export const orderStreamId = (orderId: string): string => `${ORDER_STREAM_PREFIX}${orderId}`;
