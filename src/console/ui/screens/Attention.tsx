import { api, type AuthorizationSummary, type OrderSummary, type Page, type RejectedOrder, type Store } from '../api.js';
import { ErrorMessage } from '../components.js';
import { daysLeft, renewalText } from '../authorizationText.js';
import { heldOrdersLink, HOLD_REASONS } from '../holdReasons.js';
import { formatTime, useLoad } from '../hooks.js';

/** Held orders read per reason (the oldest first matter most; the link opens them all on Orders). */
const HELD_LIMIT = 50;
const RENEWAL_WARNING_DAYS = 30;

type HeldGroup = { reason: (typeof HOLD_REASONS)[number]; orders: OrderSummary[]; more: boolean };

/** Held orders by reason, one filtered list each (GET /v1/orders?holdReason=…); an order with two reasons is in both. */
const loadHeld = async (): Promise<HeldGroup[]> => {
  const pages = await Promise.all(HOLD_REASONS.map((r) => api<Page<OrderSummary>>('GET', `/v1/orders?holdReason=${r.code}&limit=${HELD_LIMIT}`)));
  return HOLD_REASONS.map((reason, i) => ({ reason, orders: pages[i]!.items, more: pages[i]!.nextCursor !== null })).filter((g) => g.orders.length > 0);
};

/**
 * What needs a person: failing pulls, authorizations to renew or re-authorize, held orders by
 * reason, and rejected orders — each linking to where it is fixed.
 */
export const Attention = () => {
  const stores = useLoad(() => api<{ items: Store[] }>('GET', '/v1/stores'), []);
  const auths = useLoad(() => api<{ items: AuthorizationSummary[] }>('GET', '/v1/authorizations'), []);
  const held = useLoad(loadHeld, []);
  const rejected = useLoad(() => api<Page<RejectedOrder>>('GET', '/v1/orders/rejected?state=open&limit=100'), []);
  const storeName = (id: string) => {
    const s = stores.data?.items.find((x) => x.storeId === id);
    return s ? `${s.name} — ${s.marketplaceName}` : id;
  };
  const failing = (stores.data?.items ?? []).filter((s) => s.sync.failures > 0 || s.sync.state !== 'ok');
  const renew = (auths.data?.items ?? []).filter(
    (a) => !['active', 'paused', 'revoked', 'merged'].includes(a.status) || (a.status === 'active' && a.renewBy !== null && daysLeft(a.renewBy) <= RENEWAL_WARNING_DAYS) || (a.status === 'active' && a.lastFailure !== null),
  );
  return (
    <section aria-labelledby="attention-title">
      <h1 id="attention-title">Attention</h1>
      <ErrorMessage error={stores.error ?? auths.error ?? held.error ?? rejected.error} />

      <h2 id="failing-title">Failing pulls</h2>
      {stores.data ? (
        failing.length === 0 ? (
          <p>Every store pulls without failures.</p>
        ) : (
          <ul aria-labelledby="failing-title">
            {failing.map((s) => (
              <li key={s.storeId}>
                <a href={`#/authorizations/${s.authorizationId}`}>{`${s.name} — ${s.marketplaceName}`}</a>: {s.sync.failures} failure(s) ({s.sync.state}
                {s.sync.failingSince ? ` since ${formatTime(s.sync.failingSince)}` : ''}) — {s.sync.lastError ?? s.sync.reason ?? 'no detail'}. Last pull {formatTime(s.sync.lastSuccessAt)}.
              </li>
            ))}
          </ul>
        )
      ) : null}

      <h2 id="renewal-title">Authorizations to renew or re-authorize</h2>
      {auths.data ? (
        renew.length === 0 ? (
          <p>No authorization needs renewing.</p>
        ) : (
          <ul aria-labelledby="renewal-title">
            {renew.map((a) => (
              <li key={a.authorizationId}>
                <a href={`#/authorizations/${a.authorizationId}`}>{a.name}</a> ({a.platform}, {a.status}): {a.renewBy ? renewalText(a.renewBy, daysLeft(a.renewBy)) : ''}
                {a.lastFailure ? ` last failure: ${a.lastFailure}` : ''}
              </li>
            ))}
          </ul>
        )
      ) : null}

      <h2 id="held-title">Held orders by reason</h2>
      {held.data ? (
        held.data.length === 0 ? (
          <p>No held orders.</p>
        ) : (
          held.data.map((g) => (
            <section key={g.reason.code} aria-label={`${g.reason.name} — ${g.reason.todo}`}>
              <h3>
                {g.reason.name} — {g.reason.todo}: <span class="count">{g.more ? `more than ${g.orders.length}` : g.orders.length}</span>
              </h3>
              <p>
                <a href={heldOrdersLink(g.reason.code)}>Orders held for: {g.reason.name}</a>
              </p>
              <ul>
                {g.orders.map((o) => (
                  <li key={o.orderId}>
                    <a href={`#/orders/${o.orderId}`}>{o.platformOrderId}</a> ({storeName(o.storeId)})
                    {g.reason.code === 'unmapped_sku' && o.handoff.holdSkus.length ? (
                      <>
                        {' '}
                        — <a href={`#/mappings?store=${o.storeId}`}>map {o.handoff.holdSkus.join(', ')}</a>
                      </>
                    ) : null}
                  </li>
                ))}
              </ul>
            </section>
          ))
        )
      ) : null}

      <h2 id="rejected-title">Rejected orders</h2>
      {rejected.data ? (
        rejected.data.items.length === 0 ? (
          <p>No order was rejected.</p>
        ) : (
          <table>
            <caption>Marketplace orders a pull could not read (a later pull that reads one resolves it)</caption>
            <thead>
              <tr>
                <th scope="col">Store</th>
                <th scope="col">Order</th>
                <th scope="col">Reason</th>
                <th scope="col">Last rejected</th>
                <th scope="col">Where to fix</th>
              </tr>
            </thead>
            <tbody>
              {rejected.data.items.map((r, i) => (
                <tr key={i}>
                  <td>{storeName(r.storeId)}</td>
                  <td>{r.platformOrderId ?? 'unknown id'}</td>
                  <td>{r.reason}</td>
                  <td>{formatTime(r.lastRejectedAt)}</td>
                  <td>
                    <a href="#/stores">Stores: Manual Synchronization after the fix</a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      ) : null}
    </section>
  );
};
