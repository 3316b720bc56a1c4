import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type OrderDetail as BaseDetail, type Role } from '../api.js';
import { ErrorMessage, Field, ReadOnlyNote, Status } from '../components.js';
import { formatTime, useLoad } from '../hooks.js';
import { onEvent } from '../events.js';

type HoldReason = { code: string; since: string | null; platformSku?: string; missingFields?: string[]; ownerStoreId?: string; reason?: string; actor?: string };
type Shipment = {
  shipmentId: string;
  carrier: string;
  trackingNumber: string;
  trackingUrl: string | null;
  shipMethod: string | null;
  shippedAt: string;
  lines: { lineId: string; quantity: number }[];
};
type MarketplaceSync = {
  state: string;
  acknowledgedAt: string | null;
  lastError: { action: string; code: string; message: string; permanent: boolean } | null;
  nextRetryAt: string | null;
};
type Detail = BaseDetail & {
  holdReasons: HoldReason[];
  mappingVersions: Record<string, number>;
  handoff: { state: string; holdSkus: string[]; heldSince: string | null; releasedAt: string | null; lastMessageType: string | null; lastMessageAt: string | null };
  warehouse: { shipments: Shipment[] } | null;
  marketplaceSync: MarketplaceSync | null;
};
type History = { revision: number; type: string; recordedAt: string; actor: string | null; data: { reason?: unknown } };
type ShipTo = { name: string | null; addressLines: string[]; city: string | null; stateOrRegion: string | null; postalCode: string | null; countryCode: string | null; phone: string | null };
type Buyer = { erased: boolean; shipTo: ShipTo | null; buyer: { name: string | null; email: string | null } | null; shipToSource: string | null; viewedAt: string };

type Action = 'hold' | 'release' | 'cancel' | 'resend' | 'ship-to';

/** The actions, who may take them (docs/order-actions.md) and the hand-off states they start from. */
const ACTIONS: readonly { action: Action; label: string; roles: readonly Role[]; states: readonly string[] }[] = [
  { action: 'hold', label: 'Hold', roles: ['operator', 'seller_admin'], states: ['none', 'held', 'released'] },
  { action: 'release', label: 'Release', roles: ['operator', 'seller_admin'], states: ['held'] },
  { action: 'cancel', label: 'Cancel toward the warehouse', roles: ['operator'], states: ['none', 'held', 'released'] },
  { action: 'resend', label: 'Re-send to the warehouse', roles: ['operator'], states: ['released'] },
  { action: 'ship-to', label: 'Correct the ship-to', roles: ['operator'], states: ['none', 'held', 'released'] },
];

const HOLD_TEXT: Record<string, (r: HoldReason) => string> = {
  unmapped_sku: (r) => `No mapping for platform SKU ${r.platformSku ?? ''}`,
  address_incomplete: (r) => `Address incomplete: ${(r.missingFields ?? []).join(', ')}`,
  unknown_status: () => 'Unknown marketplace status',
  unknown_fulfillment: () => 'Unknown fulfilment channel',
  duplicate_order: (r) => `Duplicate: released from store ${r.ownerStoreId ?? ''}`,
  operator_hold: (r) => `Held by ${r.actor ?? 'a person'}: ${r.reason ?? ''}`,
};

/** What the marketplace has heard, in a line: its state, when acknowledged, and what went wrong last. */
const marketplaceText = (platform: string, s: MarketplaceSync | null) => {
  if (s === null) return 'nothing to tell yet (not released)';
  const parts = [s.state];
  if (s.acknowledgedAt) parts.push(`acknowledged ${formatTime(s.acknowledgedAt)}`);
  if (s.lastError) parts.push(`last ${s.lastError.action} ${s.lastError.permanent ? 'refused' : 'failed'}: ${s.lastError.message}`);
  if (s.nextRetryAt) parts.push(`next try ${formatTime(s.nextRetryAt)}`);
  return `${platform === 'walmart' ? 'Walmart' : 'Amazon'}: ${parts.join(' — ')}`;
};

/** A tracking page as a link only when it is a web address (the inbound contract checks it too). */
const TrackingNumber = ({ s }: { s: Shipment }) =>
  s.trackingUrl && /^https?:\/\//i.test(s.trackingUrl) ? (
    <a href={s.trackingUrl} target="_blank" rel="noopener noreferrer">
      {s.trackingNumber}
    </a>
  ) : (
    <>{s.trackingNumber}</>
  );

const ADDRESS_FIELDS = [
  ['name', 'Name'],
  ['line1', 'Address line 1'],
  ['line2', 'Address line 2 (optional)'],
  ['city', 'City'],
  ['region', 'State or region (optional)'],
  ['postalCode', 'Postal code'],
  ['countryCode', 'Country code (two letters)'],
  ['phone', 'Phone (optional)'],
] as const;

