import { useState } from 'preact/hooks';
import { api, query, type OrderSummary, type Page, type Store } from '../api.js';
import { ErrorMessage } from '../components.js';
import { Field } from '../components.js';
import { formatTime, useLoad } from '../hooks.js';

const PAGE_SIZE = 20;

/** Orders, newest first, one keyset page at a time, filtered by store. */
export const Orders = () => {
  const stores = useLoad(() => api<{ items: Store[] }>('GET', '/v1/stores'), []);
  const [storeId, setStoreId] = useState('');
  // The cursors of the pages seen, so "Previous page" goes back without offsets.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1] ?? null;
  const { data, error } = useLoad(() => api<Page<OrderSummary>>('GET', `/v1/orders${query({ storeId, after, limit: PAGE_SIZE })}`), [storeId, after]);
  const storeName = (id: string) => {
    const s = stores.data?.items.find((x) => x.storeId === id);
    return s ? `${s.name} — ${s.marketplaceName}` : id;
  };
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
      </div>
      <ErrorMessage error={error} />
      {data ? (
        <>
          <table>
            <caption>Orders, newest purchase first (page {cursors.length})</caption>
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
                  <td colSpan={6}>No orders.</td>
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
