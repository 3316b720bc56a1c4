import { useState } from 'preact/hooks';
import { api, query, type HistoryEntry, type OrderDetail as Detail, type OrderSummary, type Page, type Store } from '../api.js';
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

/** One order: its lines, the warehouse expansion and the history timeline. */
export const OrderDetail = ({ orderId }: { orderId: string }) => {
  const order = useLoad(() => api<Detail>('GET', `/v1/orders/${encodeURIComponent(orderId)}`), [orderId]);
  const history = useLoad(() => (order.data ? api<{ items: HistoryEntry[] }>('GET', `/v1/orders/${encodeURIComponent(orderId)}/history`) : Promise.resolve(null)), [order.data]);
  const o = order.data;
  return (
    <section aria-labelledby="order-title">
      <p>
        <a href="#/orders">Back to orders</a>
      </p>
      <h1 id="order-title">{o ? `Order ${o.platformOrderId}` : 'Order'}</h1>
      <ErrorMessage error={order.error} />
      {o ? (
        <>
          <dl class="facts">
            <dt>Platform</dt>
            <dd>{o.platform}</dd>
            <dt>Status</dt>
            <dd>
              {o.status} ({o.platformStatus})
            </dd>
            <dt>Purchased</dt>
            <dd>{formatTime(o.purchasedAt)}</dd>
            <dt>Ship by</dt>
            <dd>{formatTime(o.shipBy)}</dd>
            <dt>Warehouse hand-off</dt>
            <dd>{o.handoff.state + (o.handoff.holdSkus.length ? ` — waiting for a mapping of ${o.handoff.holdSkus.join(', ')}` : '')}</dd>
          </dl>
          <table>
            <caption>Lines</caption>
            <thead>
              <tr>
                <th scope="col">Platform SKU</th>
                <th scope="col">Title</th>
                <th scope="col">Quantity</th>
              </tr>
            </thead>
            <tbody>
              {o.lines.map((l) => (
                <tr key={l.lineId}>
                  <td>{l.platformSku}</td>
                  <td>{l.title ?? '—'}</td>
                  <td>{l.quantityOrdered}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <table>
            <caption>Warehouse lines (expanded with the mappings)</caption>
            <thead>
              <tr>
                <th scope="col">System SKU</th>
                <th scope="col">Quantity</th>
                <th scope="col">From</th>
              </tr>
            </thead>
            <tbody>
              {o.warehouseLines.length === 0 ? (
                <tr>
                  <td colSpan={3}>Not sent to the warehouse.</td>
                </tr>
              ) : (
                o.warehouseLines.map((w) => (
                  <tr key={`${w.lineId}-${w.sku}`}>
                    <td>{w.sku}</td>
                    <td>{w.quantity}</td>
                    <td>
                      {w.source.platformSku} × factor {w.source.factor} (mapping v{w.source.mappingVersion})
                    </td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
          <h2>History</h2>
          <ErrorMessage error={history.error} />
          <ol class="timeline" aria-label="Order history">
            {(history.data?.items ?? []).map((h) => (
              <li key={h.revision}>
                <time dateTime={h.recordedAt}>{formatTime(h.recordedAt)}</time> <strong>{h.type}</strong>
                {h.actor ? <span class="actor"> by {h.actor}</span> : null}
              </li>
            ))}
          </ol>
        </>
      ) : null}
    </section>
  );
};