/** The reason dialog (a native modal <dialog>: focus stays inside, Escape closes it). */
const ActionDialog = ({ action, label, orderId, onDone, onClose }: { action: Action; label: string; orderId: string; onDone: (message: string) => void; onClose: () => void }) => {
  const ref = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState('');
  const [address, setAddress] = useState<Record<string, string>>({});
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const path = `/v1/orders/${encodeURIComponent(orderId)}/${action}`;
      if (action === 'ship-to') {
        const v = (k: string) => address[k]?.trim() || null;
        await api('PUT', path, {
          reason,
          shipTo: {
            name: v('name') ?? '',
            addressLines: [v('line1'), v('line2')].filter((x): x is string => x !== null),
            city: v('city') ?? '',
            stateOrRegion: v('region'),
            postalCode: v('postalCode'),
            countryCode: v('countryCode') ?? '',
            phone: v('phone'),
          },
        });
      } else {
        await api('POST', path, { reason });
      }
      ref.current?.close();
      onDone(`${label}: done.`);
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <dialog ref={ref} aria-labelledby="action-title" onClose={onClose}>
      <form onSubmit={onEvent(submit)}>
        <h2 id="action-title">{label}</h2>
        <Field id="action-reason" label="Reason" hint="Required; recorded in the order's history with your name.">
          <textarea id="action-reason" required minLength={3} maxLength={500} rows={3} aria-describedby="action-reason-hint" value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        </Field>
        {action === 'ship-to'
          ? ADDRESS_FIELDS.map(([key, text]) => (
              <Field key={key} id={`ship-${key}`} label={text}>
                <input
                  id={`ship-${key}`}
                  autoComplete="off"
                  required={!text.includes('optional')}
                  value={address[key] ?? ''}
                  onInput={(e) => setAddress({ ...address, [key]: e.currentTarget.value })}
                />
              </Field>
            ))
          : null}
        <ErrorMessage error={error} />
        <div class="toolbar">
          <button type="submit" disabled={busy}>
            {label}
          </button>
          <button type="button" class="secondary" onClick={() => ref.current?.close()}>
            Close
          </button>
        </div>
      </form>
    </dialog>
  );
};

