import { useState } from 'preact/hooks';
import { api, query, type OrderSummary, type Page, type Store } from '../api.js';
import { ErrorMessage } from '../components.js';
import { Field } from '../components.js';
import { HOLD_REASONS, type HoldReasonCode } from '../holdReasons.js';
import { formatTime, useLoad } from '../hooks.js';

const PAGE_SIZE = 20;

/**
 * Orders, newest first, one keyset page at a time, filtered by store and by hold reason (the latter
 * from the link `#/orders?holdReason=…`, as Attention's held orders use it).
 */
export const Orders = ({ holdReason: initialHoldReason = null }: { holdReason?: HoldReasonCode | null }) => {
  const stores = useLoad(() => api<{ items: Store[] }>('GET', '/v1/stores'), []);
  const [storeId, setStoreId] = useState('');
  const [holdReason, setHoldReason] = useState<string>(initialHoldReason ?? '');
  // The cursors of the pages seen, so "Previous page" goes back without offsets.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1] ?? null;
  const { data, error } = useLoad(() => api<Page<OrderSummary>>('GET', `/v1/orders${query({ storeId, holdReason, after, limit: PAGE_SIZE })}`), [storeId, holdReason, after]);
  const storeName = (id: string) => {
    const s = stores.data?.items.find((x) => x.storeId === id);
    return s ? `${s.name} — ${s.marketplaceName}` : id;
  };
  const reasonName = HOLD_REASONS.find((r) => r.code === holdReason)?.name;
  return (
    <section aria-labelledby="orders-title">
      <h1 id="orders-title">Orders</h1>
      <div class="toolbar">
        <Field id="order-store" label="Store">
          <select id="order-store" value={storeId} onChange={(e) => (setStoreId(e.currentTarget.value), setCursors([null]))}>
            <option value="">All stores</option>
            {(stores.data?.items ?? []).map((s) => (
              <option key={s.storeId} value={s.storeId}>
                {s.name} — {s.marketplaceName}
              </option>
            ))}
          </select>
        </Field>
        <Field id="order-hold-reason" label="Hold reason">
          <select id="order-hold-reason" value={holdReason} onChange={(e) => (setHoldReason(e.currentTarget.value), setCursors([null]))}>
            <option value="">Any (held or not)</option>
            {HOLD_REASONS.map((r) => (
              <option key={r.code} value={r.code}>
                {r.name}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <ErrorMessage error={error} />
      {data ? (
        <>
          <table>
            <caption>
              {reasonName ? `Held orders: ${reasonName}, ` : 'Orders, '}newest purchase first (page {cursors.length})
            </caption>
            <thead>
              <tr>
                <th scope="col">Order</th>
                <th scope="col">Store</th>
                <th scope="col">Purchased</th>
                <th scope="col">Status</th>
                <th scope="col">Warehouse</th>
                <th scope="col">Lines</th>
              </tr>
            </thead>
            <tbody>
              {data.items.length === 0 ? (
                <tr>
                  <td colSpan={6}>{reasonName ? 'No order is held for this reason.' : 'No orders.'}</td>
                </tr>
              ) : (
                data.items.map((o) => (
                  <tr key={o.orderId}>
                    <td>
                      <a href={`#/orders/${o.orderId}`}>{o.platformOrderId}</a>
                    </td>
                    <td>{storeName(o.storeId)}</td>
                    <td>{formatTime(o.purchasedAt)}</td>
                    <td>{o.status}</td>
                    <td>{o.handoff.state + (o.handoff.holdSkus.length ? ` (unmapped: ${o.handoff.holdSkus.join(', ')})` : '')}</td>
                    <td>{o.lineCount}</td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
          <nav class="pager" aria-label="Order pages">
            <button type="button" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
              Previous page
            </button>
            <button type="button" disabled={!data.nextCursor} onClick={() => setCursors([...cursors, data.nextCursor])}>
              Next page
            </button>
          </nav>
        </>
      ) : null}
    </section>
  );
};