/** The buyer's data, fetched only on request; the server records every view. */
const BuyerData = ({ orderId, onViewed }: { orderId: string; onViewed: () => void }) => {
  const [data, setData] = useState<Buyer | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const reveal = async () => {
    try {
      setData(await api<Buyer>('GET', `/v1/orders/${encodeURIComponent(orderId)}/buyer`));
      onViewed();
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <section aria-labelledby="buyer-title">
      <h2 id="buyer-title">Buyer and ship-to</h2>
      {data === null ? (
        <>
          <p class="hint">Buyer data is personal: showing it is recorded in the order's history.</p>
          <button type="button" class="secondary" onClick={onEvent(reveal)}>
            Show buyer data
          </button>
        </>
      ) : data.erased ? (
        <p>Erased: the buyer's data was deleted and cannot be shown.</p>
      ) : (
        <dl class="facts">
          <dt>Buyer</dt>
          <dd>{[data.buyer?.name, data.buyer?.email].filter(Boolean).join(', ') || '—'}</dd>
          <dt>Ship to{data.shipToSource === 'corrected' ? ' (corrected)' : ''}</dt>
          <dd>
            {data.shipTo
              ? [data.shipTo.name, ...data.shipTo.addressLines, [data.shipTo.postalCode, data.shipTo.city].filter(Boolean).join(' '), data.shipTo.stateOrRegion, data.shipTo.countryCode, data.shipTo.phone]
                  .filter(Boolean)
                  .join(', ')
              : 'Not given by the marketplace'}
          </dd>
        </dl>
      )}
      <ErrorMessage error={error} />
    </section>
  );
};

/**
 * One order: facts, hold reasons, the lines and their expansion with mapping versions, the hand-off,
 * the actions a role may take (each with a required reason), the recorded buyer-data reveal and the
 * history timeline with who did what and why.
 */
export const OrderDetailPage = ({ orderId, role }: { orderId: string; role: Role }) => {
  const order = useLoad(() => api<Detail>('GET', `/v1/orders/${encodeURIComponent(orderId)}`), [orderId]);
  const history = useLoad(() => (order.data ? api<{ items: History[] }>('GET', `/v1/orders/${encodeURIComponent(orderId)}/history`) : Promise.resolve(null)), [order.data]);
  const [open, setOpen] = useState<{ action: Action; label: string } | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [syncError, setSyncError] = useState<Error | null>(null);
  const o = order.data;
  const mayBuyer = role === 'operator' || role === 'seller_admin';
  const actions = ACTIONS.filter((a) => a.roles.includes(role));
  const sync = async () => {
    setSyncError(null);
    try {
      await api('POST', `/v1/stores/${encodeURIComponent(o!.storeId)}/sync`);
      setMessage('Manual Synchronization requested for the store.');
    } catch (err) {
      setSyncError(err as Error);
    }
  };
  return (
    <section aria-labelledby="order-title">
      <p>
        <a href="#/orders">Back to orders</a>
      </p>
      <h1 id="order-title">{o ? `Order ${o.platformOrderId}` : 'Order'}</h1>
      <ErrorMessage error={order.error} />
      {message ? <Status>{message}</Status> : null}
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
            <dd>
              {o.handoff.state}
              {o.handoff.lastMessageType ? ` — last message ${o.handoff.lastMessageType} at ${formatTime(o.handoff.lastMessageAt)}` : ''}
            </dd>
            <dt>Marketplace</dt>
            <dd>{marketplaceText(o.platform, o.marketplaceSync)}</dd>
          </dl>
          {o.holdReasons.length ? (
            <>
              <h2>Why it is held</h2>
              <ul aria-label="Hold reasons">
                {o.holdReasons.map((r, i) => (
                  <li key={i}>
                    {(HOLD_TEXT[r.code] ?? (() => r.code))(r)}
                    {r.since ? ` (since ${formatTime(r.since)})` : ''}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          <h2>Actions</h2>
          {actions.length === 0 ? (
            <ReadOnlyNote />
          ) : (
            <div class="toolbar" role="group" aria-label="Order actions">
              {actions.map((a) => (
                <button key={a.action} type="button" class="secondary" disabled={!a.states.includes(o.handoff.state)} onClick={() => (setMessage(null), setOpen(a))}>
                  {a.label}
                </button>
              ))}
              <button type="button" class="secondary" onClick={onEvent(sync)}>
                Manual Synchronization
              </button>
            </div>
          )}
          <ErrorMessage error={syncError} />
          {open ? (
            <ActionDialog
              action={open.action}
              label={open.label}
              orderId={orderId}
              onClose={() => setOpen(null)}
              onDone={(m) => {
                setMessage(m);
                setOpen(null);
                // The read model follows the event a moment later; load again then.
                setTimeout(order.reload, 300);
              }}
            />
          ) : null}
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
                <th scope="col">Mapping version</th>
              </tr>
            </thead>
            <tbody>
              {o.warehouseLines.length === 0 ? (
                <tr>
                  <td colSpan={4}>Not sent to the warehouse.</td>
                </tr>
              ) : (
                o.warehouseLines.map((w) => (
                  <tr key={`${w.lineId}-${w.sku}`}>
                    <td>{w.sku}</td>
                    <td>{w.quantity}</td>
                    <td>
                      {w.source.platformSku} × factor {w.source.factor}
                    </td>
                    <td>v{w.source.mappingVersion}</td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
          {o.warehouse?.shipments.length ? (
            <table>
              <caption>Shipments (as the warehouse reported them)</caption>
              <thead>
                <tr>
                  <th scope="col">Carrier</th>
                  <th scope="col">Tracking</th>
                  <th scope="col">Service</th>
                  <th scope="col">Shipped</th>
                  <th scope="col">Warehouse lines</th>
                </tr>
              </thead>
              <tbody>
                {o.warehouse.shipments.map((s) => (
                  <tr key={s.shipmentId}>
                    <td>{s.carrier}</td>
                    <td>
                      <TrackingNumber s={s} />
                    </td>
                    <td>{s.shipMethod ?? '—'}</td>
                    <td>{formatTime(s.shippedAt)}</td>
                    <td>{s.lines.map((l) => `${l.lineId} × ${l.quantity}`).join(', ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          {mayBuyer ? <BuyerData orderId={orderId} onViewed={history.reload} /> : null}
          <h2>History</h2>
          <ErrorMessage error={history.error} />
          <ol class="timeline" aria-label="Order history">
            {(history.data?.items ?? []).map((h) => (
              <li key={h.revision}>
                <time dateTime={h.recordedAt}>{formatTime(h.recordedAt)}</time> <strong>{h.type}</strong>
                {h.actor ? <span class="actor"> by {h.actor}</span> : null}
                {typeof h.data.reason === 'string' ? <span class="reason"> — {h.data.reason}</span> : null}
              </li>
            ))}
          </ol>
        </>
      ) : null}
    </section>
  );
};
